"""Text messages threaded into cases or queued, answered through the intake, and the
gateway's receipts shown on the case message: through the webhooks and a real gateway."""

import pytest
from django.core.exceptions import ValidationError

from kontakt.cases import services as case_services
from kontakt.cases.models import CaseEvent, CaseEventKind, Contact, Notice
from kontakt.cases.tests.factories import CaseFactory
from kontakt.core.case_status import CaseStatus
from kontakt.residents.models import Resident
from kontakt.sms import services
from kontakt.sms.models import InboundSms, InboundState
from kontakt.telephony.models import QueuedContact

pytestmark = pytest.mark.django_db

INBOUND = "/sms/inbound/"
RECEIPTS = "/sms/receipts/"


def _text(sender: str, text: str, gateway_id: str = "in-1") -> dict[str, str]:
    return {"from": sender, "to": "72000", "text": text, "id": gateway_id}


def _messages_in(case) -> list[CaseEvent]:
    return list(case.events.filter(kind=CaseEventKind.MESSAGE_IN).order_by("id"))


def test_a_message_from_a_resident_with_one_open_case_goes_on_it(
    post_signed, group, texter, parking_type, second_line
):
    case = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    # Written the way a phone shows it: the intake's number normalising finds her.
    response = post_signed(INBOUND, _text("0701234567", "Bilen står kvar."))
    assert response.status_code == 201
    (event,) = _messages_in(case)
    stored = InboundSms.objects.get()
    assert (event.channel, event.body, event.by) == ("sms", "Bilen står kvar.", None)
    assert event.data == {"sms_id": stored.pk, "from": "+46701234567"}
    assert (stored.state, stored.case, stored.resident) == ("on_case", case, texter)
    assert not QueuedContact.objects.exists()


def test_a_message_on_a_waiting_case_reopens_it(
    post_signed, group, texter, parking_type, second_line
):
    case = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    case_services.case_take(case=case, by=second_line)
    case.refresh_from_db()
    case_services.case_change_status(case=case, to_status=CaseStatus.WAITING, by=second_line)
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING
    post_signed(INBOUND, _text("+46701234567", "Här är intyget."))
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert [e.body for e in _messages_in(case)] == ["Här är intyget."]


def test_with_several_open_cases_the_reference_in_the_text_chooses(
    post_signed, group, texter, parking_type, second_line
):
    first = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    second = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    post_signed(INBOUND, _text("+46701234567", f"Angående {first.reference.lower()}: klart"))
    assert len(_messages_in(first)) == 1 and _messages_in(second) == []


def test_with_several_open_cases_and_no_reference_it_is_queued_for_an_agent(
    post_signed, group, texter, parking_type, second_line
):
    CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    post_signed(INBOUND, _text("+46701234567", "Hej igen"))
    stored = InboundSms.objects.get()
    assert stored.state == InboundState.QUEUED and stored.case is None
    assert stored.queued.subject == "SMS from Karin Lindqvist"


def test_another_residents_reference_does_not_thread_across_residents(
    post_signed, group, texter, parking_type, second_line
):
    other = CaseFactory(
        case_type=parking_type,
        resident=Resident.objects.create(name="Annan"),
        by=second_line,
    )
    post_signed(INBOUND, _text("+46701234567", f"Om {other.reference}"))
    assert _messages_in(other) == []
    assert InboundSms.objects.get().state == InboundState.QUEUED


def test_an_unknown_number_is_queued_as_a_new_contact_on_the_written_channel(post_signed, group):
    post_signed(INBOUND, _text("+4791234567", "Hei, når tømmes søpla?"))
    stored = InboundSms.objects.get()
    queued = stored.queued
    assert (queued.channel, queued.reference, queued.answer_group) == (
        "email",
        f"sms:{stored.pk}",
        group,
    )
    assert queued.caller == "+4791234567" and queued.subject == "SMS from +4791234567"
    assert queued.url.endswith(f"/desk/sms/{stored.pk}/")
    assert stored.resident is None and stored.state == InboundState.QUEUED


def test_without_an_answer_group_the_message_is_kept_unrouted(webhook_secret):
    stored, new = services.sms_receive(
        draft=services.InboundDraft(gateway_id="g", sender="+4791234567", text="Hei")
    )
    assert new and stored.state == InboundState.UNROUTED


def test_the_same_gateway_id_twice_threads_once(
    post_signed, group, texter, parking_type, second_line
):
    case = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    post_signed(INBOUND, _text("+46701234567", "En gång"))
    post_signed(INBOUND, _text("+46701234567", "En gång"))
    assert len(_messages_in(case)) == 1 and InboundSms.objects.count() == 1


def test_a_check_refuses_a_message_without_id_or_sender(webhook_secret):
    with pytest.raises(ValidationError) as refused:
        services.sms_receive(draft=services.InboundDraft(gateway_id=" ", sender="", text="x"))
    assert set(refused.value.message_dict) == {"id", "from"}


# Out by the gateway, and its receipts ------------------------------------------------------


def _message_out(case, by, capture) -> CaseEvent:
    with capture(execute=True):
        event = case_services.case_add_message(
            case=case, body="Vi har flyttat bilen. " * 8, direction="out", channel="sms", by=by
        )
    event.refresh_from_db()
    return event


def test_a_case_message_by_sms_reaches_the_gateway_with_its_id_and_parts(
    gateway, texter, parking_type, second_line, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    event = _message_out(case, second_line, django_capture_on_commit_callbacks)
    sent = [r for r in gateway.received if b"Vi har flyttat" in r.body]
    assert len(sent) == 1
    notice = Notice.objects.get(key=f"message:{event.pk}")
    assert notice.gateway_id.startswith("gw-") and notice.parts == 2
    assert (event.delivery, event.data["parts"], event.data["to"]) == ("sent", 2, "+46701234567")


def test_a_delivered_receipt_is_shown_on_the_case_message(
    gateway, post_signed, texter, parking_type, second_line, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    event = _message_out(case, second_line, django_capture_on_commit_callbacks)
    notice = Notice.objects.get(key=f"message:{event.pk}")
    receipt = {"id": notice.gateway_id, "status": "delivered", "at": "2026-12-07T10:00:00+01:00"}
    assert post_signed(RECEIPTS, receipt).json() == {"recorded": True}
    assert post_signed(RECEIPTS, receipt).json() == {"recorded": True}  # the same again
    event.refresh_from_db()
    notice.refresh_from_db()
    assert event.delivery == "delivered" and event.data["parts"] == 2
    assert notice.delivered_at.isoformat() == "2026-12-07T09:00:00+00:00"
    # The case page says so.
    from django.test import Client

    client = Client()
    client.force_login(second_line)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "delivered" in page


def test_a_failed_receipt_shows_the_reason(
    gateway, post_signed, texter, parking_type, second_line, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    event = _message_out(case, second_line, django_capture_on_commit_callbacks)
    notice = Notice.objects.get(key=f"message:{event.pk}")
    post_signed(RECEIPTS, {"id": notice.gateway_id, "status": "EXPIRED", "error": "Phone off"})
    event.refresh_from_db()
    notice.refresh_from_db()
    assert event.delivery == "failed" and "Phone off" in event.data["reason"]
    assert notice.state == "failed"
    # A late "delivered" after all.
    post_signed(RECEIPTS, {"id": notice.gateway_id, "status": "delivered"})
    event.refresh_from_db()
    assert event.delivery == "delivered"


def test_an_interim_status_changes_nothing(
    gateway, post_signed, texter, parking_type, second_line, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    event = _message_out(case, second_line, django_capture_on_commit_callbacks)
    notice = Notice.objects.get(key=f"message:{event.pk}")
    assert post_signed(RECEIPTS, {"id": notice.gateway_id, "status": "buffered"}).json() == {
        "recorded": False
    }
    event.refresh_from_db()
    assert event.delivery == "sent"


def test_a_receipt_notice_by_sms_reaches_the_gateway(
    gateway, texter, parking_type, second_line, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = CaseFactory(
            case_type=parking_type, resident=texter, by=second_line, feedback_channel="sms"
        )
    (notice,) = Notice.objects.filter(case=case, key="receipt")
    assert notice.channel == "sms" and notice.state == "sent" and notice.gateway_id
    assert any(case.reference.encode() in r.body for r in gateway.received)


# The agent's answer ------------------------------------------------------------------------


def _queued(post_signed, sender: str = "+4791234567", text: str = "Hei") -> InboundSms:
    post_signed(INBOUND, _text(sender, text))
    return InboundSms.objects.get()


def test_answered_at_first_contact_the_answer_is_a_notice_of_the_contact(
    gateway, post_signed, group, agent, django_capture_on_commit_callbacks
):
    inbound = _queued(post_signed)
    with django_capture_on_commit_callbacks(execute=True):
        contact = services.sms_answer(
            inbound=inbound,
            answer=services.SmsAnswer(
                contact=case_services.ContactDraft(channel="sms", outcome="closed"),
                answer="Søpla tømmes tirsdag.",
            ),
            by=agent,
        )
    notice = Notice.objects.get(contact=contact)
    assert (notice.case, notice.channel, notice.to, notice.state) == (
        None,
        "sms",
        "+4791234567",
        "sent",
    )
    assert (contact.channel, contact.agent) == ("sms", agent)
    inbound.refresh_from_db()
    assert inbound.state == InboundState.LOGGED and inbound.contact == contact
    assert inbound.queued.state == "done"
    # Logged once: again is refused.
    with pytest.raises(ValidationError):
        services.sms_answer(
            inbound=inbound,
            answer=services.SmsAnswer(
                contact=case_services.ContactDraft(channel="sms", outcome="closed")
            ),
            by=agent,
        )
    assert Contact.objects.count() == 1


def test_forwarded_the_message_and_the_answer_are_on_the_new_case(
    gateway, post_signed, group, agent, parking_type, django_capture_on_commit_callbacks
):
    inbound = _queued(post_signed, text="Bilen är felparkerad")
    with django_capture_on_commit_callbacks(execute=True):
        contact = services.sms_answer(
            inbound=inbound,
            answer=services.SmsAnswer(
                contact=case_services.ContactDraft(
                    channel="sms", outcome="forwarded", case_type=parking_type
                ),
                answer="Vi skickar någon.",
                name="Ola Nordmann",
            ),
            by=agent,
        )
    case = contact.case
    assert case.resident.name == "Ola Nordmann"
    assert list(case.resident.phones.values_list("number", flat=True)) == ["+4791234567"]
    kinds = list(
        case.events.filter(kind__in=["message_in", "message_out"])
        .order_by("id")
        .values_list("kind", "channel", "body")
    )
    assert kinds == [
        ("message_in", "sms", "Bilen är felparkerad"),
        ("message_out", "sms", "Vi skickar någon."),
    ]
    assert Notice.objects.get(key__startswith="message:").state == "sent"


def test_a_refused_contact_stores_nothing(gateway, post_signed, group, agent):
    inbound = _queued(post_signed)
    with pytest.raises(ValidationError) as refused:
        services.sms_answer(
            inbound=inbound,
            answer=services.SmsAnswer(
                contact=case_services.ContactDraft(channel="sms", outcome="forwarded"),
                answer="Svar",
                name="Ola",
            ),
            by=agent,
        )
    assert "case_type" in refused.value.message_dict
    assert not Contact.objects.exists() and not Notice.objects.exists()
    assert not Resident.objects.filter(name="Ola").exists()
    inbound.refresh_from_db()
    assert inbound.state == InboundState.QUEUED
