"""The one way in: who may log, residents found or made, all of it or nothing, and the
call the contact came from."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from kontakt.accounts.models import User
from kontakt.cases.models import Case, CaseEvent, CaseType, Contact
from kontakt.cases.services import ContactDraft, case_forward
from kontakt.cases.tests.factories import CaseFactory
from kontakt.directory.models import AnswerGroup, Department
from kontakt.intake import services
from kontakt.intake.services import Arrival, Source, contact_intake
from kontakt.knowledge.models import ArticleUse, SearchGap
from kontakt.knowledge.tests.factories import make_article
from kontakt.residents.models import Resident
from kontakt.residents.services import ResidentDraft
from kontakt.telephony.models import Call, QueuedContact, WorkState
from kontakt.tests.clock import MONDAY_0900

pytestmark = pytest.mark.django_db


def stored() -> tuple[int, int, int, int]:
    return (
        Contact.objects.count(),
        Case.objects.count(),
        Resident.objects.count(),
        ArticleUse.objects.count(),
    )


def test_someone_who_may_not_log_contacts_is_refused_and_nothing_is_stored(
    handler: User, parking_type: CaseType
) -> None:
    draft = ContactDraft(channel="phone", outcome="forwarded", case_type=parking_type)
    details = ResidentDraft(name="Nils Ek", emails=["nils@example.se"])
    with pytest.raises(PermissionDenied):
        contact_intake(arrival=Arrival(contact=draft, resident_details=details), by=handler)
    assert stored() == (0, 0, 0, 0)


def test_a_contact_nobody_took_is_never_closed_at_first_contact(parking_type: CaseType) -> None:
    draft = ContactDraft(channel="web_form", outcome="closed", case_type=parking_type)
    with pytest.raises(ValidationError) as error:
        contact_intake(arrival=Arrival(contact=draft), by=None)
    assert "outcome" in error.value.message_dict
    assert stored() == (0, 0, 0, 0)


def test_a_resident_is_made_once_and_found_again_by_e_mail_phone_or_identity_number(
    parking_type: CaseType,
) -> None:
    def arrive(details: ResidentDraft) -> Contact:
        draft = ContactDraft(
            channel="web_form", outcome="forwarded", case_type=parking_type, summary="Skylt"
        )
        return contact_intake(
            arrival=Arrival(contact=draft, resident_details=details), by=None, now=MONDAY_0900
        )

    first = arrive(
        ResidentDraft(name="Nils Ek", emails=["Nils@Example.se"], phones=["070-111 22 33"])
    )
    assert first.resident is not None and first.agent is None
    by_email = arrive(ResidentDraft(name="N. Ek", emails=["nils@example.se"]))
    by_phone = arrive(ResidentDraft(name="Nisse", phones=["+46701112233"]))
    assert first.resident == by_email.resident == by_phone.resident
    assert Resident.objects.count() == 1
    assert Case.objects.filter(resident=first.resident).count() == 3


def test_the_identity_number_finds_the_resident_before_an_address(
    agent: User, parking_type: CaseType, resident: Resident
) -> None:
    draft = ContactDraft(channel="phone", outcome="forwarded", case_type=parking_type)
    details = ResidentDraft(name="K. Lindqvist", identity_number="19121212-1212")
    contact = contact_intake(arrival=Arrival(contact=draft, resident_details=details), by=agent)
    assert contact.resident == resident
    assert Resident.objects.count() == 1


def test_invalid_details_of_a_new_resident_store_nothing(
    agent: User, parking_type: CaseType
) -> None:
    draft = ContactDraft(channel="phone", outcome="forwarded", case_type=parking_type)
    details = ResidentDraft(name="", emails=["not an address"])
    with pytest.raises(ValidationError):
        contact_intake(arrival=Arrival(contact=draft, resident_details=details), by=agent)
    assert stored() == (0, 0, 0, 0)


def test_one_failing_part_leaves_nothing_behind(
    agent: User, parking_type: CaseType, department_a: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = make_article("Parkeringstillstånd", department=department_a)

    def broken(**kwargs: object) -> None:
        raise RuntimeError("the knowledge base is down")

    monkeypatch.setattr(services.knowledge_services, "contact_articles_record", broken)
    draft = ContactDraft(channel="phone", outcome="forwarded", case_type=parking_type)
    details = ResidentDraft(name="Nils Ek", emails=["nils@example.se"])
    with pytest.raises(RuntimeError):
        contact_intake(
            arrival=Arrival(contact=draft, resident_details=details, articles=[article]), by=agent
        )
    assert stored() == (0, 0, 0, 0)
    assert CaseEvent.objects.count() == 0


def test_articles_and_the_unanswered_search_are_recorded_with_the_contact(
    agent: User, parking_type: CaseType, department_a: Department
) -> None:
    article = make_article("Parkeringstillstånd", department=department_a)
    draft = ContactDraft(channel="phone", outcome="closed", case_type=parking_type)
    contact = contact_intake(
        arrival=Arrival(contact=draft, articles=[article, article], unanswered_search="p-skiva"),
        by=agent,
    )
    assert list(ArticleUse.objects.values_list("contact", "article")) == [(contact.pk, article.pk)]
    assert SearchGap.objects.get().case_type == parking_type


def test_forwarding_on_creation_writes_the_timeline_case_forward_writes(
    agent: User, parking_type: CaseType, department_a: Department
) -> None:
    draft = ContactDraft(channel="phone", outcome="forwarded", case_type=parking_type)
    created = contact_intake(arrival=Arrival(contact=draft), by=agent, now=MONDAY_0900).case
    assert created is not None
    later = CaseFactory.create(case_type=parking_type, department=department_a)
    case_forward(case=later, department=department_a, by=agent, now=MONDAY_0900)

    def timeline(case: Case) -> list[tuple[str, str, str]]:
        rows = case.events.exclude(kind="created").order_by("id")
        return [(e.kind, e.from_status, e.to_status) for e in rows]

    assert (
        timeline(created)
        == timeline(later)
        == [
            ("status", "new", "forwarded"),
            ("forwarded", "", ""),
        ]
    )


def _answered_call(agent: User) -> Call:
    answered = MONDAY_0900 - timedelta(minutes=3)
    return Call.objects.create(
        call_id="c1",
        caller="+46701234567",
        state="ended",
        started_at=answered - timedelta(seconds=40),
        queued_at=answered - timedelta(seconds=30),
        answered_at=answered,
        ended_at=MONDAY_0900 - timedelta(minutes=1),
        last_event_at=MONDAY_0900 - timedelta(minutes=1),
        agent=agent,
    )


def test_a_phone_contact_starts_when_its_call_was_answered_and_names_the_call(
    agent: User, parking_type: CaseType
) -> None:
    call = _answered_call(agent)
    draft = ContactDraft(channel="phone", outcome="closed", case_type=parking_type)
    contact = contact_intake(
        arrival=Arrival(contact=draft, source=Source(call=call)), by=agent, now=MONDAY_0900
    )
    assert (contact.call_id, contact.started_at) == ("c1", call.answered_at)


def test_the_callback_of_the_call_is_done_in_the_same_transaction(
    agent: User, parking_type: CaseType
) -> None:
    call = _answered_call(agent)
    queued = QueuedContact.objects.create(
        channel="call",
        reference="c1",
        state=WorkState.ASSIGNED,
        agent=agent,
        answer_group=AnswerGroup.objects.create(code="allmant", name="Allmänt"),
        queued_at=MONDAY_0900 - timedelta(minutes=10),
    )
    bad = ContactDraft(channel="fax", outcome="closed")
    with pytest.raises(ValidationError):
        contact_intake(arrival=Arrival(contact=bad, source=Source(call=call)), by=agent)
    queued.refresh_from_db()
    assert queued.state == WorkState.ASSIGNED  # nothing logged, the callback still open

    good = ContactDraft(channel="phone", outcome="closed", case_type=parking_type)
    contact_intake(arrival=Arrival(contact=good, source=Source(call=call)), by=agent)
    queued.refresh_from_db()
    assert queued.state == WorkState.DONE


def test_the_api_takes_the_call_and_finishes_its_callback(
    agent: User, api_client: Client, parking_type: CaseType
) -> None:
    _answered_call(agent)
    QueuedContact.objects.create(
        channel="call",
        reference="c1",
        state=WorkState.ASSIGNED,
        agent=agent,
        answer_group=AnswerGroup.objects.create(code="allmant", name="Allmänt"),
        queued_at=MONDAY_0900 - timedelta(minutes=10),
    )
    answer = api_client.post(
        "/api/v1/contacts",
        {"channel": "phone", "outcome": "closed", "call_id": "c1"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["call_id"] == "c1"
    assert QueuedContact.objects.get().state == WorkState.DONE


def test_the_api_refuses_an_unknown_call(
    api_client: Client, client_for: Callable[[User | None], Client]
) -> None:
    answer = api_client.post(
        "/api/v1/contacts",
        {"channel": "phone", "outcome": "closed", "call_id": "nope"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "call_id" in answer.json()["errors"]
    assert Contact.objects.count() == 0


def _chat_held_by(agent: User, reference: str = "k1") -> QueuedContact:
    return QueuedContact.objects.create(
        channel="chat",
        reference=reference,
        state=WorkState.ASSIGNED,
        agent=agent,
        answer_group=AnswerGroup.objects.get_or_create(code="allmant", name="Allmänt")[0],
        queued_at=MONDAY_0900 - timedelta(minutes=5),
    )


def test_the_api_finishes_the_chat_the_contact_answered(agent: User, api_client: Client) -> None:
    chat = _chat_held_by(agent)
    answer = api_client.post(
        "/api/v1/contacts",
        {"channel": "chat", "outcome": "closed", "work_reference": "k1"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.json()
    chat.refresh_from_db()
    assert chat.state == WorkState.DONE


@pytest.mark.parametrize(
    ("held_by_someone_else", "channel", "reference"),
    [(False, "chat", "nope"), (True, "chat", "k1"), (False, "email", "k1"), (False, "phone", "k1")],
)
def test_the_api_refuses_work_the_agent_does_not_hold(
    agent: User,
    second_line: User,
    api_client: Client,
    held_by_someone_else: bool,
    channel: str,
    reference: str,
) -> None:
    chat = _chat_held_by(second_line if held_by_someone_else else agent)
    answer = api_client.post(
        "/api/v1/contacts",
        {"channel": channel, "outcome": "closed", "work_reference": reference},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "work_reference" in answer.json()["errors"]
    assert Contact.objects.count() == 0
    chat.refresh_from_db()
    assert chat.state == WorkState.ASSIGNED
