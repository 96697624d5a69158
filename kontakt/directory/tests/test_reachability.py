"""Whether a person can be reached now: left, absent (until the end of the absence run), the
exchange's line state, available."""

from datetime import UTC, datetime, timedelta

import pytest

from kontakt.directory.models import AbsenceReason, Availability
from kontakt.directory.selectors import reachabilities, reachability
from kontakt.directory.tests.factories import AbsenceFactory, EmployeeFactory

AT = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)

pytestmark = pytest.mark.django_db


def test_available_by_default():
    person = EmployeeFactory()
    found = reachability(person, at=AT)
    assert (found.reachable, found.state, found.until, found.substitute) == (
        True,
        "available",
        None,
        None,
    )


def test_a_leaver_has_left_even_when_an_absence_covers_the_moment():
    person = EmployeeFactory(active=False)
    AbsenceFactory(employee=person, starts_at=AT - H, ends_at=AT + H)
    assert reachability(person, at=AT).state == "left"
    assert reachability(person, at=AT).reachable is False


@pytest.mark.parametrize(
    ("phone_state", "state"),
    [(Availability.DO_NOT_DISTURB, "dnd"), (Availability.ON_CALL, "on_call")],
)
def test_the_exchange_line_state_makes_unreachable_but_not_absent(phone_state, state):
    person = EmployeeFactory(phone_state=phone_state)
    found = reachability(person, at=AT)
    assert (found.reachable, found.state, found.until, found.reason) == (False, state, None, "")


def test_an_absence_beats_the_line_state_and_gives_reason_note_and_substitute():
    substitute = EmployeeFactory()
    person = EmployeeFactory(phone_state=Availability.ON_CALL)
    AbsenceFactory(
        employee=person,
        starts_at=AT - H,
        ends_at=AT + 2 * H,
        reason=AbsenceReason.COURSE,
        note="Kurs i Lund",
        substitute=substitute,
    )
    found = reachability(person, at=AT)
    assert found.state == "absent"
    assert found.reachable is False
    assert found.until == AT + 2 * H
    assert (found.reason, found.note, found.substitute) == ("course", "Kurs i Lund", substitute)


def test_the_end_and_start_are_half_open():
    person = EmployeeFactory()
    AbsenceFactory(employee=person, starts_at=AT, ends_at=AT + H)
    assert reachability(person, at=AT).state == "absent"
    assert reachability(person, at=AT + H).state == "available"
    assert reachability(person, at=AT - timedelta(seconds=1)).state == "available"


def test_until_is_the_end_of_the_contiguous_run():
    person = EmployeeFactory()
    AbsenceFactory(employee=person, starts_at=AT - H, ends_at=AT + H)
    # Back to back, then overlapping, then one after a gap that does not count.
    AbsenceFactory(employee=person, starts_at=AT + H, ends_at=AT + 3 * H)
    AbsenceFactory(employee=person, starts_at=AT + 2 * H, ends_at=AT + 5 * H)
    AbsenceFactory(employee=person, starts_at=AT + 6 * H, ends_at=AT + 9 * H)
    assert reachability(person, at=AT).until == AT + 5 * H


def test_an_absence_inside_a_longer_one_does_not_shorten_it():
    person = EmployeeFactory()
    AbsenceFactory(employee=person, starts_at=AT - 5 * H, ends_at=AT + 48 * H, reason="leave")
    AbsenceFactory(employee=person, starts_at=AT - H, ends_at=AT + H, reason="meeting")
    found = reachability(person, at=AT)
    assert (found.until, found.reason) == (AT + 48 * H, "leave")


def test_past_and_future_absences_do_not_count():
    person = EmployeeFactory()
    AbsenceFactory(employee=person, starts_at=AT - 5 * H, ends_at=AT - H)
    AbsenceFactory(employee=person, starts_at=AT + H, ends_at=AT + 5 * H)
    assert reachability(person, at=AT).state == "available"


def test_a_substitute_who_is_absent_too_is_returned_and_the_caller_asks_about_them():
    deputy_of_deputy = EmployeeFactory()
    substitute = EmployeeFactory()
    person = EmployeeFactory()
    AbsenceFactory(employee=person, starts_at=AT - H, ends_at=AT + H, substitute=substitute)
    AbsenceFactory(
        employee=substitute, starts_at=AT - H, ends_at=AT + 8 * H, substitute=deputy_of_deputy
    )
    found = reachability(person, at=AT)
    assert found.substitute == substitute
    # What the console does: ask about the substitute before offering them.
    theirs = reachability(found.substitute, at=AT)
    assert (theirs.state, theirs.until, theirs.substitute) == (
        "absent",
        AT + 8 * H,
        deputy_of_deputy,
    )
    assert reachability(deputy_of_deputy, at=AT).reachable


def test_bulk_answers_every_person_in_two_queries(django_assert_num_queries):
    people = [EmployeeFactory() for _ in range(12)]
    for index, person in enumerate(people[:6]):
        AbsenceFactory(
            employee=person,
            starts_at=AT - H,
            ends_at=AT + (index + 1) * H,
            substitute=people[-1],
        )
    people[6].phone_state = Availability.DO_NOT_DISTURB
    people[7].active = False
    # Later absences of the absent, to be found by the second query.
    for person in people[:6]:
        AbsenceFactory(employee=person, starts_at=AT + 20 * H, ends_at=AT + 21 * H)
    with django_assert_num_queries(2):
        found = reachabilities(people, at=AT)
        assert [found[p.pk].state for p in people] == (
            ["absent"] * 6 + ["dnd", "left"] + ["available"] * 4
        )
        # The substitute came with the same query.
        assert {found[p.pk].substitute.pk for p in people[:6]} == {people[-1].pk}
    assert [found[p.pk].until for p in people[:6]] == [AT + (i + 1) * H for i in range(6)]
    with django_assert_num_queries(0):
        assert reachabilities([], at=AT) == {}
    # Nobody absent: one query.
    with django_assert_num_queries(1):
        assert reachabilities(people[6:], at=AT)[people[8].pk].state == "available"


def test_bulk_and_single_agree():
    people = [EmployeeFactory() for _ in range(3)]
    AbsenceFactory(employee=people[1], starts_at=AT - H, ends_at=AT + H)
    bulk = reachabilities(people, at=AT)
    assert all(bulk[p.pk] == reachability(p, at=AT) for p in people)
