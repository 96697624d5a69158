"""Web chat's services: start, routing to the right agent, messages in order and once,
leaving, ending through the intake, and when the widget offers the form instead."""

from datetime import datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext

from kontakt.cases.models import CaseEvent, CaseEventKind, Contact, Outcome
from kontakt.chat import selectors, services
from kontakt.chat.models import Chat, ChatState
from kontakt.directory.models import OpeningHours, Weekday
from kontakt.directory.selectors import opening_hours_changed
from kontakt.live import bus
from kontakt.residents.models import Resident, ResidentEmail
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import QueuedContact, WorkState

from .conftest import pushed, ready


def start(language: str = "nb", body: str = "Hei, når hentes søppelet?", **more) -> Chat:
    return services.chat_start(draft=services.ChatDraft(language=language, body=body, **more))


def test_a_norwegian_chat_goes_to_the_agent_with_norwegian_and_the_chat_skill(
    norwegian, swedish_only, no_skill, published, django_capture_on_commit_callbacks
):
    for agent in (swedish_only, no_skill, norwegian):
        ready(agent)
    with django_capture_on_commit_callbacks(execute=True):
        chat = start()
    chat.refresh_from_db()
    queued = chat.queued
    assert queued is not None
    assert (queued.channel, queued.reference, queued.language) == ("chat", f"chat:{chat.pk}", "nb")
    assert queued.state == WorkState.ASSIGNED
    assert queued.agent == norwegian
    assert queued.subject == "Hei, når hentes søppelet?"
    offers = pushed(published, bus.user_topic(norwegian.pk), "work_offer")
    assert [o["url"] for o in offers] == [queued.url]
    assert queued.url.endswith(f"/chat/agent/{chat.pk}/")
    for other in (swedish_only, no_skill):
        assert not pushed(published, bus.user_topic(other.pk), "work_offer")
    assert selectors.chats_of(norwegian) == [chat]
    assert selectors.chats_of(swedish_only) == []


def test_a_waiting_chat_has_its_place_and_the_routers_estimate(norwegian, swedish_only):
    for agent in (swedish_only, norwegian):
        ready(agent)
    chats = [start(body=f"spørsmål {n}") for n in range(5)]
    # The Norwegian agent takes three (the chat capacity); the Swedish one none of them.
    assert [selectors.chat_place(Chat.objects.get(pk=c.pk)) for c in chats[:3]] == [None] * 3
    fourth = selectors.chat_place(Chat.objects.get(pk=chats[3].pk))
    fifth = selectors.chat_place(Chat.objects.get(pk=chats[4].pk))
    assert fourth is not None and fifth is not None
    assert (fourth.position, fifth.position) == (1, 2)
    assert 0 < fourth.estimated_wait_seconds < fifth.estimated_wait_seconds


def test_capacity_three_chats_at_once_the_fourth_waits_until_one_ends(norwegian, parking_type):
    ready(norwegian)
    chats = [start(body=f"spørsmål {n}") for n in range(4)]
    states = [QueuedContact.objects.get(chat__pk=c.pk).state for c in chats]
    assert states == [WorkState.ASSIGNED] * 3 + [WorkState.WAITING]
    assert len(selectors.chats_of(norwegian)) == 3
    services.chat_end(
        chat=chats[0], by=norwegian, end=services.ChatEnd(outcome=Outcome.CLOSED, summary="svar")
    )
    assert QueuedContact.objects.get(chat__pk=chats[3].pk).agent == norwegian
    assert [c.pk for c in selectors.chats_of(norwegian)] == [c.pk for c in chats[1:]]


def test_messages_are_numbered_in_order_and_a_retried_send_is_stored_once(
    norwegian, published, django_capture_on_commit_callbacks
):
    ready(norwegian)
    chat = start(client_id="first")
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_answer(chat=chat, by=norwegian)
        reply, created = services.chat_send(chat=chat, body="Hei! ", client_id="a1", by=norwegian)
        again, created_again = services.chat_send(
            chat=chat, body="Hei! ", client_id="a1", by=norwegian
        )
        services.chat_send(chat=chat, body="Takk\x00 for svaret", client_id="r2")
    assert created and not created_again and again.pk == reply.pk
    rows = list(chat.messages.values_list("seq", "sender", "body"))
    assert rows == [
        (1, "resident", "Hei, når hentes søppelet?"),
        # Said in the language of the chat.
        (2, "system", "Nora har blitt med i chatten."),
        (3, "agent", "Hei!"),
        (4, "resident", "Takk for svaret"),
    ]
    to_resident = pushed(published, f"chat:{chat.pk}", "chat_message")
    to_agent = pushed(published, bus.user_topic(norwegian.pk), "chat_message")
    assert [m["seq"] for m in to_resident] == [2, 3, 4]
    assert [m["seq"] for m in to_agent] == [2, 3, 4]
    assert pushed(published, f"chat:{chat.pk}", "chat_state")[0]["state"] == "active"


def test_bad_messages_are_refused_with_their_field(norwegian, settings):
    ready(norwegian)
    chat = start()
    for body, field in [("", "body"), (" \x00 ", "body"), ("x" * 2001, "body")]:
        with pytest.raises(ValidationError) as refused:
            services.chat_send(chat=chat, body=body)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.chat_send(chat=chat, body="ok", client_id="not an id!")
    assert "client_id" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        start(language="de", body="", email="nope")
    assert set(refused.value.message_dict) == {"language", "body", "email"}
    assert chat.messages.count() == 1


def test_only_the_agent_who_has_the_chat_writes_in_it_and_ends_it(norwegian, swedish_only):
    ready(norwegian)
    chat = start()
    with pytest.raises(PermissionDenied):
        services.chat_send(chat=chat, body="Hei", by=swedish_only)
    with pytest.raises(PermissionDenied):
        services.chat_end(chat=chat, by=swedish_only, end=services.ChatEnd(outcome=Outcome.CLOSED))


def test_ending_logs_the_contact_through_the_intake_with_the_transcript(
    norwegian, parking_type, published, django_capture_on_commit_callbacks
):
    ready(norwegian)
    chat = start(name="Kari Nordmann", email="Kari@Example.no")
    services.chat_answer(chat=chat, by=norwegian)
    services.chat_send(chat=chat, body="Det blir tirsdag.", by=norwegian)
    with django_capture_on_commit_callbacks(execute=True):
        contact = services.chat_end(
            chat=chat,
            by=norwegian,
            end=services.ChatEnd(
                outcome=Outcome.FORWARDED, case_type=parking_type, summary="Søppeltømming"
            ),
        )
    chat.refresh_from_db()
    assert chat.state == ChatState.ENDED and chat.contact == contact
    assert (contact.channel, contact.agent, contact.summary) == ("chat", norwegian, "Søppeltømming")
    assert contact.started_at == chat.answered_at and contact.ended_at == chat.ended_at
    # The resident is found or registered by the e-mail address given.
    resident = Resident.objects.get(emails__address="kari@example.no")
    assert contact.resident == resident and resident.name == "Kari Nordmann"
    # The router's work is done: the agent's capacity is free again.
    assert chat.queued.state == WorkState.DONE
    entry = CaseEvent.objects.get(case=contact.case, kind=CaseEventKind.MESSAGE_IN)
    assert entry.channel == "chat" and entry.data["chat_id"] == chat.pk
    assert "Kari Nordmann: Hei, når hentes søppelet?" in entry.body
    assert "Det blir tirsdag." in entry.body
    with translation.override("nb"):
        assert entry.body.splitlines()[-1].endswith(gettext("The chat has ended."))
    assert services.transcript(chat) == entry.body
    ended = pushed(published, f"chat:{chat.pk}", "chat_state")
    assert ended[-1]["state"] == "ended"
    with pytest.raises(ValidationError):
        services.chat_end(chat=chat, by=norwegian, end=services.ChatEnd(outcome=Outcome.CLOSED))
    assert Contact.objects.count() == 1


def test_a_known_resident_is_the_contacts(norwegian):
    ready(norwegian)
    known = Resident.objects.create(name="Ola Nordmann")
    ResidentEmail.objects.create(resident=known, address="ola@example.no")
    chat = start(email="ola@example.no")
    [held] = selectors.chats_of(norwegian)
    assert held.resident == known
    contact = services.chat_end(
        chat=chat, by=norwegian, end=services.ChatEnd(outcome=Outcome.CLOSED, resident=known)
    )
    assert contact.resident == known and contact.case is None
    assert Resident.objects.count() == 1


def test_a_resident_who_leaves_the_queue_withdraws_the_chat(
    swedish_only, published, django_capture_on_commit_callbacks
):
    ready(swedish_only)
    chat = start(language="nb")  # nobody with Norwegian: it waits
    assert chat.queued.state == WorkState.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        chat = services.chat_leave(chat=chat)
    assert chat.state == ChatState.ABANDONED and chat.ended_at is not None
    assert QueuedContact.objects.get(pk=chat.queued.pk).state == WorkState.WITHDRAWN
    assert pushed(published, f"chat:{chat.pk}", "chat_state")[-1]["state"] == "abandoned"
    with pytest.raises(ValidationError):
        services.chat_send(chat=chat, body="hallo?")


def test_a_resident_who_leaves_an_answered_chat_leaves_it_to_the_agent_to_log(norwegian):
    ready(norwegian)
    chat = start()
    services.chat_answer(chat=chat, by=norwegian)
    chat = services.chat_leave(chat=chat)
    assert chat.state == ChatState.ACTIVE and chat.resident_left_at is not None
    assert chat.messages.last().sender == "system"
    with pytest.raises(ValidationError):
        services.chat_send(chat=chat, body="hallo?")
    services.chat_send(chat=chat, body="Ha det", by=norwegian)
    contact = services.chat_end(chat=chat, by=norwegian, end=services.ChatEnd(outcome="closed"))
    assert contact.channel == "chat"


def test_closed_center_offers_the_web_form(norwegian):
    ready(norwegian)
    OpeningHours.objects.all().delete()
    for day in (Weekday.MONDAY, Weekday.TUESDAY):
        OpeningHours.objects.create(weekday=day, opens=time(8), closes=time(16))
    opening_hours_changed()
    sunday = datetime.fromisoformat("2026-12-06T12:00:00+01:00")
    availability = selectors.chat_availability(now=sunday)
    assert (availability.may_start, availability.reason) == (False, "closed")
    with pytest.raises(services.ChatUnavailable):
        services.chat_start(draft=services.ChatDraft(language="sv", body="Hej"), now=sunday)
    monday = datetime.fromisoformat("2026-12-07T10:00:00+01:00")
    assert selectors.chat_availability(now=monday).may_start
    assert Chat.objects.count() == 0


def test_a_long_wait_or_nobody_working_offers_the_web_form(norwegian, settings):
    assert selectors.chat_availability().reason == "unstaffed"  # nobody is logged in
    ready(norwegian)
    assert selectors.chat_availability().may_start
    for n in range(3):
        start(body=f"{n}")
    # The agent is full: the next waits about a handle time (180 s by default).
    wait = selectors.chat_availability().estimated_wait_seconds
    assert wait is not None and wait > 0
    settings.KONTAKT["CHAT"]["MAX_WAIT_SECONDS"] = int(wait) - 1
    availability = selectors.chat_availability()
    assert (availability.may_start, availability.reason) == (False, "wait")
    settings.KONTAKT["CHAT"]["ENABLED"] = False
    assert selectors.chat_availability().reason == "disabled"


def test_crisis_mode_brings_the_crisis_message(
    norwegian, supervisor, django_capture_on_commit_callbacks
):
    ready(norwegian)
    with django_capture_on_commit_callbacks(execute=True):
        telephony_services.crisis_switch_on(
            message="Vattenläcka i centrum: vi svarar bara om akuta ärenden.",
            article=None,
            by=supervisor,
        )
    availability = selectors.chat_availability()
    assert availability.crisis_message.startswith("Vattenläcka")
    with django_capture_on_commit_callbacks(execute=True):
        telephony_services.crisis_switch_off(by=supervisor)
    assert selectors.chat_availability().crisis_message == ""


def test_a_message_racing_with_itself_is_stored_once(norwegian):
    ready(norwegian)
    chat = start()
    first, created = services.chat_send(chat=chat, body="Ett", client_id="same")
    second, created_again = services.chat_send(chat=chat, body="Ett", client_id="same")
    assert created and not created_again and first.pk == second.pk
    assert chat.messages.filter(client_id="same").count() == 1
