"""Web chat in a real Chromium, in two browser contexts: a resident on /answers/ chats in
Norwegian with an agent who has Norwegian and the chat skill, on the agent's desktop.

Run alone with: pytest -m browser kontakt/chat. Screenshots land in /tmp/kontakt-shots.
"""

import re
from datetime import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from playwright.sync_api import Page, expect

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.cases.models import CaseEvent, CaseEventKind, Contact
from kontakt.chat.models import Chat, ChatState
from kontakt.desk.tests.conftest import CHROMIUM  # noqa: F401  (where the browser comes from)
from kontakt.desk.tests.test_browser import sign_in
from kontakt.directory.models import AnswerGroup, OpeningHours, Weekday
from kontakt.directory.selectors import opening_hours_changed
from kontakt.knowledge.tests.test_browser_public import axe_violations, readable
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import AgentSkill, RoutingSettings

pytestmark = pytest.mark.browser


@pytest.fixture
def chat_town(municipality, settings):
    """The municipality's agent takes chats in Swedish and Norwegian; the center is open
    around the clock, so the test passes at any hour."""
    settings.KONTAKT = {**settings.KONTAKT, "CHAT": {**settings.KONTAKT["CHAT"]}}
    settings.KONTAKT["CHAT"]["ANSWER_GROUP"] = "chatt"
    OpeningHours.objects.all().delete()
    for day in Weekday:
        OpeningHours.objects.create(weekday=day, opens=time(0), closes=time(23, 59, 59))
    opening_hours_changed()
    cache.clear()
    group = AnswerGroup.objects.create(name="Chatt", code="chatt")
    RoutingSettings.objects.create(answer_group=group, skill="chatt", wrap_up_seconds=0)
    agent = municipality.agent
    agent.languages = ["sv", "nb"]
    agent.save()
    AgentSkill.objects.create(agent=agent, skill="chatt", proficiency=4)
    # A colleague who takes chats in Swedish only is at work, so chats may start and wait.
    colleague = User.objects.create_user(username="sven", first_name="Sven", languages=["sv"])
    colleague.groups.add(Group.objects.get(name=Role.AGENT.value))
    AgentSkill.objects.create(agent=colleague, skill="chatt", proficiency=5)
    telephony_services.presence_change(agent=colleague, state="ready", by=colleague)
    return municipality


def open_widget(resident: Page) -> None:
    resident.get_by_role("button", name="Chat with us").click()
    expect(resident.locator("#kt-chat-panel")).to_be_visible()
    # Focus moves into the panel, to its heading.
    expect(resident.locator("#kt-chat-heading")).to_be_focused()


def test_a_resident_chats_in_norwegian_with_an_agent_who_ends_it(
    chat_town, live_server, page, browser, browser_errors, shot
):
    base = live_server.url
    # The agent, in a browser context of their own, is on the desktop, not yet Ready.
    agent_context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Stockholm", viewport={"width": 1440, "height": 900}
    )
    agent_context.set_default_timeout(10_000)
    desk = agent_context.new_page()
    desk.on("pageerror", lambda error: browser_errors.append(f"desk script error: {error}"))
    sign_in(desk, base, chat_town.agent, chat_town.password)
    desk.goto(f"{base}/desk/")

    # The resident opens the chat on the answers page, with the keyboard only.
    resident = page
    resident.goto(f"{base}/answers/")
    resident.locator("#kt-chat-open").focus()
    resident.keyboard.press("Enter")
    expect(resident.locator("#kt-chat-panel")).to_be_visible()
    expect(resident.locator("#kt-chat-heading")).to_be_focused()
    expect(resident.locator("#kt-chat-start")).to_be_visible()
    shot(resident, "chat-widget-open")
    found = {"widget open": axe_violations(resident)}

    # Sending without a language or a question says what is missing, at the fields.
    resident.get_by_role("button", name="Start the chat").click()
    expect(resident.locator("#kt-chat-language-error")).to_be_visible()
    expect(resident.locator("#kt-chat-body-error")).to_be_visible()
    found["widget errors"] = axe_violations(resident)

    resident.get_by_label("Norsk bokmål").check()
    resident.get_by_label("Your question").fill("Hei! Når blir søppelet hentet i Storgata?")
    resident.get_by_role("button", name="Start the chat").click()
    expect(resident.locator("#kt-chat-log")).to_contain_text("Når blir søppelet hentet")
    expect(resident.get_by_label("Your message")).to_be_focused()
    # Only a colleague without Norwegian is at work: the chat waits, first in the queue.
    expect(resident.locator("#kt-chat-status")).to_contain_text("You are number 1 in the queue.")
    shot(resident, "chat-resident-waiting")

    # The Norwegian-speaking agent says Ready: the router hands them the chat, and its
    # panel opens beside the phone.
    desk.locator("#presence-form button[value=ready]").click()
    panel = desk.locator(".kt-chat-desk")
    expect(panel).to_have_count(1)
    expect(panel.locator(".kt-chat-log")).to_contain_text("Når blir søppelet hentet")
    expect(panel).to_have_attribute("data-state", "active")
    # The resident is told someone joined (the system line and the status).
    expect(resident.locator("#kt-chat-status")).to_contain_text("Agnes")

    reply = panel.locator(".kt-chat-reply textarea")
    reply.fill("Hei! Søppelet hentes hver tirsdag.")
    reply.press("Enter")
    expect(resident.locator("#kt-chat-log")).to_contain_text("Søppelet hentes hver tirsdag.")

    box = resident.get_by_label("Your message")
    box.fill("Takk, da vet jeg det.")
    box.press("Enter")
    expect(panel.locator(".kt-chat-log")).to_contain_text("Takk, da vet jeg det.")
    expect(box).to_have_value("")
    shot(resident, "chat-resident-talking")
    shot(desk, "chat-agent-desktop")
    found["conversation"] = axe_violations(resident)

    chat = Chat.objects.get()
    prefix = f"chat{chat.pk}"
    panel.locator(f"#id_{prefix}-outcome").select_option("forwarded")
    panel.locator(f"#id_{prefix}-case_type").select_option(chat_town.waste.code)
    panel.locator(f"#id_{prefix}-summary").fill("Spør om tømmedag")
    panel.get_by_role("button", name="End chat").click()
    expect(desk.locator(".kt-chat-desk")).to_have_count(0)
    expect(resident.locator("#kt-chat-status")).to_have_text("The chat has ended.")
    shot(resident, "chat-resident-ended")

    chat.refresh_from_db()
    assert chat.state == ChatState.ENDED
    contact = Contact.objects.get(chat=chat)
    assert (contact.channel, contact.agent, contact.summary) == (
        "chat",
        chat_town.agent,
        "Spør om tømmedag",
    )
    transcript = CaseEvent.objects.get(case=contact.case, kind=CaseEventKind.MESSAGE_IN).body
    assert re.search(r"Resident: Hei! Når blir søppelet hentet i Storgata\?", transcript)
    assert "Agnes Andersson: Hei! Søppelet hentes hver tirsdag." in transcript
    assert "Takk, da vet jeg det." in transcript
    assert found == {k: [] for k in found}, "axe-core:\n" + readable(found)
    assert browser_errors == []
    agent_context.close()


def test_a_closed_center_offers_the_web_form(chat_town, live_server, page, browser_errors, shot):
    # Nobody who takes chats is at work: the widget offers the form instead.
    sven = User.objects.get(username="sven")
    telephony_services.presence_change(agent=sven, state="logged_out", by=sven)
    page.goto(f"{live_server.url}/form/")
    open_widget(page)
    offer = page.locator("#kt-chat-form-offer")
    expect(offer).to_be_visible()
    expect(offer.get_by_role("link", name="Write to us with the form")).to_have_attribute(
        "href", "/form/"
    )
    expect(page.locator("#kt-chat-start")).to_be_hidden()
    shot(page, "chat-widget-form-offered")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    expect(page.locator("#kt-chat-panel")).to_be_hidden()
    expect(page.locator("#kt-chat-open")).to_be_focused()
    assert browser_errors == []
