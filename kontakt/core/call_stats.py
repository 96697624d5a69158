"""Service-level figures from call summaries, by the definitions in DESIGN.md.

Which calls count, and where:

- Only calls that entered a queue (`queued_at` set) count; a call that never left the IVR,
  asked for a callback there, or was answered without a `queued` event (straight from the
  IVR or on a direct number), is not in these figures: it has no measured wait.
- A call still waiting or ringing is not counted yet (live figures show it as waiting). A
  call being talked (TALKING) counts as answered already: its wait is known and an answer
  is final, so the figures only grow as calls end.
- offered = answered + abandoned + left_queue. Short abandons (a wait under the short-abandon
  limit, 5 s by default, decided in `summarize_call`) are counted apart and left out of
  offered. LEFT_QUEUE calls (queue timeout, exit by key, queue emptied) are offered and
  neither answered nor abandoned.
- callbacks: a callback request ends the wait, and the callback becomes its own contact, so
  these calls are counted apart and left out of offered, like short abandons.
- answered within T means a wait of at most T seconds (≤ T).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from kontakt.core.call_events import CallState, CallSummary

DEFAULT_THRESHOLDS = (20, 30)

_ANSWERED = frozenset({CallState.ANSWERED, CallState.TALKING})
_COUNTED = _ANSWERED | {
    CallState.ABANDONED,
    CallState.SHORT_ABANDONED,
    CallState.LEFT_QUEUE,
    CallState.CALLBACK,
}


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    """Counts of queued calls over an interval or group; `answered_within` maps T to a count."""

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    left_queue: int
    callbacks: int
    answered_within: Mapping[int, int]
    wait_answered_seconds_total: float

    def _within(self, threshold: int) -> int:
        try:
            return self.answered_within[threshold]
        except KeyError:
            known = ", ".join(str(t) for t in sorted(self.answered_within))
            raise ValueError(
                f"No count of calls answered within {threshold} s (counted: {known})."
            ) from None

    def service_level(self, threshold: int) -> float | None:
        """SL(T) = answered within T s / offered; None when nothing was offered."""
        within = self._within(threshold)
        return within / self.offered if self.offered else None

    def service_level_of_answered(self, threshold: int) -> float | None:
        """Answered within T s / answered: the figure Asterisk and Wazo report, so labelled."""
        within = self._within(threshold)
        return within / self.answered if self.answered else None

    @property
    def answer_rate(self) -> float | None:
        """Answered / offered; None when nothing was offered."""
        return self.answered / self.offered if self.offered else None

    @property
    def asa_seconds(self) -> float | None:
        """Average speed of answer: the mean wait of answered calls."""
        return self.wait_answered_seconds_total / self.answered if self.answered else None

    def merge(self, other: ServiceLevel) -> ServiceLevel:
        """Add another interval's or group's figures (both must count the same thresholds)."""
        if set(self.answered_within) != set(other.answered_within):
            raise ValueError("Only figures counted for the same thresholds can be merged.")
        return ServiceLevel(
            offered=self.offered + other.offered,
            answered=self.answered + other.answered,
            abandoned=self.abandoned + other.abandoned,
            short_abandoned=self.short_abandoned + other.short_abandoned,
            left_queue=self.left_queue + other.left_queue,
            callbacks=self.callbacks + other.callbacks,
            answered_within=MappingProxyType(
                {t: n + other.answered_within[t] for t, n in self.answered_within.items()}
            ),
            wait_answered_seconds_total=math.fsum(
                (self.wait_answered_seconds_total, other.wait_answered_seconds_total)
            ),
        )


def _check_thresholds(thresholds: Sequence[int]) -> list[int]:
    if any(t < 0 for t in thresholds):
        raise ValueError("Service-level thresholds are seconds, zero or more.")
    return sorted(set(thresholds))


def is_counted(call: CallSummary) -> bool:
    """Tell whether a call is in the service-level figures (queued and no longer waiting)."""
    return call.queued_at is not None and call.state in _COUNTED


def service_level(
    calls: Iterable[CallSummary], *, thresholds: Sequence[int] = DEFAULT_THRESHOLDS
) -> ServiceLevel:
    """Count the calls by the rules in the module docstring."""
    levels = _check_thresholds(thresholds)
    answered = abandoned = short = left = callbacks = 0
    within = dict.fromkeys(levels, 0)
    waits: list[float] = []
    for call in calls:
        if not is_counted(call):
            continue
        if call.state in _ANSWERED:
            answered += 1
            wait = call.wait_seconds or 0.0
            waits.append(wait)
            for t in levels:
                if wait <= t:
                    within[t] += 1
        elif call.state is CallState.ABANDONED:
            abandoned += 1
        elif call.state is CallState.SHORT_ABANDONED:
            short += 1
        elif call.state is CallState.LEFT_QUEUE:
            left += 1
        else:
            callbacks += 1
    return ServiceLevel(
        offered=answered + abandoned + left,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=short,
        left_queue=left,
        callbacks=callbacks,
        answered_within=MappingProxyType(within),
        # fsum is exact, so the total does not depend on the order of the calls.
        wait_answered_seconds_total=math.fsum(waits),
    )


def _check_minutes(minutes: int) -> None:
    if minutes <= 0 or (24 * 60) % minutes:
        raise ValueError("An interval is a whole number of minutes that divides a day.")


def interval_start(moment: datetime, minutes: int = 15) -> datetime:
    """The start of the `minutes`-long interval of the day holding `moment`, in its timezone."""
    _check_minutes(minutes)
    minute_of_day = moment.hour * 60 + moment.minute
    start = minute_of_day // minutes * minutes
    return moment.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)


def by_interval(
    calls: Iterable[CallSummary],
    *,
    minutes: int = 15,
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
) -> dict[datetime, ServiceLevel]:
    """Service level per interval of `queued_at` (floored, in the input's timezone), sorted.

    An interval appears when at least one counted call entered a queue in it.
    """
    _check_minutes(minutes)
    groups: dict[datetime, list[CallSummary]] = {}
    for call in calls:
        if is_counted(call) and call.queued_at is not None:
            groups.setdefault(interval_start(call.queued_at, minutes), []).append(call)
    return {start: service_level(groups[start], thresholds=thresholds) for start in sorted(groups)}
