"""In a real browser, the operator's walk: a switchboard call opens the console; a misspelt
name finds the person, who is away with a substitute; the call is put through to the
substitute, comes back unanswered after the ring time, and a message is taken, which the
substitute sees on their page and marks done."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from kontakt.accounts.roles import Role
from kontakt.desk.tests.conftest import _staff
from kontakt.desk.tests.test_browser import sign_in, sign_out
from kontakt.directory.models import AnswerGroup, Department, Unit
from kontakt.directory.services import employee_save
from kontakt.switchboard.models import Message, MessageState, Transfer
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import AgentSkill, RoutingSettings
from kontakt.telephony.tests.conftest import now_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RING_SECONDS = 2


def post_events(key: str, *events: dict) -> None:
    response = Client(headers={"Authorization": f"Bearer {key}"}).post(
        "/api/v1/telephony/events", json.dumps(list(events)), content_type="application/json"
    )
    assert response.status_code == 200, response.content


def commands(key: str) -> list[dict]:
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/telephony/commands")
    assert response.status_code == 200, response.content
    return response.json()["commands"]


def test_the_operators_walk(live_server, municipality, page: Page, shot, browser_errors):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SWITCHBOARD": {**settings.KONTAKT["SWITCHBOARD"], "TRANSFER_RING_SECONDS": RING_SECONDS},
    }
    base = live_server.url
    group = AnswerGroup.objects.create(name="Växeln", code="vaxel")
    RoutingSettings.objects.create(answer_group=group, skill="switchboard", wrap_up_seconds=10)
    operator = _staff("sven", "Sven", "Sund", Role.SWITCHBOARD, None)
    AgentSkill.objects.create(agent=operator, skill="switchboard", proficiency=3)
    _exchange, key = telephony_services.exchange_create(name="pbx")

    department = Department.objects.create(name="Stadsbyggnadskontoret", code="sbk")
    unit = Unit.objects.create(department=department, name="Bygglov")

    def person(name: str, number: str, **values):
        given, family = name.split(" ", 1)
        saved, _changes = employee_save(
            employee=None,
            values={
                "display_name": name,
                "given_name": given,
                "family_name": family,
                "title": "Bygglovshandläggare",
                "direct_number": number,
                "unit_id": unit.pk,
                "keywords": "bygglov",
                **values,
            },
            by=None,
        )
        return saved

    substitute = person("Cecilia Holm", "+46406281003", user_id=municipality.handler.pk)
    away = person("Bjørn Kristiansen", "+46406281002")
    person("Anna Berg", "+46406281001")
    now = timezone.now()
    away.absences.create(
        starts_at=now - timedelta(hours=1),
        # At half past noon, so the console says "until" at any hour the test runs (an
        # absence ending at midnight is said by its last day).
        ends_at=(timezone.localtime(now) + timedelta(days=4)).replace(hour=12, minute=30),
        reason="leave",
        substitute=substitute,
    )

    sign_in(page, base, operator, municipality.password)
    page.goto(f"{base}/switchboard/")
    page.locator("#presence-form button[value=ready]").click()
    expect(page.locator("#presence-label")).to_have_text("Ready")
    page.wait_for_selector("html[data-live='open']", state="attached", timeout=15_000)

    # A call to the switchboard, answered by the operator: the console opens it.
    caller = "+46701112233"
    post_events(
        key,
        now_event("s1", "offered", 0.6, number="+46406280400", caller=caller),
        now_event("s1", "queued", 0.5, answer_group="vaxel", caller=caller),
        now_event("s1", "ringing", 0.3, agent=operator.username),
    )
    expect(page.locator("#presence-label")).to_have_text("Ringing", timeout=10_000)
    post_events(key, now_event("s1", "answered", 0, agent=operator.username))
    expect(page).to_have_url(re.compile(r"/switchboard/\?call="), timeout=10_000)
    expect(page.locator("#call-notice")).to_contain_text(caller)

    # A misspelt name: the person is found, away, with the substitute beside.
    page.fill("#q", "bjorn kristiansson")
    hit = page.locator("#hits .kt-hit").first
    expect(hit).to_contain_text("Bjørn Kristiansen")
    expect(hit.locator(".kt-hit-state")).to_contain_text("Away until")
    expect(hit.locator(".kt-hit-substitute")).to_contain_text("Cecilia Holm")
    shot(page, "switchboard-away-with-substitute")
    hit.locator(".kt-hit-substitute button[data-transfer]").click()
    expect(page.locator("#transfer-history")).to_contain_text("Cecilia Holm")

    # The exchange makes the transfer; nobody answers within the ring time.
    (command,) = commands(key)
    assert command["call_id"] == "s1" and command["target"] == "+46406281003"
    assert command["ring_seconds"] == RING_SECONDS
    post_events(key, now_event("s1", "transfer_started", 0, target=command["target"]))
    time.sleep(RING_SECONDS)
    post_events(
        key,
        now_event("s1", "transfer_returned", 0, target=command["target"], reason="no_answer"),
    )
    expect(page.locator("#returned")).to_contain_text("came back from Cecilia Holm")
    assert Transfer.objects.get().state == "returned"
    shot(page, "switchboard-returned")

    # A message for her.
    page.locator("#returned-message").click()
    page.fill("#id_about", "Undrar hur det går med bygglovet på Storgatan 3.")
    page.fill("#id_caller_name", "Eva Lund")
    page.locator("#message-form button[type=submit]").click()
    expect(page.locator("main .ds-alert").first).to_contain_text("Message taken for Cecilia Holm")
    message = Message.objects.get()
    assert message.employee == substitute and message.caller_number == caller
    assert message.contact is not None and message.contact.outcome == "message"
    sign_out(page)

    # She sees it on her page and marks it done.
    sign_in(page, base, municipality.handler, municipality.password)
    page.goto(f"{base}/switchboard/messages/")
    expect(page.locator("#open-messages")).to_contain_text("Storgatan 3")
    shot(page, "switchboard-message-for-the-person")
    page.locator("#open-messages button[value=done]").click()
    expect(page.locator("#closed-messages")).to_contain_text("Storgatan 3")
    message.refresh_from_db()
    assert message.state == MessageState.DONE

    # The department's switchboard statistics count it all.
    from kontakt.accounts.tests.factories import UserFactory

    watcher = Client()
    watcher.force_login(UserFactory.create(username="sup", role=Role.SUPERVISOR))
    start = (now - timedelta(hours=1)).isoformat()
    end = (timezone.now() + timedelta(minutes=1)).isoformat()
    figures = watcher.get(
        "/api/v1/stats/switchboard",
        {"start": start, "end": end, "department": "sbk"},
    ).json()
    assert figures["transfers"] == 1 and figures["returned_no_answer"] == 1
    assert figures["messages_taken"] == 1 and figures["messages_done_within_day"] == 1
    assert browser_errors == []
