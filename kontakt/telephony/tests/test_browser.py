"""In a real browser: an answered call opens the caller on the agent's desktop, and crisis
mode reaches every open desktop by itself, without a reload."""

import json
import re

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from kontakt.cases.models import Contact
from kontakt.desk.tests.test_browser import sign_in
from kontakt.directory.models import AnswerGroup
from kontakt.telephony import services
from kontakt.telephony.models import AgentSkill, Presence, RoutingSettings

from .conftest import now_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_events(key: str, *events: dict) -> None:
    response = Client(headers={"Authorization": f"Bearer {key}"}).post(
        "/api/v1/telephony/events", json.dumps(list(events)), content_type="application/json"
    )
    assert response.status_code == 200, response.content


def test_an_answered_call_pops_the_caller_and_crisis_mode_reaches_the_desktop(
    live_server, municipality, page: Page, shot, browser_errors
):
    base = live_server.url
    group = AnswerGroup.objects.create(name="Gata och park", code="gata")
    RoutingSettings.objects.create(answer_group=group, skill="gata", wrap_up_seconds=20)
    agent = municipality.agent
    AgentSkill.objects.create(agent=agent, skill="gata", proficiency=4)
    exchange, key = services.exchange_create(name="pbx")

    sign_in(page, base, agent, municipality.password)
    page.goto(f"{base}/desk/")
    expect(page.locator("#presence-label")).to_have_text("Logged out")
    page.locator("#presence-form button[value=ready]").click()
    expect(page.locator("#presence-label")).to_have_text("Ready")
    assert Presence.objects.get(agent=agent).state == "ready"
    # The stream's first answer: a precondition, not a measure, so a loaded machine may
    # take its time.
    page.wait_for_selector("html[data-live='open']", state="attached", timeout=15_000)

    # The exchange rings the agent and they answer: the desktop follows by itself.
    post_events(
        key,
        now_event("c1", "offered", 0.6, number="+46406280400", caller="070-123 45 67"),
        now_event("c1", "queued", 0.5, answer_group="gata", caller="070-123 45 67"),
        now_event("c1", "ringing", 0.3, agent=agent.username),
    )
    expect(page.locator("#presence-label")).to_have_text("Ringing", timeout=10_000)
    post_events(key, now_event("c1", "answered", 0, agent=agent.username))
    resident = municipality.resident
    # The call's id in the exchange's own namespace, "<exchange>|c1", URL-encoded.
    call = f"{exchange.pk}%7Cc1"
    expect(page).to_have_url(
        re.compile(rf"/desk/\?resident={resident.pk}&call={call}$"), timeout=10_000
    )
    expect(page.locator("#resident-heading")).to_have_text(resident.name)
    expect(page.locator("#call-notice")).to_contain_text("Gata och park")
    expect(page.locator("#presence-label")).to_have_text("On a call")
    expect(page.locator("input[name=channel][value=phone]")).to_be_checked()
    shot(page, "telephony-screen-pop")

    page.fill("#id_summary", "Frågade om sophämtningen i veckan.")
    page.locator(".kt-outcomes button[data-key='1']").click()
    expect(page.locator("main > .ds-alert")).to_contain_text("Contact logged")
    contact = Contact.objects.get()
    assert contact.call_id == f"{exchange.pk}|c1"
    assert contact.resident == resident

    # The caller hangs up: wrap-up with its countdown.
    post_events(key, now_event("c1", "ended", 0))
    expect(page.locator("#presence-label")).to_have_text("Wrap-up", timeout=10_000)
    expect(page.locator("#presence-timer")).to_have_text(re.compile(r"^\d+ s$"))

    # A supervisor switches crisis mode on: the banner comes without a reload.
    from django.contrib.auth.models import Group

    from kontakt.accounts.models import User
    from kontakt.accounts.roles import Role

    supervisor = User.objects.create_user(username="sup", password="x")
    supervisor.groups.add(Group.objects.get(name=Role.SUPERVISOR.value))
    expect(page.locator("#crisis-banner")).to_be_hidden()
    services.crisis_switch_on(
        message="Storm: all waste collection is cancelled today.", article=None, by=supervisor
    )
    expect(page.locator("#crisis-banner")).to_be_visible(timeout=10_000)
    expect(page.locator("#crisis-text")).to_have_text(
        "Storm: all waste collection is cancelled today."
    )
    shot(page, "telephony-crisis-banner")
    services.crisis_switch_off(by=supervisor)
    expect(page.locator("#crisis-banner")).to_be_hidden(timeout=10_000)
    assert browser_errors == []
