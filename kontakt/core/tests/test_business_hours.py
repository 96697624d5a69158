"""Tests for kontakt.core.business_hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kontakt.core.business_hours import (
    OpeningHours,
    add_business_time,
    business_time_between,
    is_open,
    next_opening,
    opening_periods,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OSLO = ZoneInfo("Europe/Oslo")

SE_HOLIDAYS = frozenset(
    {
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 6),
    }
)
WEEKDAYS_8_16 = {weekday: [(time(8), time(16))] for weekday in range(5)}
OFFICE = OpeningHours(weekly=WEEKDAYS_8_16, closed_dates=SE_HOLIDAYS, tz=STOCKHOLM)
LUNCH_BREAK = OpeningHours(
    weekly={weekday: [(time(13), time(16)), (time(8), time(12))] for weekday in range(5)},
    closed_dates=frozenset(),
    tz=STOCKHOLM,
)
NEVER_OPEN = OpeningHours(weekly={}, closed_dates=frozenset(), tz=STOCKHOLM)


def sthlm(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=STOCKHOLM)


def utc(value: datetime) -> datetime:
    # Aware datetimes sharing a ZoneInfo compare by wall clock and ignore fold, so tests compare
    # instants in UTC.
    return value.astimezone(UTC)


def sunday_only(tz: ZoneInfo, *periods: tuple[time, time]) -> OpeningHours:
    return OpeningHours(weekly={6: list(periods)}, closed_dates=frozenset(), tz=tz)


# --- table-driven -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (sthlm(2026, 6, 9, 8), True),
        (sthlm(2026, 6, 9, 12), True),
        (sthlm(2026, 6, 9, 15, 59, 59, 999999), True),
        (sthlm(2026, 6, 9, 16), False),
        (sthlm(2026, 6, 9, 7, 59, 59), False),
        (sthlm(2026, 6, 13, 10), False),  # Saturday
        (sthlm(2026, 12, 24, 10), False),  # Christmas Eve, a closed date
        (datetime(2026, 6, 9, 6, tzinfo=UTC), True),  # 08:00 CEST
        (datetime(2026, 6, 9, 5, 59, tzinfo=UTC), False),
        (datetime(2026, 6, 9, 8, tzinfo=OSLO), True),
    ],
)
def test_is_open(at: datetime, expected: bool) -> None:
    assert is_open(at, OFFICE) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (sthlm(2026, 6, 9, 10, 30), sthlm(2026, 6, 9, 10, 30)),
        (sthlm(2026, 6, 9, 6), sthlm(2026, 6, 9, 8)),
        (sthlm(2026, 6, 9, 16), sthlm(2026, 6, 10, 8)),
        (sthlm(2026, 6, 12, 17), sthlm(2026, 6, 15, 8)),  # Friday evening -> Monday
        (sthlm(2026, 12, 23, 16), sthlm(2026, 12, 28, 8)),  # over Christmas
        (sthlm(2026, 12, 30, 16), sthlm(2027, 1, 4, 8)),  # over New Year
    ],
)
def test_next_opening(at: datetime, expected: datetime) -> None:
    result = next_opening(at, OFFICE)
    assert utc(result) == utc(expected)
    assert result.tzinfo is STOCKHOLM


@pytest.mark.parametrize(
    ("hours", "start", "duration", "expected"),
    [
        (OFFICE, sthlm(2026, 6, 9, 10), timedelta(hours=2), sthlm(2026, 6, 9, 12)),
        (OFFICE, sthlm(2026, 6, 9, 6), timedelta(hours=1), sthlm(2026, 6, 9, 9)),
        (OFFICE, sthlm(2026, 6, 9, 17), timedelta(hours=1), sthlm(2026, 6, 10, 9)),
        (OFFICE, sthlm(2026, 6, 9, 16), timedelta(hours=1), sthlm(2026, 6, 10, 9)),
        # Running out exactly at closing time gives the close instant, not the next opening.
        (OFFICE, sthlm(2026, 6, 9, 14), timedelta(hours=2), sthlm(2026, 6, 9, 16)),
        (OFFICE, sthlm(2026, 6, 12, 15), timedelta(hours=1), sthlm(2026, 6, 12, 16)),
        # Friday afternoon + 4 business hours lands on Monday.
        (OFFICE, sthlm(2026, 12, 18, 14), timedelta(hours=4), sthlm(2026, 12, 21, 10)),
        # Christmas Eve to Boxing Day are closed dates.
        (OFFICE, sthlm(2026, 12, 23, 14), timedelta(hours=4), sthlm(2026, 12, 28, 10)),
        (OFFICE, sthlm(2026, 12, 30, 15), timedelta(hours=4), sthlm(2027, 1, 4, 11)),
        # Zero duration is next_opening.
        (OFFICE, sthlm(2026, 6, 13, 10), timedelta(0), sthlm(2026, 6, 15, 8)),
        (OFFICE, sthlm(2026, 6, 9, 10), timedelta(0), sthlm(2026, 6, 9, 10)),
        # A 40-hour SLA over a full week.
        (OFFICE, sthlm(2026, 6, 8, 8), timedelta(hours=40), sthlm(2026, 6, 12, 16)),
        (
            OFFICE,
            sthlm(2026, 6, 8, 8),
            timedelta(hours=40, microseconds=1),
            sthlm(2026, 6, 15, 8, 0, 0, 1),
        ),
        # A year of business hours: 52 weeks of 40 hours (no closed dates in 2027-2028 here).
        (
            OpeningHours(WEEKDAYS_8_16, frozenset(), STOCKHOLM),
            sthlm(2027, 1, 4, 8),
            timedelta(hours=40 * 52),
            sthlm(2027, 12, 31, 16),
        ),
        (LUNCH_BREAK, sthlm(2026, 6, 9, 11), timedelta(hours=2), sthlm(2026, 6, 9, 14)),
        (LUNCH_BREAK, sthlm(2026, 6, 9, 11), timedelta(hours=1), sthlm(2026, 6, 9, 12)),
        # Start given in another zone; result is in the opening-hours zone.
        (
            OFFICE,
            datetime(2026, 6, 9, 13, tzinfo=UTC),
            timedelta(hours=2),
            sthlm(2026, 6, 10, 9),
        ),
    ],
)
def test_add_business_time(
    hours: OpeningHours, start: datetime, duration: timedelta, expected: datetime
) -> None:
    result = add_business_time(start, duration, hours)
    assert utc(result) == utc(expected)
    assert result.tzinfo is hours.tz


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (sthlm(2026, 6, 9, 10), sthlm(2026, 6, 9, 12), timedelta(hours=2)),
        (sthlm(2026, 6, 9, 12), sthlm(2026, 6, 9, 10), timedelta(0)),
        (sthlm(2026, 6, 9, 10), sthlm(2026, 6, 9, 10), timedelta(0)),
        (sthlm(2026, 6, 13, 0), sthlm(2026, 6, 15, 0), timedelta(0)),  # weekend
        (sthlm(2026, 6, 8, 0), sthlm(2026, 6, 15, 0), timedelta(hours=40)),
        (sthlm(2026, 12, 21, 0), sthlm(2026, 12, 28, 0), timedelta(hours=24)),  # Christmas week
        (sthlm(2026, 12, 23, 14), sthlm(2027, 1, 1, 0), timedelta(hours=26)),  # 31st closed
        (sthlm(2026, 6, 9, 15), sthlm(2026, 6, 10, 9), timedelta(hours=2)),
    ],
)
def test_business_time_between(start: datetime, end: datetime, expected: timedelta) -> None:
    assert business_time_between(start, end, OFFICE) == expected


def test_opening_periods() -> None:
    assert opening_periods(date(2026, 6, 9), LUNCH_BREAK) == [
        (sthlm(2026, 6, 9, 8), sthlm(2026, 6, 9, 12)),
        (sthlm(2026, 6, 9, 13), sthlm(2026, 6, 9, 16)),
    ]
    assert opening_periods(date(2026, 6, 13), OFFICE) == []  # Saturday
    assert opening_periods(date(2026, 12, 24), OFFICE) == []  # closed date
    assert all(s.tzinfo is STOCKHOLM for s, _ in opening_periods(date(2026, 6, 9), OFFICE))


# --- DST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", [STOCKHOLM, OSLO])
def test_spring_forward_day_is_shorter_in_real_time(tz: ZoneInfo) -> None:
    hours = sunday_only(tz, (time(1), time(5)))
    day = datetime(2026, 3, 29, tzinfo=tz)
    ((start, end),) = opening_periods(day.date(), hours)
    assert utc(start) == datetime(2026, 3, 29, 0, tzinfo=UTC)  # 01:00 CET
    assert utc(end) == datetime(2026, 3, 29, 3, tzinfo=UTC)  # 05:00 CEST
    assert business_time_between(day, day + timedelta(days=1), hours) == timedelta(hours=3)
    assert utc(add_business_time(start, timedelta(hours=3), hours)) == utc(end)
    half_way = add_business_time(start, timedelta(hours=1, minutes=30), hours)
    assert (half_way.hour, half_way.minute, half_way.utcoffset()) == (3, 30, timedelta(hours=2))


@pytest.mark.parametrize("tz", [STOCKHOLM, OSLO])
def test_fall_back_day_is_longer_in_real_time(tz: ZoneInfo) -> None:
    hours = sunday_only(tz, (time(1), time(5)))
    day = datetime(2026, 10, 25, tzinfo=tz)
    ((start, end),) = opening_periods(day.date(), hours)
    assert end - start != utc(end) - utc(start)  # same-zone subtraction is wall-clock
    assert utc(end) - utc(start) == timedelta(hours=5)
    assert business_time_between(day, day + timedelta(days=1), hours) == timedelta(hours=5)
    # Two hours after 01:00 CEST is the second 02:00, in CET.
    result = add_business_time(start, timedelta(hours=2), hours)
    assert utc(result) == datetime(2026, 10, 25, 1, tzinfo=UTC)
    assert (result.hour, result.fold, result.utcoffset()) == (2, 1, timedelta(hours=1))


@pytest.mark.parametrize("tz", [STOCKHOLM, OSLO])
def test_office_week_across_dst(tz: ZoneInfo) -> None:
    hours = OpeningHours(WEEKDAYS_8_16, frozenset(), tz)
    friday = datetime(2026, 3, 27, 15, tzinfo=tz)
    monday = add_business_time(friday, timedelta(hours=2), hours)
    assert utc(monday) == datetime(2026, 3, 30, 7, tzinfo=UTC)  # 09:00 CEST
    assert monday.utcoffset() == timedelta(hours=2)
    for week_start in (datetime(2026, 3, 23, tzinfo=tz), datetime(2026, 10, 19, tzinfo=tz)):
        week_end = week_start + timedelta(days=7)  # wall-clock arithmetic: next Monday 00:00
        assert business_time_between(week_start, week_end, hours) == timedelta(hours=40)


def test_period_in_spring_gap_reads_with_pre_jump_offset() -> None:
    hours = sunday_only(STOCKHOLM, (time(2, 30), time(4)))
    ((start, end),) = opening_periods(date(2026, 3, 29), hours)
    assert (start.hour, start.minute, utc(end) - utc(start)) == (3, 30, timedelta(minutes=30))


def test_period_entirely_in_spring_gap_disappears() -> None:
    hours = sunday_only(STOCKHOLM, (time(2), time(3)), (time(10), time(11)))
    periods = opening_periods(date(2026, 3, 29), hours)
    assert [(s.hour, e.hour) for s, e in periods] == [(10, 11)]


def test_periods_overlapping_after_gap_shift_are_merged() -> None:
    hours = sunday_only(STOCKHOLM, (time(1), time(2, 30)), (time(3), time(4)))
    ((start, end),) = opening_periods(date(2026, 3, 29), hours)
    assert (utc(start), utc(end)) == (
        datetime(2026, 3, 29, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 2, tzinfo=UTC),
    )


def test_ambiguous_wall_time_means_first_occurrence() -> None:
    hours = sunday_only(OSLO, (time(2, 30), time(3, 30)))
    ((start, end),) = opening_periods(date(2026, 10, 25), hours)
    assert utc(start) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert utc(end) - utc(start) == timedelta(hours=2)


# --- errors -------------------------------------------------------------------------------------


NAIVE = datetime(2026, 6, 9, 10)


@pytest.mark.parametrize(
    "call",
    [
        lambda: is_open(NAIVE, OFFICE),
        lambda: next_opening(NAIVE, OFFICE),
        lambda: add_business_time(NAIVE, timedelta(hours=1), OFFICE),
        lambda: business_time_between(NAIVE, sthlm(2026, 6, 10), OFFICE),
        lambda: business_time_between(sthlm(2026, 6, 8), NAIVE, OFFICE),
    ],
)
def test_naive_datetime_is_rejected(call: object) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()  # type: ignore[operator]


def test_negative_duration_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(sthlm(2026, 6, 9, 10), timedelta(seconds=-1), OFFICE)


def test_no_opening_hours_raises() -> None:
    with pytest.raises(ValueError, match="No opening hours"):
        next_opening(sthlm(2026, 6, 9, 10), NEVER_OPEN)
    with pytest.raises(ValueError, match="No opening hours"):
        add_business_time(sthlm(2026, 6, 9, 10), timedelta(hours=1), NEVER_OPEN)
    assert business_time_between(sthlm(2026, 1, 1), sthlm(2027, 1, 1), NEVER_OPEN) == timedelta(0)


def _mondays(first: date, count: int) -> frozenset[date]:
    return frozenset(first + timedelta(weeks=n) for n in range(count))


def test_next_opening_gives_up_after_400_days() -> None:
    monday = date(2026, 6, 8)
    mondays_only = {0: [(time(8), time(16))]}
    within = OpeningHours(mondays_only, _mondays(monday, 50), STOCKHOLM)
    assert next_opening(sthlm(2026, 6, 8, 7), within).date() == monday + timedelta(weeks=50)
    beyond = OpeningHours(mondays_only, _mondays(monday, 60), STOCKHOLM)
    with pytest.raises(ValueError, match="400 days"):
        next_opening(sthlm(2026, 6, 8, 7), beyond)


@pytest.mark.parametrize(
    "weekly",
    [
        {0: [(time(16), time(8))]},
        {0: [(time(8), time(8))]},
        {0: [(time(8), time(12)), (time(11), time(16))]},
        {7: [(time(8), time(16))]},
        {0: [(time(8, tzinfo=UTC), time(16))]},
    ],
)
def test_invalid_opening_hours(weekly: dict[int, list[tuple[time, time]]]) -> None:
    with pytest.raises(ValueError):
        OpeningHours(weekly, frozenset(), STOCKHOLM)


# --- properties ---------------------------------------------------------------------------------


def _minute_of_day(minute: int) -> time:
    return time(minute // 60, minute % 60)


@st.composite
def opening_hours(draw: st.DrawFn) -> OpeningHours:
    weekly: dict[int, list[tuple[time, time]]] = {}
    for weekday in range(7):
        marks = sorted(draw(st.lists(st.integers(0, 24 * 60 - 1), unique=True, max_size=6)))
        periods = [
            (_minute_of_day(marks[i]), _minute_of_day(marks[i + 1]))
            for i in range(0, len(marks) - 1, 2)
        ]
        if periods:
            weekly[weekday] = periods
    assume(weekly)
    closed = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=30))
    return OpeningHours(weekly, closed, draw(st.sampled_from([STOCKHOLM, OSLO])))


schedules = st.one_of(st.just(OFFICE), st.just(LUNCH_BREAK), opening_hours())
instants = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from([STOCKHOLM, OSLO, UTC]),
)
# Starts close to the 2026 European DST changes, where wall-clock mistakes would show.
dst_instants = st.one_of(
    st.datetimes(datetime(2026, 3, 26), datetime(2026, 3, 31), timezones=st.just(STOCKHOLM)),
    st.datetimes(datetime(2026, 10, 22), datetime(2026, 10, 27), timezones=st.just(OSLO)),
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=200))


def _at_close(instant: datetime, hours: OpeningHours) -> bool:
    day = instant.astimezone(hours.tz).date()
    closes = {
        utc(end) for d in (day - timedelta(days=1), day) for _, end in opening_periods(d, hours)
    }
    return utc(instant) in closes


@given(hours=schedules, start=st.one_of(instants, dst_instants), duration=durations)
def test_due_is_never_strictly_inside_a_closed_period(
    hours: OpeningHours, start: datetime, duration: timedelta
) -> None:
    due = add_business_time(start, duration, hours)
    assert due.tzinfo is hours.tz
    assert utc(due) >= utc(start)
    assert is_open(due, hours) or (duration > timedelta(0) and _at_close(due, hours))


@given(hours=schedules, start=st.one_of(instants, dst_instants), duration=durations)
def test_round_trip(hours: OpeningHours, start: datetime, duration: timedelta) -> None:
    due = add_business_time(start, duration, hours)
    assert business_time_between(start, due, hours) == duration


@given(hours=schedules, first=instants, second=instants, duration=durations)
def test_monotone_in_start(
    hours: OpeningHours, first: datetime, second: datetime, duration: timedelta
) -> None:
    early, late = sorted((first, second), key=utc)
    assert utc(add_business_time(early, duration, hours)) <= utc(
        add_business_time(late, duration, hours)
    )


@given(hours=schedules, start=st.one_of(instants, dst_instants), a=durations, b=durations)
def test_monotone_in_duration(
    hours: OpeningHours, start: datetime, a: timedelta, b: timedelta
) -> None:
    short, long = sorted((a, b))
    assert utc(add_business_time(start, short, hours)) <= utc(add_business_time(start, long, hours))


@given(hours=schedules, a=instants, b=instants, c=instants)
def test_between_is_additive(hours: OpeningHours, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c), key=utc)
    total = business_time_between(a, c, hours)
    assert business_time_between(a, b, hours) + business_time_between(b, c, hours) == total
    assert timedelta(0) <= total <= utc(c) - utc(a)


@given(hours=schedules, at=st.one_of(instants, dst_instants))
def test_next_opening_is_open_and_nothing_opens_before_it(
    hours: OpeningHours, at: datetime
) -> None:
    opening = next_opening(at, hours)
    assert is_open(opening, hours)
    assert utc(opening) >= utc(at)
    assert business_time_between(at, opening, hours) == timedelta(0)
    assert (utc(opening) == utc(at)) is is_open(at, hours)


@given(hours=schedules, at=st.one_of(instants, dst_instants))
def test_is_open_agrees_with_business_time(hours: OpeningHours, at: datetime) -> None:
    tick = timedelta(microseconds=1)
    assert is_open(at, hours) is (business_time_between(at, utc(at) + tick, hours) == tick)


@settings(max_examples=40)
@given(
    hours=schedules,
    start=st.one_of(instants, dst_instants).map(lambda d: d.replace(second=0, microsecond=0)),
    minutes=st.integers(0, 2 * 24 * 60),
)
def test_between_matches_minute_by_minute_oracle(
    hours: OpeningHours, start: datetime, minutes: int
) -> None:
    # Schedules open and close on whole minutes and UTC offsets are whole hours, so sampling
    # each minute at its start counts open time exactly.
    begin = utc(start)
    open_minutes = sum(is_open(begin + timedelta(minutes=m), hours) for m in range(minutes))
    end = begin + timedelta(minutes=minutes)
    assert business_time_between(begin, end, hours) == timedelta(minutes=open_minutes)
