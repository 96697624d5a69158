"""The case status machine, case references and SLA clock pause arithmetic."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from kontakt.core.business_hours import (
    OpeningHours,
    add_business_time,
    business_time_between,
)


class CaseStatus(StrEnum):
    """Lifecycle status of a case."""

    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"  # Waiting for the resident.
    FORWARDED = "forwarded"
    CLOSED = "closed"


TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = MappingProxyType(
    {
        CaseStatus.NEW: frozenset(
            {CaseStatus.OPEN, CaseStatus.FORWARDED, CaseStatus.CLOSED, CaseStatus.WAITING}
        ),
        CaseStatus.OPEN: frozenset({CaseStatus.WAITING, CaseStatus.FORWARDED, CaseStatus.CLOSED}),
        CaseStatus.WAITING: frozenset({CaseStatus.OPEN, CaseStatus.FORWARDED, CaseStatus.CLOSED}),
        CaseStatus.FORWARDED: frozenset({CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.CLOSED}),
        CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
    }
)


class IllegalTransition(ValueError):
    """A status change the case status machine does not allow."""

    def __init__(self, from_status: CaseStatus, to_status: CaseStatus) -> None:
        super().__init__(f"A case cannot go from {from_status} to {to_status}.")
        self.from_status = from_status
        self.to_status = to_status


def check_transition(from_status: CaseStatus, to_status: CaseStatus) -> None:
    """Raise IllegalTransition unless `from_status` may change to `to_status`."""
    if to_status not in TRANSITIONS[from_status]:
        raise IllegalTransition(from_status, to_status)


def sla_clock_running(status: CaseStatus) -> bool:
    """Tell whether the SLA clock runs in this status (not while waiting or closed)."""
    return status not in (CaseStatus.WAITING, CaseStatus.CLOSED)


_PREFIX = re.compile(r"[A-Z]{1,10}")
_REFERENCE = re.compile(r"\s*([A-Z]{1,10})-([0-9]{4})-([0-9]{6,})\s*", re.IGNORECASE)


def format_case_reference(prefix: str, year: int, number: int) -> str:
    """Format a case reference such as KC-2026-000123."""
    prefix = prefix.upper()
    if _PREFIX.fullmatch(prefix) is None:
        raise ValueError("A case reference prefix is one to ten ASCII letters.")
    if not 1000 <= year <= 9999:
        raise ValueError("A case reference year has four digits.")
    if number < 1:
        raise ValueError("A case number is positive.")
    return f"{prefix}-{year:04d}-{number:06d}"


def parse_case_reference(text: str) -> tuple[str, int, int] | None:
    """Return (prefix, year, number) from a case reference, or None if it is not one."""
    match = _REFERENCE.fullmatch(text)
    if match is None:
        return None
    prefix, year, number = match[1].upper(), int(match[2]), int(match[3])
    # re.IGNORECASE lets some non-ASCII letters match [A-Z] (e.g. the Kelvin sign).
    if not prefix.isascii() or year < 1000 or number < 1:
        return None
    return prefix, year, number


@dataclass(frozen=True)
class SlaClock:
    """An SLA deadline that is either running (due_at set) or paused (remaining set)."""

    due_at: datetime | None
    paused_at: datetime | None
    remaining: timedelta | None

    def __post_init__(self) -> None:
        running = self.due_at is not None and self.paused_at is None and self.remaining is None
        paused = self.due_at is None and self.paused_at is not None and self.remaining is not None
        if not (running or paused):
            raise ValueError("An SLA clock has either due_at, or both paused_at and remaining.")
        for value in (self.due_at, self.paused_at):
            if value is not None and value.utcoffset() is None:
                raise ValueError("SLA clock datetimes must be timezone-aware.")
        if self.remaining is not None and self.remaining < timedelta(0):
            raise ValueError("Remaining SLA time must not be negative.")

    @property
    def is_paused(self) -> bool:
        """Tell whether the clock is paused."""
        return self.due_at is None


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("at must be a timezone-aware datetime.")


def sla_start(*, at: datetime, response_time: timedelta, hours: OpeningHours) -> SlaClock:
    """Start a running clock due after `response_time` of business time from `at`."""
    return SlaClock(
        due_at=add_business_time(at, response_time, hours), paused_at=None, remaining=None
    )


def sla_pause(clock: SlaClock, *, at: datetime, hours: OpeningHours) -> SlaClock:
    """Pause a running clock, keeping the business time left until it is due.

    An overdue clock keeps zero remaining time; how late it was is not remembered.
    """
    _require_aware(at)
    if clock.due_at is None:
        raise ValueError("The SLA clock is already paused.")
    remaining = business_time_between(at, clock.due_at, hours)
    return SlaClock(due_at=None, paused_at=at.astimezone(hours.tz), remaining=remaining)


def sla_resume(clock: SlaClock, *, at: datetime, hours: OpeningHours) -> SlaClock:
    """Resume a paused clock: due after the remaining business time from `at`.

    A clock paused while overdue has zero remaining, so it becomes due at next_opening(at)
    (add_business_time with a zero duration).
    """
    _require_aware(at)
    if clock.paused_at is None or clock.remaining is None:
        raise ValueError("The SLA clock is not paused.")
    if at.astimezone(UTC) < clock.paused_at.astimezone(UTC):
        raise ValueError("An SLA clock cannot resume before it was paused.")
    return SlaClock(
        due_at=add_business_time(at, clock.remaining, hours), paused_at=None, remaining=None
    )
