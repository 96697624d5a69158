"""Business-hours arithmetic over weekly opening hours, closed dates and a time zone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far next_opening and add_business_time look for an open period before giving up.
SEARCH_DAYS = 400

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)

_Period = tuple[datetime, datetime]


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours, closed dates and the time zone they are read in."""

    weekly: Mapping[int, Sequence[tuple[time, time]]]
    closed_dates: frozenset[date]
    tz: ZoneInfo

    def __post_init__(self) -> None:
        for weekday, periods in self.weekly.items():
            if not 0 <= weekday <= 6:
                raise ValueError(f"Weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}.")
            previous_close: time | None = None
            for open_time, close_time in sorted(periods):
                if open_time.tzinfo is not None or close_time.tzinfo is not None:
                    raise ValueError("Opening hours are local wall-clock times without tzinfo.")
                if close_time <= open_time:
                    raise ValueError(f"Closing time {close_time} is not after opening {open_time}.")
                if previous_close is not None and open_time < previous_close:
                    raise ValueError(f"Opening periods overlap on weekday {weekday}.")
                previous_close = close_time


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime.")


def _wall_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    # fold=0 (PEP 495 default): an ambiguous wall time means its first occurrence, and a wall
    # time skipped by a spring-forward jump is read with the pre-jump offset (02:30 -> 03:30).
    return datetime.combine(day, wall.replace(fold=0), tzinfo=tz).astimezone(UTC)


def _utc_periods(day: date, hours: OpeningHours) -> list[_Period]:
    # Everything internal is UTC: aware datetimes sharing one ZoneInfo compare and subtract by
    # wall clock, which is wrong across DST changes.
    if day in hours.closed_dates:
        return []
    periods: list[_Period] = []
    for open_time, close_time in sorted(hours.weekly.get(day.weekday(), ())):
        start = _wall_to_utc(day, open_time, hours.tz)
        end = _wall_to_utc(day, close_time, hours.tz)
        if end <= start:
            continue  # The whole period fell into a DST gap.
        if periods and start < periods[-1][1]:
            # Shifting a skipped wall time forward can make neighbours overlap; merge them.
            periods[-1] = (periods[-1][0], max(periods[-1][1], end))
        else:
            periods.append((start, end))
    return periods


def _local_date(instant: datetime, hours: OpeningHours) -> date:
    return instant.astimezone(hours.tz).date()


def _open_periods_from(start: datetime, hours: OpeningHours) -> Iterator[_Period]:
    """Yield UTC open periods clipped to begin no earlier than `start`, in order."""
    # Start a day early in case a DST shift pushed yesterday's last period past midnight.
    day = _local_date(start, hours) - _ONE_DAY
    idle_days = 0
    while True:
        found = False
        for period_start, period_end in _utc_periods(day, hours):
            if period_end > start:
                found = True
                yield max(period_start, start), period_end
        idle_days = 0 if found else idle_days + 1
        if idle_days > SEARCH_DAYS:
            raise ValueError(f"No opening hours within {SEARCH_DAYS} days.")
        day += _ONE_DAY


def opening_periods(day: date, hours: OpeningHours) -> list[tuple[datetime, datetime]]:
    """Return the aware open periods of a local date, empty on closed dates."""
    return [(s.astimezone(hours.tz), e.astimezone(hours.tz)) for s, e in _utc_periods(day, hours)]


def is_open(at: datetime, hours: OpeningHours) -> bool:
    """Tell whether `at` falls inside an open period [open, close)."""
    _require_aware(at, "at")
    instant = at.astimezone(UTC)
    today = _local_date(instant, hours)
    return any(
        start <= instant < end
        for day in (today - _ONE_DAY, today)
        for start, end in _utc_periods(day, hours)
    )


def next_opening(at: datetime, hours: OpeningHours) -> datetime:
    """Return `at` if open, else the start of the next open period."""
    _require_aware(at, "at")
    start, _ = next(_open_periods_from(at.astimezone(UTC), hours))
    return start.astimezone(hours.tz)


def add_business_time(start: datetime, duration: timedelta, hours: OpeningHours) -> datetime:
    """Return the instant when `duration` of open time has passed after `start`."""
    _require_aware(start, "start")
    if duration < _ZERO:
        raise ValueError("Duration must not be negative.")
    if duration == _ZERO:
        return next_opening(start, hours)
    remaining = duration
    for period_start, period_end in _open_periods_from(start.astimezone(UTC), hours):
        available = period_end - period_start
        # `<=` so that a duration running out at closing time returns the close instant
        # rather than the next opening.
        if remaining <= available:
            return (period_start + remaining).astimezone(hours.tz)
        remaining -= available
    raise AssertionError("unreachable: the period iterator is infinite or raises")


def business_time_between(start: datetime, end: datetime, hours: OpeningHours) -> timedelta:
    """Return the open time within [start, end), zero if end <= start."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    start_utc = start.astimezone(UTC)
    end_utc = end.astimezone(UTC)
    if end_utc <= start_utc:
        return _ZERO
    total = _ZERO
    day = _local_date(start_utc, hours) - _ONE_DAY
    last_day = _local_date(end_utc, hours)
    while day <= last_day:
        for period_start, period_end in _utc_periods(day, hours):
            overlap = min(period_end, end_utc) - max(period_start, start_utc)
            if overlap > _ZERO:
                total += overlap
        day += _ONE_DAY
    return total
