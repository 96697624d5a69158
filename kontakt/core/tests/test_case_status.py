"""Tests for kontakt.core.case_status."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontakt.core.business_hours import (
    OpeningHours,
    add_business_time,
    business_time_between,
    next_opening,
)
from kontakt.core.case_status import (
    TRANSITIONS,
    CaseStatus,
    IllegalTransition,
    SlaClock,
    check_transition,
    format_case_reference,
    parse_case_reference,
    sla_clock_running,
    sla_pause,
    sla_resume,
    sla_start,
)

S = CaseStatus
OSLO = ZoneInfo("Europe/Oslo")
HOURS = OpeningHours(
    weekly={weekday: [(time(8), time(16))] for weekday in range(5)},
    closed_dates=frozenset(),
    tz=OSLO,
)


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


# --- transitions --------------------------------------------------------------------------------

ALLOWED = {
    (S.NEW, S.OPEN),
    (S.NEW, S.FORWARDED),
    (S.NEW, S.CLOSED),
    (S.NEW, S.WAITING),
    (S.OPEN, S.WAITING),
    (S.OPEN, S.FORWARDED),
    (S.OPEN, S.CLOSED),
    (S.WAITING, S.OPEN),
    (S.WAITING, S.FORWARDED),
    (S.WAITING, S.CLOSED),
    (S.FORWARDED, S.OPEN),
    (S.FORWARDED, S.WAITING),
    (S.FORWARDED, S.CLOSED),
    (S.CLOSED, S.OPEN),
}
ALL_PAIRS = [(a, b) for a in CaseStatus for b in CaseStatus]


def test_transition_table_matches_spec() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


def test_transition_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[S.CLOSED] = frozenset()  # type: ignore[index]


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_check_transition(from_status: CaseStatus, to_status: CaseStatus) -> None:
    if (from_status, to_status) in ALLOWED:
        check_transition(from_status, to_status)
    else:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(from_status, to_status)
        assert caught.value.from_status is from_status
        assert caught.value.to_status is to_status


def test_illegal_transition_message() -> None:
    with pytest.raises(IllegalTransition, match=r"^A case cannot go from closed to forwarded\.$"):
        check_transition(S.CLOSED, S.FORWARDED)
    assert issubclass(IllegalTransition, ValueError)


@pytest.mark.parametrize("status", list(CaseStatus))
def test_same_status_is_illegal(status: CaseStatus) -> None:
    with pytest.raises(IllegalTransition):
        check_transition(status, status)


@pytest.mark.parametrize(
    ("status", "running"),
    [(S.NEW, True), (S.OPEN, True), (S.FORWARDED, True), (S.WAITING, False), (S.CLOSED, False)],
)
def test_sla_clock_running(status: CaseStatus, running: bool) -> None:
    assert sla_clock_running(status) is running


@given(st.lists(st.sampled_from(list(CaseStatus)), max_size=30))
def test_random_walk_follows_the_table(targets: list[CaseStatus]) -> None:
    status = S.NEW
    for target in targets:
        allowed = target in TRANSITIONS[status]
        try:
            check_transition(status, target)
        except IllegalTransition:
            assert not allowed
        else:
            assert allowed
            status = target


@given(st.lists(st.sampled_from(list(CaseStatus)), max_size=30))
def test_every_status_can_reach_closed_and_reopen(targets: list[CaseStatus]) -> None:
    status = S.NEW
    for target in targets:
        if target in TRANSITIONS[status]:
            status = target
    if status is not S.CLOSED:
        check_transition(status, S.CLOSED)
    check_transition(S.CLOSED, S.OPEN)


# --- case references ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("KC", 2026, 123), "KC-2026-000123"),
        (("kc", 2026, 1), "KC-2026-000001"),
        (("KC", 2026, 999999), "KC-2026-999999"),
        (("KC", 2026, 1234567), "KC-2026-1234567"),
    ],
)
def test_format_case_reference(args: tuple[str, int, int], expected: str) -> None:
    assert format_case_reference(*args) == expected


@pytest.mark.parametrize(
    "args", [("", 2026, 1), ("K-C", 2026, 1), ("KÅ", 2026, 1), ("KC", 26, 1), ("KC", 2026, 0)]
)
def test_format_case_reference_rejects_bad_parts(args: tuple[str, int, int]) -> None:
    with pytest.raises(ValueError):
        format_case_reference(*args)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KC-2026-000123", ("KC", 2026, 123)),
        ("  kc-2026-000123\n", ("KC", 2026, 123)),
        ("Kc-2026-1234567", ("KC", 2026, 1234567)),
        ("KC-2026-00123", None),
        ("KC-26-000123", None),
        ("KC 2026 000123", None),
        ("Re: KC-2026-000123", None),
        ("KC-2026-000000", None),
        ("KC-2026-００0123", None),  # full-width digits
        ("\u212a-2026-000123", None),  # Kelvin sign, which IGNORECASE treats as K
        ("", None),
    ],
)
def test_parse_case_reference(text: str, expected: tuple[str, int, int] | None) -> None:
    assert parse_case_reference(text) == expected


@given(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10
    ),
    st.integers(1000, 9999),
    st.integers(1, 10**9),
)
def test_case_reference_round_trip(prefix: str, year: int, number: int) -> None:
    reference = format_case_reference(prefix, year, number)
    assert parse_case_reference(reference) == (prefix.upper(), year, number)
    assert parse_case_reference(f" {reference.lower()} ") == (prefix.upper(), year, number)


# --- SLA clock ----------------------------------------------------------------------------------


def test_sla_start() -> None:
    clock = sla_start(at=oslo(2026, 6, 12, 14), response_time=timedelta(hours=4), hours=HOURS)
    assert clock == SlaClock(due_at=oslo(2026, 6, 15, 10), paused_at=None, remaining=None)
    assert not clock.is_paused


def test_pause_and_resume_keep_remaining_business_time() -> None:
    clock = sla_start(at=oslo(2026, 6, 8, 8), response_time=timedelta(hours=8), hours=HOURS)
    paused = sla_pause(clock, at=oslo(2026, 6, 8, 11), hours=HOURS)
    assert paused == SlaClock(
        due_at=None, paused_at=oslo(2026, 6, 8, 11), remaining=timedelta(hours=5)
    )
    assert paused.is_paused
    resumed = sla_resume(paused, at=oslo(2026, 6, 10, 15), hours=HOURS)
    assert resumed.due_at == oslo(2026, 6, 11, 12)


def test_pause_while_closed_counts_from_the_next_opening() -> None:
    clock = sla_start(at=oslo(2026, 6, 8, 8), response_time=timedelta(hours=8), hours=HOURS)
    paused = sla_pause(clock, at=oslo(2026, 6, 6, 12), hours=HOURS)  # Saturday before
    assert paused.remaining == timedelta(hours=8)


def test_overdue_clock_pauses_with_zero_and_resumes_at_next_opening() -> None:
    clock = sla_start(at=oslo(2026, 6, 8, 8), response_time=timedelta(hours=1), hours=HOURS)
    paused = sla_pause(clock, at=oslo(2026, 6, 9, 10), hours=HOURS)
    assert paused.remaining == timedelta(0)
    resumed = sla_resume(paused, at=oslo(2026, 6, 12, 20), hours=HOURS)
    assert resumed.due_at == oslo(2026, 6, 15, 8)
    assert sla_resume(paused, at=oslo(2026, 6, 10, 9), hours=HOURS).due_at == oslo(2026, 6, 10, 9)


def test_pause_and_resume_reject_wrong_state() -> None:
    running = sla_start(at=oslo(2026, 6, 8, 8), response_time=timedelta(hours=1), hours=HOURS)
    paused = sla_pause(running, at=oslo(2026, 6, 8, 8, 30), hours=HOURS)
    with pytest.raises(ValueError, match="already paused"):
        sla_pause(paused, at=oslo(2026, 6, 8, 9), hours=HOURS)
    with pytest.raises(ValueError, match="not paused"):
        sla_resume(running, at=oslo(2026, 6, 8, 9), hours=HOURS)
    with pytest.raises(ValueError, match="before"):
        sla_resume(paused, at=oslo(2026, 6, 8, 8), hours=HOURS)


def test_sla_functions_reject_naive_datetimes() -> None:
    naive = datetime(2026, 6, 8, 9)
    running = sla_start(at=oslo(2026, 6, 8, 8), response_time=timedelta(hours=1), hours=HOURS)
    paused = sla_pause(running, at=oslo(2026, 6, 8, 8, 30), hours=HOURS)
    with pytest.raises(ValueError):
        sla_start(at=naive, response_time=timedelta(hours=1), hours=HOURS)
    with pytest.raises(ValueError):
        sla_pause(running, at=naive, hours=HOURS)
    with pytest.raises(ValueError):
        sla_resume(paused, at=naive, hours=HOURS)


@pytest.mark.parametrize(
    ("due_at", "paused_at", "remaining"),
    [
        (None, None, None),
        (oslo(2026, 6, 8), oslo(2026, 6, 8), None),
        (oslo(2026, 6, 8), None, timedelta(hours=1)),
        (None, oslo(2026, 6, 8), None),
        (None, oslo(2026, 6, 8), timedelta(-1)),
        (datetime(2026, 6, 8), None, None),
        (None, datetime(2026, 6, 8), timedelta(hours=1)),
    ],
)
def test_inconsistent_sla_clock_is_rejected(
    due_at: datetime | None, paused_at: datetime | None, remaining: timedelta | None
) -> None:
    with pytest.raises(ValueError):
        SlaClock(due_at=due_at, paused_at=paused_at, remaining=remaining)


@given(
    response_hours=st.integers(1, 40),
    steps=st.lists(
        st.tuples(st.sampled_from(list(CaseStatus)), st.integers(1, 3 * 24 * 60)), max_size=25
    ),
)
def test_random_case_life_keeps_sla_budget(
    response_hours: int, steps: list[tuple[CaseStatus, int]]
) -> None:
    """Walk random legal transitions, pausing while waiting or closed, and audit the budget."""
    response_time = timedelta(hours=response_hours)
    at = datetime(2026, 3, 20, 9, tzinfo=UTC)  # spans the March DST change
    status = S.NEW
    clock = sla_start(at=at, response_time=response_time, hours=HOURS)
    running_since = at
    used = timedelta(0)  # business time spent while the clock ran
    for target, minutes in steps:
        at += timedelta(minutes=minutes)
        if target not in TRANSITIONS[status]:
            with pytest.raises(IllegalTransition):
                check_transition(status, target)
            continue
        check_transition(status, target)
        was_running, now_running = sla_clock_running(status), sla_clock_running(target)
        status = target
        if was_running and not now_running:
            assert clock.due_at is not None
            overdue = at >= clock.due_at
            used += business_time_between(running_since, at, HOURS)
            clock = sla_pause(clock, at=at, hours=HOURS)
            assert clock.remaining is not None
            if overdue:
                assert clock.remaining == timedelta(0)
                used = response_time  # the overrun is forgotten
            else:
                assert used + clock.remaining == response_time
        elif now_running and not was_running:
            assert clock.remaining is not None
            clock = sla_resume(clock, at=at, hours=HOURS)
            assert clock.due_at is not None
            assert clock.due_at == add_business_time(at, response_time - used, HOURS)
            if used == response_time:
                assert clock.due_at == next_opening(at, HOURS)
            running_since = at
        assert clock.is_paused is not sla_clock_running(status)
