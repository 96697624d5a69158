"""The case page's conversation: every message in and out, on every channel, with what
became of it and its attachments; and the answer box on the resident's channel."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kontakt.cases import selectors
from kontakt.cases.models import CaseEvent
from kontakt.cases.notices import history_written
from kontakt.cases.services import case_add_message, case_attach
from kontakt.cases.tests import samples
from kontakt.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _message(case, body, direction, channel, by=None, **data):
    event = case_add_message(
        case=case, body=body, direction=direction, channel=channel, by=by, data=data or None
    )
    return event


def _selected_channel(page: str) -> str:
    select = re.search(r'<select name="channel".*?</select>', page, re.S)
    assert select is not None
    chosen = re.search(r'<option value="(\w+)" selected', select.group(0))
    assert chosen is not None
    return chosen.group(1)


@pytest.fixture
def case(parking_type, resident, second_line):
    return CaseFactory(case_type=parking_type, resident=resident, by=second_line)


def test_every_channel_shows_in_one_conversation(case, second_line, client_for):
    upload = SimpleUploadedFile("lampa.txt", samples.TEXT, content_type="text/plain")
    attachment = case_attach(case=case, upload=upload, by=None)
    with history_written():
        _message(case, "Lampan är trasig.", "in", "email", attachment_ids=[attachment.pk])
        out = _message(case, "Vi lagar den i veckan.", "out", "sms", by=second_line)
        _message(case, "Tack! Den lyser igen.", "in", "web_form")
        _message(case, "Hej, en fråga till", "in", "chat")
        _message(case, "Beslutet skickas per post.", "out", "letter", by=second_line)
    CaseEvent.objects.filter(pk=out.pk).update(
        data={"delivery": "delivered", "parts": 2, "to": "+46701234567"}
    )
    page = client_for(second_line).get(f"/cases/{case.reference}/").content.decode()
    conversation = page.split('id="conversation"')[1].split(">Timeline</h2>")[0]
    for text in (
        "Lampan är trasig.",
        "Vi lagar den i veckan.",
        "Tack! Den lyser igen.",
        "Hej, en fråga till",
        "Beslutet skickas per post.",
    ):
        assert text in conversation
    for label in ("E-mail", "SMS", "Web form", "Chat", "Letter"):
        assert f">{label}</span>" in conversation
    assert "delivered" in conversation and "2 SMS parts" in conversation
    assert "to be posted" in conversation
    assert f"/cases/{case.reference}/attachments/{attachment.pk}/" in conversation
    assert conversation.count("From the resident") == 3
    assert conversation.count("To the resident") == 2


def test_a_failed_message_shows_why(case, second_line, client_for):
    event = _message(case, "Hej", "out", "sms", by=second_line)
    CaseEvent.objects.filter(pk=event.pk).update(
        data={"delivery": "failed", "reason": "The gateway could not deliver it: EXPIRED"}
    )
    page = client_for(second_line).get(f"/cases/{case.reference}/").content.decode()
    assert "not delivered" in page and "could not deliver it: EXPIRED" in page


@pytest.mark.parametrize(
    "data",
    [
        [],
        "text",
        {"delivery": "<script>alert(1)</script>", "parts": "many", "reason": {"a": 1}},
        {"parts": 10**9, "to": ["x"], "from": None, "attachments": [{"id": "x"}, True, 99999]},
        {"parts": True, "attachment_ids": "1,2", "attachment_id": 2.5},
        {"parts": -3, "attachments": [{"attachment_id": None}], "delivery": None},
    ],
)
def test_a_stored_absurd_value_does_not_break_the_page(case, second_line, client_for, data):
    event = _message(case, "Hej <b>där</b>", "in", "sms")
    CaseEvent.objects.filter(pk=event.pk).update(data=data, channel="pigeon")
    response = client_for(second_line).get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hej &lt;b&gt;där&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page
    (entry,) = selectors.case_conversation(case=case)
    assert entry.parts is None and entry.attachments == ()


def test_another_cases_attachment_is_not_linked(case, parking_type, second_line, resident):
    other = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    upload = SimpleUploadedFile("annan.txt", samples.TEXT, content_type="text/plain")
    foreign = case_attach(case=other, upload=upload, by=None)
    _message(case, "Se bilagan", "in", "email", attachment_ids=[foreign.pk])
    (entry,) = selectors.case_conversation(case=case)
    assert entry.attachments == ()


def test_the_answer_box_defaults_to_the_channel_the_resident_last_wrote_on(
    case, second_line, client_for
):
    _message(case, "Via mejl", "in", "email")
    _message(case, "Och sms", "in", "sms")
    page = client_for(second_line).get(f"/cases/{case.reference}/").content.decode()
    assert _selected_channel(page) == "sms"
    assert "Sent by SMS to +46701234567." in page
    _message(case, "Och mejl igen", "in", "email")
    page = client_for(second_line).get(f"/cases/{case.reference}/").content.decode()
    assert _selected_channel(page) == "email"
    assert "Sent by e-mail to karin@example.se." in page


def test_without_messages_the_answer_box_takes_the_chosen_feedback_channel(
    parking_type, resident, second_line, client_for
):
    case = CaseFactory(
        case_type=parking_type, resident=resident, by=second_line, feedback_channel="sms"
    )
    page = client_for(second_line).get(f"/cases/{case.reference}/").content.decode()
    assert _selected_channel(page) == "sms"
    assert "No messages to or from the resident yet." in page


def test_a_chat_is_answered_on_my_pages_only_for_a_resident_who_follows_it_there(
    parking_type, resident, second_line
):
    on_pages = CaseFactory(
        case_type=parking_type, resident=resident, by=second_line, feedback_channel="my_pages"
    )
    by_mail = CaseFactory(
        case_type=parking_type, resident=resident, by=second_line, feedback_channel="email"
    )
    for case in (on_pages, by_mail):
        _message(case, "Hej från chatten", "in", "chat")
    answer = selectors.case_answer_channel
    conversation = selectors.case_conversation
    assert answer(case=on_pages, conversation=conversation(case=on_pages)).channel == "web_form"
    by_mail_answer = answer(case=by_mail, conversation=conversation(case=by_mail))
    assert (by_mail_answer.channel, by_mail_answer.to) == ("email", "karin@example.se")
