"""Transfers only to people who are in, followed by the exchange's events; messages taken
through the intake, sent with a private link, answered by the person; escalation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kontakt.cases.models import Contact, Outcome
from kontakt.switchboard import services
from kontakt.switchboard.links import message_by_key, message_key
from kontakt.switchboard.models import Message, MessageState, Transfer, TransferState
from kontakt.switchboard.tasks import messages_escalate
from kontakt.telephony import services as telephony_services

from .conftest import exchange_event

pytestmark = pytest.mark.django_db


def test_a_transfer_is_a_command_for_the_exchange_until_it_starts(
    on_call, operator, people, exchange_client
) -> None:
    transfer = services.transfer_request(operator=operator, call=on_call, employee=people["anna"])
    assert transfer.state == TransferState.REQUESTED and transfer.target == "+46406281001"

    first = exchange_client.get("/api/v1/telephony/commands").json()
    assert first == {
        "commands": [
            {
                "id": f"transfer-{transfer.pk}",
                "type": "transfer",
                "call_id": "c1",  # as the exchange knows it
                "target": "+46406281001",
                "ring_seconds": 20,
            }
        ]
    }
    # Fetched: not handed out again at once, but again when the exchange did not act on it.
    assert exchange_client.get("/api/v1/telephony/commands").json() == {"commands": []}
    Transfer.objects.filter(pk=transfer.pk).update(
        fetched_at=timezone.now() - timedelta(seconds=11)
    )
    assert len(exchange_client.get("/api/v1/telephony/commands").json()["commands"]) == 1

    telephony_services.call_events_record(
        events=[exchange_event(on_call, "transfer_started", target="+46406281001")]
    )
    transfer.refresh_from_db()
    assert transfer.state == TransferState.RINGING
    Transfer.objects.filter(pk=transfer.pk).update(fetched_at=None)
    assert exchange_client.get("/api/v1/telephony/commands").json() == {"commands": []}


def test_commands_need_an_exchange(client, operator, agent) -> None:
    assert client.get("/api/v1/telephony/commands").status_code == 401
    client.force_login(agent)
    assert client.get("/api/v1/telephony/commands").status_code in (401, 403)


def test_nobody_is_put_through_to_someone_away_and_the_refusal_names_the_substitute(
    on_call, operator, people
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.transfer_request(operator=operator, call=on_call, employee=people["bjorn"])
    text = " ".join(refused.value.messages)
    assert "Bjørn Kristiansen is away until" in text and "Cecilia Holm" in text
    assert not Transfer.objects.exists()


def test_a_leaver_and_someone_without_a_number_are_refused(on_call, operator, people) -> None:
    anna = people["anna"]
    anna.direct_number = ""
    anna.save()
    with pytest.raises(ValidationError, match="no direct number"):
        services.transfer_request(operator=operator, call=on_call, employee=anna)
    cecilia = people["cecilia"]
    cecilia.active = False
    cecilia.save()
    with pytest.raises(ValidationError, match="no longer works here"):
        services.transfer_request(operator=operator, call=on_call, employee=cecilia)


def test_only_operators_put_calls_through(on_call, agent, people) -> None:
    with pytest.raises(PermissionDenied):
        services.transfer_request(operator=agent, call=on_call, employee=people["anna"])


def test_one_transfer_at_a_time(on_call, operator, people) -> None:
    services.transfer_request(operator=operator, call=on_call, employee=people["anna"])
    with pytest.raises(ValidationError, match="being put through"):
        services.transfer_request(operator=operator, call=on_call, employee=people["cecilia"])


def test_a_returned_transfer_pops_up_for_its_operator(
    on_call, operator, people, published, django_capture_on_commit_callbacks
) -> None:
    transfer = services.transfer_request(operator=operator, call=on_call, employee=people["anna"])
    with django_capture_on_commit_callbacks(execute=True):
        telephony_services.call_events_record(
            events=[
                exchange_event(on_call, "transfer_started", target="+46406281001", seconds_ago=20),
                exchange_event(
                    on_call, "transfer_returned", target="+46406281001", reason="no_answer"
                ),
            ]
        )
    transfer.refresh_from_db()
    assert transfer.state == TransferState.RETURNED and transfer.reason == "no_answer"
    pops = [m for topic, m in published if topic == f"user:{operator.pk}"]
    returned = [m for m in pops if m["type"] == "transfer_returned"]
    assert returned == [
        {
            "type": "transfer_returned",
            "call_id": on_call.call_id,
            "employee": {"id": people["anna"].pk, "name": "Anna Berg"},
            "reason": "no_answer",
            "url": f"{reverse('switchboard:console')}?call={on_call.call_id}",
        }
    ]
    # Back with the operator: another person may be tried.
    again = services.transfer_request(operator=operator, call=on_call, employee=people["cecilia"])
    assert again.state == TransferState.REQUESTED


def test_an_answered_transfer_is_logged_through_the_intake(on_call, operator, people) -> None:
    services.transfer_request(operator=operator, call=on_call, employee=people["anna"])
    telephony_services.call_events_record(
        events=[
            exchange_event(on_call, "transfer_started", target="+46406281001", seconds_ago=5),
            exchange_event(on_call, "transfer_answered", target="+46406281001"),
        ]
    )
    contact = Contact.objects.get()
    assert contact.outcome == Outcome.TRANSFERRED
    assert contact.agent == operator and contact.call_id == on_call.call_id
    assert "Anna Berg" in contact.summary
    # The answer repeated (a resent batch) logs nothing more.
    telephony_services.call_events_record(
        events=[exchange_event(on_call, "transfer_answered", target="+46406281001")]
    )
    assert Contact.objects.count() == 1


def test_a_message_is_logged_sent_and_answered_by_its_link(
    on_call, operator, people, client, django_capture_on_commit_callbacks
) -> None:
    draft = services.MessageDraft(
        employee=people["bjorn"],
        about="Undrar över sitt bygglov på Storgatan 3.",
        caller_name="Eva Lund",
        caller_number="+46701234567",
        call=on_call,
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_take(operator=operator, draft=draft)
    assert message.contact is not None and message.contact.outcome == Outcome.MESSAGE
    assert message.contact.call_id == on_call.call_id
    message.refresh_from_db()
    assert message.sent_by == "email" and message.delivery_error == ""
    (sent,) = mail.outbox
    assert sent.to == ["bjorn@kommun.example"]
    link = reverse("switchboard:message_open", args=[message_key(message)])
    assert link in sent.body and "Storgatan 3" in sent.body

    page = client.get(link)
    assert page.status_code == 200 and "Eva Lund" in page.content.decode()
    client.post(link, {"action": "done"})
    message.refresh_from_db()
    assert message.state == MessageState.DONE and message.done_at is not None


def test_a_forged_or_foreign_key_opens_nothing(client, on_call, operator, people) -> None:
    message = services.message_take(
        operator=operator,
        draft=services.MessageDraft(employee=people["anna"], about="Ring tillbaka."),
    )
    key = message_key(message)
    assert message_by_key(key) == message
    for bad in (f"{message.pk}.forged", f"{message.pk + 1}.{key.split('.')[1]}", "x", "\x00"):
        assert message_by_key(bad) is None
        assert client.get(f"/switchboard/m/{bad}/").status_code == 404


def test_a_message_not_mine_goes_back_to_the_operator(
    on_call, operator, people, published, django_capture_on_commit_callbacks
) -> None:
    message = services.message_take(
        operator=operator,
        draft=services.MessageDraft(employee=people["anna"], about="Om strandskydd."),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.message_not_mine(message=message, by=None, key=message_key(message))
    message.refresh_from_db()
    assert message.state == MessageState.NOT_MINE
    assert any(m["type"] == "message_not_mine" for _t, m in published)


def test_bad_messages_are_refused_whole(on_call, operator, people) -> None:
    for about, field in (("", "about"), ("a\x00b", "about"), ("x" * 4001, "about")):
        with pytest.raises(ValidationError) as refused:
            services.message_take(
                operator=operator,
                draft=services.MessageDraft(employee=people["anna"], about=about),
            )
        assert field in refused.value.message_dict
    assert not Message.objects.exists() and not Contact.objects.exists()


def test_an_unanswered_message_goes_to_the_units_contact_once(
    operator, people, django_capture_on_commit_callbacks
) -> None:
    message = services.message_take(
        operator=operator,
        draft=services.MessageDraft(employee=people["cecilia"], about="Rivningslov."),
    )
    Message.objects.filter(pk=message.pk).update(taken_at=timezone.now() - timedelta(hours=25))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_escalate() == 1
    assert messages_escalate() == 0
    message.refresh_from_db()
    assert message.escalated_to == people["anna"]
    (sent,) = mail.outbox
    assert sent.to == ["anna@kommun.example"] and "unit's contact" in sent.body


def test_the_person_sees_and_closes_their_messages(client, operator, people, handler) -> None:
    anna = people["anna"]
    anna.user = handler
    anna.save()
    message = services.message_take(
        operator=operator,
        draft=services.MessageDraft(employee=anna, about="Strandskydd vid sjön."),
    )
    client.force_login(handler)
    page = client.get(reverse("switchboard:my_messages"))
    assert "Strandskydd vid sjön." in page.content.decode()
    client.post(reverse("switchboard:message_answer", args=[message.pk]), {"action": "done"})
    message.refresh_from_db()
    assert message.state == MessageState.DONE
    # Somebody else's message is not theirs to answer.
    other = services.message_take(
        operator=operator,
        draft=services.MessageDraft(employee=people["cecilia"], about="Annat."),
    )
    answer = client.post(reverse("switchboard:message_answer", args=[other.pk]), {"action": "done"})
    assert answer.status_code == 404
    other.refresh_from_db()
    assert other.state == MessageState.OPEN


def test_the_exchange_tells_the_state_of_lines_and_transfers_go_by_it(
    on_call, operator, people, exchange_client
) -> None:
    now = timezone.now()
    post = lambda lines: exchange_client.post(  # noqa: E731
        "/api/v1/telephony/lines", {"lines": lines}, content_type="application/json"
    )
    answer = post(
        [
            {"number": "040-628 10 01", "state": "dnd", "at": now.isoformat()},
            {"number": "+46406289999", "state": "on_call", "at": now.isoformat()},
        ]
    )
    assert answer.status_code == 200 and answer.json() == {"changed": 1, "unknown": 1}
    anna = people["anna"]
    anna.refresh_from_db()
    assert anna.phone_state == "dnd"
    with pytest.raises(ValidationError, match="does not want to be disturbed"):
        services.transfer_request(operator=operator, call=on_call, employee=anna)
    # An older state arriving late changes nothing; a newer one does.
    earlier = (now - timedelta(minutes=1)).isoformat()
    assert post([{"number": "+46406281001", "state": "available", "at": earlier}]).json() == {
        "changed": 0,
        "unknown": 0,
    }
    later = (now + timedelta(seconds=1)).isoformat()
    post([{"number": "+46406281001", "state": "available", "at": later}])
    anna.refresh_from_db()
    assert services.transfer_request(operator=operator, call=on_call, employee=anna)
    nobody = post([{"number": "not a number", "state": "on_call", "at": later}])
    assert nobody.json() == {"changed": 0, "unknown": 1}
    assert post([{"number": "1", "state": "asleep", "at": later}]).status_code == 400
