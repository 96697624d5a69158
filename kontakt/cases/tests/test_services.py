"""Writes of contacts and cases: outcomes, the status machine, the SLA clock, references,
assignment and attachments."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from holidays import country_holidays

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.cases.models import Attachment, Case, CaseEvent, Contact
from kontakt.cases.services import (
    CaseDraft,
    ContactDraft,
    case_add_message,
    case_add_note,
    case_assign,
    case_attach,
    case_change_status,
    case_create,
    case_forward,
    case_take,
    cases_of_absent_handlers_reassign,
    handler_absence_set,
)
from kontakt.cases.tasks import notices_retry_due
from kontakt.cases.tests import samples
from kontakt.cases.tests.factories import CaseFactory, CaseTypeFactory
from kontakt.residents import sms
from kontakt.tests.clock import MONDAY_0900, STOCKHOLM, at
from kontakt.tests.intake import contact_log

pytestmark = pytest.mark.django_db


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("at", "id").values_list("kind", flat=True))


def forwarded_case(by, case_type, now=MONDAY_0900, **fields):
    draft = ContactDraft(channel="phone", outcome="forwarded", case_type=case_type, **fields)
    return contact_log(draft=draft, by=by, now=now).case


def stored_state(case: Case) -> tuple[object, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.due_at, fresh.sla_remaining, fresh.closed_at, fresh.handler_id)


# Contacts ------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["closed", "closed_order"])
def test_a_contact_closed_at_first_contact_opens_no_case(agent, parking_type, resident, outcome):
    draft = ContactDraft(
        channel="phone",
        outcome=outcome,
        case_type=parking_type,
        resident=resident,
        summary=" Svar gavs ",
    )
    contact = contact_log(draft=draft, by=agent, now=MONDAY_0900)

    assert contact.case is None
    assert Case.objects.count() == 0
    stored = Contact.objects.get()
    assert (stored.outcome, stored.agent, stored.resident, stored.case_type) == (
        outcome,
        agent,
        resident,
        parking_type,
    )
    assert stored.summary == "Svar gavs"
    assert stored.started_at == stored.ended_at == MONDAY_0900


def test_forwarding_opens_a_case_due_in_business_hours(agent, parking_type, resident, department_a):
    contact = contact_log(
        draft=ContactDraft(
            channel="phone",
            outcome="forwarded",
            case_type=parking_type,
            resident=resident,
            summary="Vill förnya sitt parkeringstillstånd\nBor på Storgatan",
        ),
        by=agent,
        now=MONDAY_0900,
    )

    case = contact.case
    assert re.fullmatch(r"KC-2026-\d{6}", case.reference)
    assert case.reference == "KC-2026-000001"
    assert case.status == "forwarded"
    assert case.department == department_a
    # 16 business hours from Monday 09:00: 7 h Monday, 8 h Tuesday, 1 h Wednesday.
    assert case.due_at == at(4, 9)
    assert case.subject == "Vill förnya sitt parkeringstillstånd"
    assert case.resident == resident
    assert case.feedback_channel == resident.preferred_channel
    assert case.created_by == agent
    assert kinds(case) == ["created", "status", "forwarded"]
    assert Contact.objects.get().case == case


def test_forwarding_to_another_department_than_the_case_types(agent, parking_type, department_b):
    case = forwarded_case(
        agent, parking_type, department=department_b, subject="Skicka till social"
    )
    assert case.department == department_b
    assert case.subject == "Skicka till social"
    forwarded = case.events.get(kind="forwarded")
    assert forwarded.data["department_id"] == department_b.pk


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2, 9), 16, at(4, 9)),  # Monday morning, two working days
        (at(2, 7), 8, at(2, 16)),  # before opening: the clock starts at 08:00
        (at(6, 15), 8, at(9, 15)),  # Friday 15:00: one hour Friday, seven on Monday
        (at(7, 12), 8, at(9, 16)),  # Saturday: nothing counts until Monday
        (at(2, 16), 1, at(3, 9)),  # at closing time: due an hour after next opening
    ],
)
def test_due_time_counts_opening_hours(agent, center_hours, department_a, start, hours, due):
    case_type = CaseTypeFactory(department=department_a, response_time=timedelta(hours=hours))
    case = forwarded_case(agent, case_type, now=start)
    assert case.due_at == due


def a_midweek_public_holiday() -> date:
    """A public holiday next year on a Tuesday to Thursday, between two working days.

    Next year, so it lies in the window of years whose holidays the center knows.
    """
    holidays = country_holidays("SE", years=date.today().year + 1)
    return min(
        day
        for day in holidays
        if day.weekday() in (1, 2, 3)
        and day - timedelta(days=1) not in holidays
        and day + timedelta(days=1) not in holidays
    )


def test_a_public_holiday_stops_the_clock(agent, center_hours, department_a):
    holiday = a_midweek_public_holiday()
    before, after = holiday - timedelta(days=1), holiday + timedelta(days=1)
    case_type = CaseTypeFactory(department=department_a, response_time=timedelta(hours=2))
    start = datetime.combine(before, time(15, 30), tzinfo=STOCKHOLM)
    case = forwarded_case(agent, case_type, now=start)
    # Half an hour the day before, then an hour and a half from the opening after.
    assert case.due_at == datetime.combine(after, time(9, 30), tzinfo=STOCKHOLM)


def test_linking_joins_the_open_case_and_reopens_a_waiting_one(
    agent, handler, parking_type, resident
):
    case = forwarded_case(agent, parking_type, resident=resident)
    case_change_status(case=case, to_status="waiting", by=handler, now=at(2, 10))

    contact = contact_log(
        draft=ContactDraft(
            channel="email",
            outcome="linked",
            case=case,
            resident=resident,
            summary="Skickar intyget",
        ),
        by=agent,
        now=at(3, 10),
    )

    case.refresh_from_db()
    assert contact.case == case
    assert contact.case_type == parking_type
    assert Case.objects.count() == 1
    assert case.status == "open"
    assert case.due_at is not None and case.sla_remaining is None
    assert kinds(case)[-3:] == ["contact", "status", "sla_resumed"]


def test_an_outbound_linked_contact_leaves_a_waiting_case_waiting(agent, handler, parking_type):
    case = forwarded_case(agent, parking_type)
    case_change_status(case=case, to_status="waiting", by=handler, now=at(2, 10))
    contact_log(
        draft=ContactDraft(channel="phone", direction="out", outcome="linked", case=case),
        by=agent,
        now=at(2, 11),
    )
    case.refresh_from_db()
    assert case.status == "waiting"


def test_linking_is_refused_for_a_closed_case_or_another_residents(
    agent, second_line, parking_type, resident
):
    from kontakt.residents.tests.factories import ResidentFactory

    theirs = forwarded_case(agent, parking_type, resident=ResidentFactory())
    with pytest.raises(ValidationError) as refused:
        contact_log(
            draft=ContactDraft(channel="phone", outcome="linked", case=theirs, resident=resident),
            by=agent,
        )
    assert "case" in refused.value.message_dict

    case_change_status(
        case=theirs, to_status="closed", resolution="Klart", by=second_line, now=at(2, 10)
    )
    theirs.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        contact_log(draft=ContactDraft(channel="phone", outcome="linked", case=theirs), by=agent)
    assert "case" in refused.value.message_dict
    assert Contact.objects.filter(outcome="linked").count() == 0


@pytest.mark.parametrize(
    ("draft_fields", "field"),
    [
        ({"channel": "fax", "outcome": "closed"}, "channel"),
        ({"channel": "phone", "outcome": "maybe"}, "outcome"),
        ({"channel": "phone", "outcome": "closed", "direction": "sideways"}, "direction"),
        ({"channel": "phone", "outcome": "forwarded"}, "case_type"),
        ({"channel": "phone", "outcome": "linked"}, "case"),
        (
            {
                "channel": "phone",
                "outcome": "closed",
                "started_at": at(2, 10),
                "ended_at": at(2, 9),
            },
            "ended_at",
        ),
    ],
)
def test_an_invalid_contact_is_refused_and_nothing_is_stored(
    agent, center_hours, draft_fields, field
):
    with pytest.raises(ValidationError) as refused:
        contact_log(draft=ContactDraft(**draft_fields), by=agent)
    assert field in refused.value.message_dict
    assert Contact.objects.count() == 0
    assert Case.objects.count() == 0


def test_an_inactive_case_type_cannot_be_logged(agent, parking_type):
    parking_type.active = False
    parking_type.save()
    with pytest.raises(ValidationError) as refused:
        contact_log(
            draft=ContactDraft(channel="phone", outcome="closed", case_type=parking_type), by=agent
        )
    assert "case_type" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.AGENT, Role.SWITCHBOARD])
def test_first_line_may_not_close_a_case_type_that_forbids_it(role, care_type):
    user = UserFactory(role=role)
    with pytest.raises(ValidationError) as refused:
        contact_log(
            draft=ContactDraft(channel="phone", outcome="closed", case_type=care_type), by=user
        )
    assert "Hemtjänst" in refused.value.message_dict["outcome"][0]
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SECOND_LINE, Role.SUPERVISOR])
def test_second_line_may_close_a_case_type_that_first_line_may_not(role, care_type):
    user = UserFactory(role=role)
    contact = contact_log(
        draft=ContactDraft(channel="phone", outcome="closed", case_type=care_type), by=user
    )
    assert contact.outcome == "closed"


def test_department_staff_may_not_log_contacts(handler, parking_type):
    with pytest.raises(PermissionDenied):
        contact_log(draft=ContactDraft(channel="phone", outcome="closed"), by=handler)
    assert Contact.objects.count() == 0


# The status machine --------------------------------------------------------------------

ALL_STATUSES = ["new", "open", "waiting", "forwarded", "closed"]
# The design's transition table, written out here as the specification.
LEGAL = {
    "new": {"open", "waiting", "forwarded", "closed"},
    "open": {"waiting", "forwarded", "closed"},
    "waiting": {"open", "forwarded", "closed"},
    "forwarded": {"open", "waiting", "closed"},
    "closed": {"open"},
}


def case_in(status: str, case_type, by) -> Case:
    case = CaseFactory.create(case_type=case_type, by=by, now=MONDAY_0900)
    if status != "new":
        case_change_status(case=case, to_status=status, by=by, resolution="Klart", now=at(2, 10))
    case.refresh_from_db()
    assert case.status == status
    return case


@pytest.mark.parametrize("to_status", ALL_STATUSES)
@pytest.mark.parametrize("from_status", ALL_STATUSES)
def test_status_changes_follow_the_transition_table(
    second_line, parking_type, from_status, to_status
):
    case = case_in(from_status, parking_type, second_line)
    events_before = CaseEvent.objects.filter(case=case).count()
    before = stored_state(case)

    if to_status in LEGAL[from_status]:
        changed = case_change_status(
            case=case, to_status=to_status, by=second_line, resolution="Löst", now=at(3, 10)
        )
        assert changed.status == to_status
        assert Case.objects.get(pk=case.pk).status == to_status
        status_event = CaseEvent.objects.filter(case=case, kind="status").last()
        assert (status_event.from_status, status_event.to_status) == (from_status, to_status)
    else:
        with pytest.raises(ValidationError) as refused:
            case_change_status(
                case=case, to_status=to_status, by=second_line, resolution="Löst", now=at(3, 10)
            )
        (message,) = refused.value.message_dict["status"]
        assert message.startswith("A case cannot go from")
        assert stored_state(case) == before
        assert CaseEvent.objects.filter(case=case).count() == events_before


def test_an_unknown_status_is_refused(second_line, parking_type):
    case = CaseFactory(case_type=parking_type, by=second_line)
    with pytest.raises(ValidationError) as refused:
        case_change_status(case=case, to_status="archived", by=second_line)
    assert refused.value.message_dict["status"] == ["Unknown status."]


def test_closing_needs_a_resolution_and_stores_nothing_without_one(second_line, parking_type):
    case = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    events_before = case.events.count()
    with pytest.raises(ValidationError) as refused:
        case_change_status(case=case, to_status="closed", resolution="   ", by=second_line)
    assert "resolution" in refused.value.message_dict
    assert stored_state(case)[0] == "new"
    assert case.events.count() == events_before

    closed = case_change_status(
        case=case, to_status="closed", resolution=" Beviljat ", by=second_line, now=at(2, 11)
    )
    assert (closed.status, closed.resolution, closed.closed_at) == ("closed", "Beviljat", at(2, 11))
    assert kinds(closed)[-2:] == ["status", "closed"]


@pytest.mark.parametrize(
    ("closed_at", "met"),
    [(at(4, 8, 59), True), (at(4, 9), True), (at(4, 9, 1), False), (at(9, 9), False)],
)
def test_sla_met_is_whether_the_case_closed_by_its_due_time(
    second_line, parking_type, closed_at, met
):
    case = CaseFactory(
        case_type=parking_type, by=second_line, now=MONDAY_0900
    )  # due Wednesday 09:00
    closed = case_change_status(
        case=case, to_status="closed", resolution="Klart", by=second_line, now=closed_at
    )
    assert closed.sla_met is met
    assert closed.events.get(kind="closed").data == {"sla_met": met}


def test_reopening_a_closed_case_forgets_its_resolution_and_restarts_the_clock(
    second_line, parking_type
):
    case = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    case_change_status(
        case=case, to_status="closed", resolution="Klart", by=second_line, now=at(2, 10)
    )
    reopened = case_change_status(case=case, to_status="open", by=second_line, now=at(2, 11))
    assert (reopened.closed_at, reopened.sla_met, reopened.resolution) == (None, None, "")
    assert reopened.due_at == at(4, 9)


# The SLA clock -------------------------------------------------------------------------


def test_the_sla_clock_pauses_while_waiting_and_resumes_when_the_resident_answers(
    agent, handler, parking_type
):
    case = forwarded_case(agent, parking_type)  # due Wednesday 09:00
    case_take(case=case, by=handler, now=at(2, 9, 30))

    waiting = case_change_status(case=case, to_status="waiting", by=handler, now=at(2, 10))
    assert waiting.due_at is None
    assert waiting.sla_paused_at == at(2, 10)
    assert waiting.sla_remaining == timedelta(hours=15)
    paused = waiting.events.get(kind="sla_paused")
    assert paused.data == {"remaining_seconds": 15 * 3600}

    # The resident answers a day later: eight business hours passed while paused.
    case_add_message(
        case=case, body="Här är intyget", direction="in", channel="email", by=None, now=at(3, 10)
    )
    case.refresh_from_db()
    assert case.status == "open"
    assert case.due_at == at(4, 9) + timedelta(days=1)
    assert (case.sla_paused_at, case.sla_remaining) == (None, None)
    assert kinds(case)[-3:] == ["message_in", "status", "sla_resumed"]
    assert case.events.get(kind="sla_resumed").due_at == at(5, 9)


def test_a_message_to_the_resident_leaves_the_clock_paused(agent, handler, parking_type):
    case = forwarded_case(agent, parking_type)
    case_change_status(case=case, to_status="waiting", by=handler, now=at(2, 10))
    case_add_message(
        case=case,
        body="Vi väntar på intyget",
        direction="out",
        channel="phone",
        by=handler,
        now=at(3, 10),
    )
    case.refresh_from_db()
    assert (case.status, case.due_at) == ("waiting", None)


def test_closing_a_waiting_case_judges_the_sla_by_the_time_left(second_line, parking_type):
    case = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    case_change_status(case=case, to_status="waiting", by=second_line, now=at(2, 10))
    closed = case_change_status(
        case=case, to_status="closed", resolution="Klart", by=second_line, now=at(20, 10)
    )
    assert closed.sla_met is True

    late = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    case_change_status(
        case=late, to_status="waiting", by=second_line, now=at(9, 10)
    )  # overdue already
    closed = case_change_status(
        case=late, to_status="closed", resolution="Klart", by=second_line, now=at(9, 11)
    )
    assert closed.sla_met is False


def test_a_message_from_the_resident_reopens_a_closed_case(second_line, parking_type):
    case = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    case_change_status(
        case=case, to_status="closed", resolution="Klart", by=second_line, now=at(2, 10)
    )
    case_add_message(
        case=case, body="En sak till", direction="in", channel="email", by=None, now=at(2, 11)
    )
    case.refresh_from_db()
    assert (case.status, case.closed_at, case.resolution) == ("open", None, "")


def test_a_message_needs_a_body_a_direction_and_a_channel(second_line, parking_type):
    case = CaseFactory(case_type=parking_type, by=second_line)
    with pytest.raises(ValidationError) as refused:
        case_add_message(case=case, body=" ", direction="up", channel="pigeon", by=second_line)
    assert set(refused.value.message_dict) == {"body", "direction", "channel"}
    assert not case.events.filter(kind__startswith="message").exists()


# References ----------------------------------------------------------------------------


def test_references_count_up_per_year_and_are_never_reused(second_line, parking_type):
    first = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    second = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    assert (first.reference, second.reference) == ("KC-2026-000001", "KC-2026-000002")

    second.events.all().delete()
    second.delete()
    third = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    assert third.reference == "KC-2026-000003"

    next_year = CaseFactory(
        case_type=parking_type, by=second_line, now=datetime(2027, 1, 4, 9, tzinfo=STOCKHOLM)
    )
    assert next_year.reference == "KC-2027-000001"


def test_the_year_of_a_reference_is_the_local_year(second_line, parking_type):
    # 23:30 UTC on New Year's Eve is already 2027 in Stockholm.
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=STOCKHOLM)
    case = CaseFactory(case_type=parking_type, by=second_line, now=new_year)
    assert case.reference.startswith("KC-2027-")


def test_the_reference_prefix_is_a_setting(settings, second_line, parking_type):
    settings.KONTAKT = {**settings.KONTAKT, "CASE_REFERENCE_PREFIX": "SBK"}
    case = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    assert case.reference == "SBK-2026-000001"


def test_a_case_draft_is_checked_before_anything_is_stored(second_line, parking_type, department_b):
    department_b.active = False
    department_b.save()
    with pytest.raises(ValidationError) as refused:
        case_create(
            draft=CaseDraft(
                case_type=parking_type,
                subject=" ",
                priority=9,
                feedback_channel="fax",
                department=department_b,
            ),
            by=second_line,
        )
    assert set(refused.value.message_dict) == {
        "subject",
        "priority",
        "feedback_channel",
        "department",
    }
    assert Case.objects.count() == 0
    # A refused draft uses no number.
    assert (
        CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900).reference
        == "KC-2026-000001"
    )


# Assignment ----------------------------------------------------------------------------


def handlers_of(department, count):
    return [
        UserFactory(username=f"h{i}", role=Role.HANDLER, department=department)
        for i in range(count)
    ]


def test_automatic_assignment_is_round_robin_among_handlers_who_are_in(
    agent, parking_type, department_a
):
    department_a.auto_assign = True
    department_a.save()
    in_office = handlers_of(department_a, 3)
    UserFactory(
        username="away",
        role=Role.HANDLER,
        department=department_a,
        out_of_office_from=date(2026, 3, 1),
        out_of_office_until=date(2026, 3, 6),
    )
    UserFactory(username="agent2", role=Role.AGENT, department=department_a)  # not a handler

    cases = [forwarded_case(agent, parking_type, now=at(2, 9, minute)) for minute in range(9)]

    assigned = [case.handler for case in cases]
    assert {h.username for h in assigned} == {"h0", "h1", "h2"}
    assert [assigned.count(h) for h in in_office] == [3, 3, 3]
    # Round-robin: every run of three consecutive cases goes to three different handlers.
    for i in range(len(assigned) - 2):
        assert len(set(assigned[i : i + 3])) == 3


def test_automatic_assignment_is_fair_between_two_handlers(agent, parking_type, department_a):
    department_a.auto_assign = True
    department_a.save()
    handlers_of(department_a, 2)
    cases = [forwarded_case(agent, parking_type, now=at(2, 9, minute)) for minute in range(4)]
    assert [c.handler.username for c in cases].count("h0") == 2
    for case in cases:
        assert case.events.filter(kind="assigned").count() == 1


def test_without_automatic_assignment_a_case_waits_in_the_queue(agent, handler, parking_type):
    case = forwarded_case(agent, parking_type)
    assert case.handler is None
    assert not case.events.filter(kind="assigned").exists()


def test_nobody_in_leaves_the_case_in_the_queue(agent, parking_type, department_a):
    department_a.auto_assign = True
    department_a.save()
    UserFactory(role=Role.HANDLER, department=department_a, out_of_office_from=date(2026, 3, 2))
    assert forwarded_case(agent, parking_type).handler is None


def test_taking_a_case_opens_it_and_makes_the_taker_its_handler(agent, handler, parking_type):
    case = forwarded_case(agent, parking_type)
    taken = case_take(case=case, by=handler, now=at(2, 10))
    assert (taken.status, taken.handler) == ("open", handler)
    assert kinds(taken)[-2:] == ["assigned", "status"]


def test_a_closed_case_cannot_be_taken(second_line, handler, parking_type):
    case = CaseFactory(case_type=parking_type, by=second_line)
    case_change_status(case=case, to_status="closed", resolution="Klart", by=second_line)
    with pytest.raises(ValidationError):
        case_take(case=case, by=handler)
    assert Case.objects.get(pk=case.pk).handler is None


def test_a_case_is_assigned_only_to_a_handler_of_its_department(
    second_line, parking_type, handler, handler_b
):
    case = CaseFactory(case_type=parking_type, by=second_line)
    with pytest.raises(ValidationError) as refused:
        case_assign(case=case, handler=handler_b, by=second_line)
    assert "handler" in refused.value.message_dict
    assert case_assign(case=case, handler=handler, by=second_line).handler == handler
    assert case_assign(case=case, handler=None, by=second_line).handler is None


def test_forwarding_moves_the_case_to_the_other_queue(
    handler, parking_type, department_b, second_line
):
    case = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    case_take(case=case, by=handler, now=at(2, 9, 30))
    forwarded = case_forward(
        case=case, department=department_b, by=handler, note="Fel förvaltning", now=at(2, 10)
    )
    assert (forwarded.status, forwarded.department, forwarded.handler) == (
        "forwarded",
        department_b,
        None,
    )
    assert forwarded.events.filter(kind="forwarded").last().body == "Fel förvaltning"


def test_a_closed_case_is_not_forwarded_and_an_inactive_department_takes_none(
    second_line, parking_type, department_b
):
    case = CaseFactory(case_type=parking_type, by=second_line)
    case_change_status(case=case, to_status="closed", resolution="Klart", by=second_line)
    with pytest.raises(ValidationError):
        case_forward(case=case, department=department_b, by=second_line)
    assert Case.objects.get(pk=case.pk).department == parking_type.department

    department_b.active = False
    department_b.save()
    open_case = CaseFactory(case_type=parking_type, by=second_line)
    with pytest.raises(ValidationError) as refused:
        case_forward(case=open_case, department=department_b, by=second_line)
    assert "department" in refused.value.message_dict


# Absence -------------------------------------------------------------------------------


def test_cases_of_an_absent_handler_go_to_their_substitute(second_line, parking_type, department_a):
    absent, substitute = handlers_of(department_a, 2)
    open_cases = [
        CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900) for _ in range(2)
    ]
    closed = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    for case in [*open_cases, closed]:
        case_take(case=case, by=absent, now=at(2, 9, 30))
    case_change_status(
        case=closed, to_status="closed", resolution="Klart", by=absent, now=at(2, 9, 45)
    )
    handler_absence_set(
        user=absent,
        start=date(2026, 3, 2),
        until=date(2026, 3, 13),
        substitute=substitute,
        by=absent,
    )

    assert cases_of_absent_handlers_reassign(now=at(2, 10)) == 2

    for case in open_cases:
        case.refresh_from_db()
        assert case.handler == substitute
        assert case.events.filter(kind="assigned").last().data == {
            "handler_id": substitute.pk,
            "absent_id": absent.pk,
        }
    assert Case.objects.get(pk=closed.pk).handler == absent
    # Nothing is left to move the next time.
    assert cases_of_absent_handlers_reassign(now=at(2, 11)) == 0


def test_an_absent_substitute_sends_the_cases_back_to_the_queue(
    second_line, parking_type, department_a
):
    absent, substitute = handlers_of(department_a, 2)
    case = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    case_take(case=case, by=absent, now=at(2, 9, 30))
    handler_absence_set(
        user=absent, start=date(2026, 3, 2), until=None, substitute=substitute, by=absent
    )
    handler_absence_set(
        user=substitute,
        start=date(2026, 3, 1),
        until=date(2026, 3, 2),
        substitute=None,
        by=substitute,
    )

    cases_of_absent_handlers_reassign(now=at(2, 10))
    case.refresh_from_db()
    assert case.handler is None


def test_back_in_the_queue_automatic_assignment_picks_a_handler_who_is_in(
    second_line, parking_type, department_a
):
    absent, colleague = handlers_of(department_a, 2)
    case = CaseFactory(case_type=parking_type, by=second_line, now=MONDAY_0900)
    case_take(case=case, by=absent, now=at(2, 9, 30))
    department_a.auto_assign = True
    department_a.save()
    handler_absence_set(user=absent, start=date(2026, 3, 2), until=None, substitute=None, by=absent)

    cases_of_absent_handlers_reassign(now=at(2, 10))
    case.refresh_from_db()
    assert case.handler == colleague


def test_absence_is_checked(handler, handler_b, department_contact):
    with pytest.raises(PermissionDenied):
        handler_absence_set(user=handler_b, start=None, until=None, substitute=None, by=handler)
    with pytest.raises(ValidationError) as refused:
        handler_absence_set(
            user=handler,
            start=date(2026, 3, 5),
            until=date(2026, 3, 4),
            substitute=handler,
            by=handler,
        )
    assert set(refused.value.message_dict) == {"out_of_office_until", "substitute"}


# Notes, attachments, permissions -------------------------------------------------------


def test_notes_need_text(agent, parking_type):
    case = forwarded_case(agent, parking_type)
    with pytest.raises(ValidationError):
        case_add_note(case=case, body="  ", by=agent)
    event = case_add_note(case=case, body=" Ringde tillbaka ", by=agent)
    assert (event.kind, event.body, event.by) == ("note", "Ringde tillbaka", agent)


@pytest.mark.parametrize(
    ("name", "content_type", "content", "accepted"),
    [
        ("brev.pdf", "application/pdf", samples.pdf(1000), True),
        ("foto.jpg", "image/jpeg; charset=binary", samples.jpeg(), True),
        ("exakt.txt", "text/plain", b"x" * 1024 * 1024, True),
        ("stor.txt", "text/plain", b"x" * (1024 * 1024 + 1), False),
        ("virus.exe", "application/x-msdownload", samples.EXE, False),
        ("sida.html", "text/html", samples.HTML, False),
    ],
)
def test_attachments_have_size_and_type_limits(
    settings, agent, parking_type, name, content_type, content, accepted
):
    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_MAX_BYTES": 1024 * 1024}
    case = forwarded_case(agent, parking_type)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    if accepted:
        attachment = case_attach(case=case, upload=upload, by=agent)
        assert (attachment.name, attachment.size) == (name, len(content))
        assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
        assert attachment.file.read() == content
        assert case.events.filter(kind="attachment", body=name).exists()
    else:
        with pytest.raises(ValidationError) as refused:
            case_attach(case=case, upload=upload, by=agent)
        assert "file" in refused.value.message_dict
        assert Attachment.objects.count() == 0
        assert not case.events.filter(kind="attachment").exists()


def test_department_staff_work_only_their_own_departments_cases(
    agent, handler, handler_b, department_contact, parking_type
):
    case = forwarded_case(agent, parking_type)
    for outsider in (handler_b, agent):
        with pytest.raises(PermissionDenied):
            case_change_status(case=case, to_status="open", by=outsider)
    with pytest.raises(PermissionDenied):
        case_add_note(case=case, body="Hej", by=handler_b)
    with pytest.raises(PermissionDenied):
        case_take(case=case, by=handler_b)
    assert case_change_status(case=case, to_status="open", by=department_contact).status == "open"
    assert stored_state(case)[0] == "open"


# Telling the resident ------------------------------------------------------------------


def test_closing_a_case_emails_the_resident_who_chose_email(
    second_line, parking_type, resident, django_capture_on_commit_callbacks
):
    resident.preferred_channel = "email"
    resident.save()
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    assert case.feedback_channel == "email"
    with django_capture_on_commit_callbacks(execute=True):
        case_change_status(
            case=case, to_status="closed", resolution="Tillståndet är beviljat.", by=second_line
        )

    (sent,) = mail.outbox
    assert sent.to == ["karin@example.se"]
    assert case.reference in sent.subject
    assert "Tillståndet är beviljat." in sent.body
    # The notice shows on the case, not as a message in its timeline.
    assert list(case.notices.values_list("kind", "state")) == [("closed", "sent")]
    assert not case.events.filter(kind="message_out").exists()


def test_closing_a_case_of_a_resident_who_chose_phone_sends_nothing(
    second_line, parking_type, resident, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    with django_capture_on_commit_callbacks(execute=True):
        case_change_status(case=case, to_status="closed", resolution="Klart", by=second_line)
    assert mail.outbox == []


def test_a_message_by_email_is_sent_to_the_resident(
    second_line, parking_type, resident, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    with django_capture_on_commit_callbacks(execute=True):
        case_add_message(
            case=case,
            body="Vi behöver ett intyg.",
            direction="out",
            channel="email",
            by=second_line,
        )
    (sent,) = mail.outbox
    assert (sent.to, sent.body) == (["karin@example.se"], "Vi behöver ett intyg.")


def _message(case, channel, by, capture):
    with capture(execute=True):
        event = case_add_message(
            case=case, body="Vi behöver ett intyg.", direction="out", channel=channel, by=by
        )
    event.refresh_from_db()
    return event


def test_a_message_by_email_records_that_it_was_sent(
    second_line, parking_type, resident, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    event = _message(case, "email", second_line, django_capture_on_commit_callbacks)
    assert (event.delivery, event.data["to"]) == ("sent", "karin@example.se")


def test_a_message_by_sms_goes_through_the_gateway(
    second_line, parking_type, resident, settings, django_capture_on_commit_callbacks
):
    settings.KONTAKT = {**settings.KONTAKT, "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "memory"}}
    sms.outbox.clear()
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    event = _message(case, "sms", second_line, django_capture_on_commit_callbacks)
    (text,) = sms.outbox
    assert (text.to, text.text) == ("+46701234567", f"{case.reference}: Vi behöver ett intyg.")
    assert event.delivery == "sent" and mail.outbox == []


def test_an_sms_the_gateway_refuses_is_shown_as_not_delivered_once_retries_are_used_up(
    second_line, parking_type, resident, settings, django_capture_on_commit_callbacks
):
    sms_settings = {**settings.KONTAKT["SMS"], "BACKEND": "http", "URL": "http://127.0.0.1:9/"}
    notice_settings = {**settings.KONTAKT["NOTICES"], "RETRY_MINUTES": [0]}
    settings.KONTAKT = {**settings.KONTAKT, "SMS": sms_settings, "NOTICES": notice_settings}
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    event = _message(case, "sms", second_line, django_capture_on_commit_callbacks)
    assert event.delivery == "queued"  # failed once, to be tried again
    notices_retry_due.call()
    event.refresh_from_db()
    assert event.delivery == "failed" and "could not be reached" in event.data["reason"]


def test_a_message_without_an_address_is_not_delivered(
    second_line, parking_type, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=parking_type, by=second_line)
    event = _message(case, "email", second_line, django_capture_on_commit_callbacks)
    assert (event.delivery, event.data["reason"]) == ("failed", "No address to send it to.")


@pytest.mark.parametrize(
    ("channel", "delivery"),
    [("letter", "to_post"), ("phone", "said"), ("visit", "said"), ("chat", "not_sent")],
)
def test_a_message_on_a_channel_without_sending_never_shows_as_sent(
    second_line, parking_type, resident, django_capture_on_commit_callbacks, channel, delivery
):
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    event = _message(case, channel, second_line, django_capture_on_commit_callbacks)
    assert event.delivery == delivery
    assert mail.outbox == []
