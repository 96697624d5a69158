"""Absences entered by hand: who may, what is refused, ending and deleting."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.directory.models import Absence, CalendarFeed
from kontakt.directory.selectors import may_edit_absence, reachability
from kontakt.directory.services import absence_create, absence_delete, absence_end
from kontakt.directory.tests.factories import AbsenceFactory, EmployeeFactory, UnitFactory

AT = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(department_a):
    return EmployeeFactory(unit=UnitFactory(department=department_a))


def test_who_may_edit_a_persons_absences(
    person,
    agent,
    second_line,
    switchboard,
    handler,
    handler_b,
    department_contact,
    supervisor,
    administrator,
    no_role_user,
    department_b,
):
    themselves = UserFactory(role=Role.AGENT)
    person.user = themselves
    person.save()
    other_contact = UserFactory(role=Role.DEPARTMENT_CONTACT, department=department_b)
    allowed = {
        themselves: True,
        switchboard: True,
        department_contact: True,
        supervisor: True,
        administrator: True,
        agent: False,
        second_line: False,
        handler: False,  # of the same department, but not its contact
        handler_b: False,
        other_contact: False,
        no_role_user: False,
    }
    assert {user: may_edit_absence(user, person) for user in allowed} == allowed
    # A person without a unit is the center's to edit, not any department contact's.
    loner = EmployeeFactory(unit=None)
    assert not may_edit_absence(department_contact, loner)
    assert may_edit_absence(switchboard, loner)


def test_an_operator_enters_an_absence_with_a_substitute(person, switchboard):
    substitute = EmployeeFactory()
    absence = absence_create(
        employee=person,
        starts_at=AT - H,
        ends_at=AT + 8 * H,
        reason="course",
        note="Kurs",
        substitute=substitute,
        by=switchboard,
    )
    assert absence.created_by == switchboard
    found = reachability(person, at=AT)
    assert (found.state, found.until, found.substitute) == ("absent", AT + 8 * H, substitute)


def test_someone_who_may_not_is_refused_and_nothing_is_stored(person, handler):
    with pytest.raises(PermissionDenied):
        absence_create(employee=person, starts_at=AT, ends_at=AT + H, by=handler)
    assert not Absence.objects.exists()


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "substitute", "field", "message"),
    [
        (AT, AT, None, "ends_at", "The end must come after the start."),
        (AT, AT - H, None, "ends_at", "The end must come after the start."),
        (AT, datetime(9999, 1, 1, tzinfo=UTC), None, "ends_at", "from the year 1970"),
        (datetime(1900, 1, 1, tzinfo=UTC), AT, None, "starts_at", "from the year 1970"),
        (AT.replace(tzinfo=None), AT + H, None, "starts_at", "from the year 1970"),
        (AT, AT + H, "self", "substitute", "their own substitute"),
        (AT, AT + H, "left", "substitute", "has left"),
    ],
)
def test_bad_absences_are_refused_with_field_messages(
    person, switchboard, starts_at, ends_at, substitute, field, message
):
    if substitute == "self":
        substitute = person
    elif substitute == "left":
        substitute = EmployeeFactory(active=False)
    with pytest.raises(ValidationError) as refused:
        absence_create(
            employee=person,
            starts_at=starts_at,
            ends_at=ends_at,
            substitute=substitute,
            by=switchboard,
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not Absence.objects.exists()


def test_a_bad_reason_or_too_long_note_is_refused(person, switchboard):
    with pytest.raises(ValidationError) as refused:
        absence_create(
            employee=person, starts_at=AT, ends_at=AT + H, reason="holiday", by=switchboard
        )
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        absence_create(
            employee=person, starts_at=AT, ends_at=AT + H, note="x" * 201, by=switchboard
        )
    assert "note" in refused.value.message_dict
    assert not Absence.objects.exists()


def test_ending_an_absence_that_began_ends_it_now_and_one_to_come_is_deleted(person):
    themselves = UserFactory(role=Role.AGENT)
    person.user = themselves
    person.save()
    running = AbsenceFactory(employee=person, starts_at=AT - H, ends_at=AT + 5 * H)
    coming = AbsenceFactory(employee=person, starts_at=AT + 24 * H, ends_at=AT + 30 * H)
    absence_end(absence=running, by=themselves, now=AT)
    running.refresh_from_db()
    assert running.ends_at == AT
    assert reachability(person, at=AT).state == "available"
    absence_end(absence=coming, by=themselves, now=AT)
    assert not Absence.objects.filter(pk=coming.pk).exists()


def test_delete_checks_access_and_keeps_calendar_absences(person, department_contact, handler):
    absence = AbsenceFactory(employee=person)
    with pytest.raises(PermissionDenied):
        absence_delete(absence=absence, by=handler)
    absence_delete(absence=absence, by=department_contact)
    assert not Absence.objects.exists()
    feed = CalendarFeed.objects.create(employee=person, content="")
    from_feed = AbsenceFactory(employee=person, feed=feed, feed_key="x|")
    with pytest.raises(ValidationError, match="published calendar"):
        absence_delete(absence=from_feed, by=department_contact)
    with pytest.raises(ValidationError, match="published calendar"):
        absence_end(absence=from_feed, by=department_contact)
    assert Absence.objects.filter(pk=from_feed.pk).exists()
