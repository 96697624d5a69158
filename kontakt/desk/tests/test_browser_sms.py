"""The conversation on the case page and the page of a text message, in a real Chromium:
WCAG 2.1 AA by axe-core, and an agent answers a text message from the keyboard.

Run alone with: pytest -m browser kontakt/desk/tests/test_browser_sms.py.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from kontakt.cases.models import CaseEvent, Contact
from kontakt.cases.notices import history_written
from kontakt.cases.services import CaseDraft, case_add_message, case_create
from kontakt.residents import sms
from kontakt.sms.models import InboundSms, InboundState

from .test_browser import sign_in, sign_out

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
    const result = await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
    return result.violations.map(
        v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""


def axe_violations(page: Page) -> list[str]:
    # The page's CSP allows scripts of its own origin only: axe comes as if from there.
    url = page.url.split("/", 3)
    axe_url = f"{url[0]}//{url[2]}/__axe.min.js"
    page.route(axe_url, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=axe_url)
    return page.evaluate(RUN_AXE)


def test_the_conversation_and_an_sms_answered(
    page: Page, live_server, municipality, settings, shot, browser_errors
):
    settings.KONTAKT = {**settings.KONTAKT, "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "memory"}}
    sms.outbox.clear()
    town = municipality
    case = case_create(
        draft=CaseDraft(
            case_type=town.street_light,
            subject="Släckt lampa",
            resident=town.resident,
            feedback_channel="sms",
        ),
        by=town.agent,
    )
    with history_written():
        for body, direction, channel in [
            ("Lampan är släckt.", "in", "email"),
            ("Vi lagar den.", "out", "sms"),
            ("Tack!", "in", "sms"),
            ("Beslut per post.", "out", "letter"),
        ]:
            case_add_message(
                case=case,
                body=body,
                direction=direction,
                channel=channel,
                by=town.agent if direction == "out" else None,
            )
    CaseEvent.objects.filter(case=case, body="Vi lagar den.").update(
        data={"delivery": "delivered", "parts": 1, "to": "+46701234567"}
    )
    now = timezone.now()
    inbound = InboundSms.objects.create(
        gateway_id="g1",
        sender="+4791234567",
        text="Hei! Når tømmes søpla?",
        received_at=now,
        stored_at=now,
        state=InboundState.QUEUED,
    )
    base = live_server.url
    sign_in(page, base, town.handler, town.password)

    page.goto(f"{base}/cases/{case.reference}/")
    conversation = page.get_by_role("list", name="Conversation")
    expect(conversation.get_by_role("listitem")).to_have_count(4)
    expect(conversation).to_contain_text("delivered")
    expect(conversation).to_contain_text("to be posted")
    expect(page.locator("#answer-where")).to_have_text(
        "Sent by SMS to +46701234567. Choose another channel above to answer on it."
    )
    shot(page, "sms-case-conversation")
    assert axe_violations(page) == []
    sign_out(page)

    sign_in(page, base, town.agent, town.password)
    page.goto(f"{base}/desk/sms/{inbound.pk}/")
    expect(page.locator("#sms-text")).to_contain_text("Når tømmes søpla?")
    assert axe_violations(page) == []
    page.get_by_label("Answer by SMS").fill("Tirsdag.")
    page.get_by_label("Answer by SMS").press("Tab")
    page.keyboard.press("Tab")  # past the outcome (closed at first contact)
    page.get_by_role("button", name="Log the contact").press("Enter")
    expect(page).to_have_url(f"{base}/desk/")
    shot(page, "sms-answered")
    assert Contact.objects.get().channel == "sms"
    # The receipt of the case went by SMS too, as she chose; then the answer.
    assert [m.to for m in sms.outbox] == ["+46701234567", "+4791234567"]
    assert sms.outbox[-1].text == "Tirsdag."
    assert browser_errors == []
