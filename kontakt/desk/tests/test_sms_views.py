"""The agent's page of a text message that started a new contact."""

import pytest
from django.utils import timezone

from kontakt.cases.models import Contact, Notice
from kontakt.cases.tests.factories import CaseFactory
from kontakt.residents import sms
from kontakt.sms.models import InboundSms, InboundState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _memory_gateway(settings):
    settings.KONTAKT = {**settings.KONTAKT, "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "memory"}}
    sms.outbox.clear()


def _inbound(sender="+4791234567", text="Hei! Når tømmes søpla?", **fields) -> InboundSms:
    now = timezone.now()
    return InboundSms.objects.create(
        gateway_id=f"g-{InboundSms.objects.count()}",
        sender=sender,
        text=text,
        received_at=now,
        stored_at=now,
        state=InboundState.QUEUED,
        **fields,
    )


def test_the_page_shows_the_text_and_who_sent_it(agent, client_for, resident, parking_type):
    case = CaseFactory(case_type=parking_type, resident=resident, by=agent)
    inbound = _inbound(sender="+46701234567", text="Bilen <står> kvar", resident=resident)
    page = client_for(agent).get(f"/desk/sms/{inbound.pk}/").content.decode()
    assert "Bilen &lt;står&gt; kvar" in page
    assert resident.name in page and case.reference in page
    assert "Sent by SMS to +46701234567." in page


def test_an_unknown_number_is_said_so(agent, client_for):
    inbound = _inbound()
    page = client_for(agent).get(f"/desk/sms/{inbound.pk}/").content.decode()
    assert "No resident has the number +4791234567." in page


def test_answering_logs_the_contact_and_sends_the_answer(
    agent, client_for, django_capture_on_commit_callbacks
):
    inbound = _inbound()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent).post(
            f"/desk/sms/{inbound.pk}/",
            {"outcome": "closed", "priority": "2", "answer": "Tirsdag.", "summary": "Tømming"},
        )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.channel, contact.summary, contact.agent) == ("sms", "Tømming", agent)
    (message,) = sms.outbox
    assert (message.to, message.text) == ("+4791234567", "Tirsdag.")
    notice = Notice.objects.get()
    assert notice.contact == contact and notice.gateway_id == message.gateway_id
    page = client_for(agent).get(f"/desk/sms/{inbound.pk}/").content.decode()
    assert "This message has been logged as a contact." in page


def test_linking_to_an_open_case_puts_message_and_answer_on_it(
    agent, client_for, resident, parking_type, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, resident=resident, by=agent)
    inbound = _inbound(sender="+46701234567", text="Om bilen", resident=resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent).post(
            f"/desk/sms/{inbound.pk}/",
            {
                "outcome": "linked",
                "case_reference": case.reference,
                "priority": "2",
                "answer": "Vi tittar på det.",
            },
        )
    assert response.status_code == 302
    bodies = list(
        case.events.filter(kind__in=["message_in", "message_out"])
        .order_by("id")
        .values_list("kind", "body")
    )
    assert bodies == [("message_in", "Om bilen"), ("message_out", "Vi tittar på det.")]
    (message,) = sms.outbox
    assert message.text == f"{case.reference}: Vi tittar på det."


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "forwarded", "priority": "2"}, "case_type"),
        ({"outcome": "forwarded", "priority": "2", "case_type": "nonsense"}, "case_type"),
        ({"outcome": "linked", "priority": "2"}, "case"),
        ({"outcome": "nonsense", "priority": "2"}, "outcome"),
        ({"outcome": "closed", "priority": "2", "answer": "x" * 2000}, "answer"),
        ({"outcome": "closed", "priority": "2", "answer": "a\x00b"}, "answer"),
    ],
)
def test_bad_input_is_400_and_stores_nothing(agent, client_for, data, field):
    inbound = _inbound()
    response = client_for(agent).post(f"/desk/sms/{inbound.pk}/", data)
    assert response.status_code == 400
    assert 'class="ds-validation-message"' in response.content.decode() or (
        'role="alert"' in response.content.decode()
    )
    assert not Contact.objects.exists() and sms.outbox == []
    inbound.refresh_from_db()
    assert inbound.state == InboundState.QUEUED


def test_an_unknown_message_is_404(agent, client_for):
    assert client_for(agent).get("/desk/sms/999999/").status_code == 404
