"""A staffing plan: agents needed per interval for a service goal, and what a roster gives.

For each interval the plan takes the forecast calls and the AHT, finds the fewest agents on
the phones meeting the goal (Erlang C, or Erlang A when callers' patience is given), adds
shrinkage to get the agents to schedule, and projects the service level, ASA and abandon
rate of the agents actually rostered. An open interval needs at least
`ServiceGoal.minimum_agents` (one by default) however quiet it is. Rostered agents are
headcount: of `scheduled`, the agents on the phones are scheduled × (1 − shrinkage), rounded
down.

Totals weight each interval by its calls: the day's service level is the share of the day's
offered calls answered within T, and its ASA the mean wait over the day's answered calls.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kontakt.core.erlang import (
    ErlangError,
    QueueFigures,
    agents_scheduled,
    erlang_a_agents_for_service_level,
    erlang_c_staffing_plan,
    queue_figures,
    traffic_erlangs,
)


@dataclass(frozen=True, slots=True)
class ServiceGoal:
    """What the center promises and what it costs to keep agents on the phones."""

    service_level: float = 0.8  # share of offered calls answered within answer_seconds
    answer_seconds: float = 20.0
    patience_seconds: float | None = None  # mean patience: Erlang A; None: Erlang C
    shrinkage: float = 0.3
    minimum_agents: int = 1  # on the phones in every open interval, however quiet

    def __post_init__(self) -> None:
        if not (math.isfinite(self.service_level) and 0 < self.service_level < 1):
            raise ErlangError(
                f"The service-level target must be above 0 and below 1, got {self.service_level!r}."
            )
        if not (math.isfinite(self.answer_seconds) and self.answer_seconds >= 0):
            raise ErlangError(f"The answer time must be at least 0 s, got {self.answer_seconds!r}.")
        if self.patience_seconds is not None and not (
            math.isfinite(self.patience_seconds) and self.patience_seconds > 0
        ):
            raise ErlangError(f"Patience must be more than 0 s, got {self.patience_seconds!r}.")
        if not (math.isfinite(self.shrinkage) and 0 <= self.shrinkage < 1):
            raise ErlangError(f"Shrinkage must be at least 0 and below 1, got {self.shrinkage!r}.")
        if isinstance(self.minimum_agents, bool) or not (
            isinstance(self.minimum_agents, int) and self.minimum_agents >= 0
        ):
            raise ErlangError(
                f"The minimum of agents must be a whole number of at least 0, "
                f"got {self.minimum_agents!r}."
            )

    @property
    def model(self) -> str:
        """Return "A" with callers' patience, "C" without."""
        return "C" if self.patience_seconds is None else "A"


@dataclass(frozen=True, slots=True)
class PlanInterval:
    """One interval of a plan."""

    calls: float
    traffic_erlangs: float
    needed: int  # agents on the phones for the goal
    needed_scheduled: int  # agents to schedule for that, shrinkage included
    scheduled: int | None  # agents on the roster; None without a roster
    on_phones: int | None  # of those, on the phones
    projected: QueueFigures | None  # the roster's figures; None without a roster


@dataclass(frozen=True, slots=True)
class PlanTotals:
    """A period's totals: call-weighted service level, answered-weighted ASA."""

    calls: float
    needed_agent_hours: float  # scheduled hours the goal needs
    scheduled_agent_hours: float | None
    service_level: float | None  # the roster's; None without calls or without a roster
    asa_seconds: float | None  # None when unbounded or nothing is answered
    abandon_rate: float | None
    occupancy: float | None
    intervals_short: int  # intervals where the roster has fewer agents than needed


def on_phones(scheduled: int, shrinkage: float) -> int:
    """Return the agents on the phones of `scheduled` rostered: scheduled × (1 − shrinkage)."""
    exact = scheduled * (1.0 - shrinkage)
    return math.floor(exact + 1e-9 * max(1.0, exact))


def plan_intervals(
    calls: Sequence[float],
    *,
    interval_seconds: float,
    aht_seconds: float,
    goal: ServiceGoal,
    scheduled: Sequence[int] | None = None,
) -> list[PlanInterval]:
    """Return the plan of each interval: agents needed for `goal`, and the roster's figures.

    `scheduled` gives the rostered agents of every interval, or None without a roster.
    """
    if scheduled is not None and len(scheduled) != len(calls):
        raise ErlangError(f"Got {len(calls)} intervals of calls but {len(scheduled)} of roster.")
    traffic = [traffic_erlangs(c, interval_seconds, aht_seconds) for c in calls]
    if goal.patience_seconds is None:
        needed = [
            f.agents
            for f in erlang_c_staffing_plan(
                traffic=traffic,
                aht_seconds=aht_seconds,
                target=goal.service_level,
                answer_time_seconds=goal.answer_seconds,
            )
        ]
    else:
        needed = [
            erlang_a_agents_for_service_level(
                traffic=erlangs,
                aht_seconds=aht_seconds,
                patience_seconds=goal.patience_seconds,
                target=goal.service_level,
                answer_time_seconds=goal.answer_seconds,
            ).agents
            if erlangs
            else 0
            for erlangs in traffic
        ]
    # Erlang needs nobody for no calls, but an open center answers the phone.
    needed = [max(agents, goal.minimum_agents) for agents in needed]
    rows = []
    for index, (c, erlangs, agents) in enumerate(zip(calls, traffic, needed, strict=True)):
        rostered = None if scheduled is None else scheduled[index]
        phones = None if rostered is None else on_phones(rostered, goal.shrinkage)
        projected = (
            None
            if phones is None
            else queue_figures(
                agents=phones,
                traffic=erlangs,
                aht_seconds=aht_seconds,
                patience_seconds=goal.patience_seconds,
                answer_time_seconds=goal.answer_seconds,
            )
        )
        rows.append(
            PlanInterval(
                calls=c,
                traffic_erlangs=erlangs,
                needed=agents,
                needed_scheduled=agents_scheduled(agents, goal.shrinkage),
                scheduled=rostered,
                on_phones=phones,
                projected=projected,
            )
        )
    return rows


def plan_totals(rows: Sequence[PlanInterval], *, interval_seconds: float) -> PlanTotals:
    """Return the totals of a period's intervals."""
    hours = interval_seconds / 3600.0
    calls = math.fsum(row.calls for row in rows)
    projected = [(row, row.projected) for row in rows if row.projected is not None]
    service_level = asa = abandon = occupancy = None
    if projected and calls > 0:
        service_level = math.fsum(row.calls * f.service_level for row, f in projected) / calls
        abandon = math.fsum(row.calls * f.p_abandon for row, f in projected) / calls
        answered = [(row.calls * (1.0 - f.p_abandon), f.asa_seconds) for row, f in projected]
        weight = math.fsum(a for a, _ in answered)
        if weight > 0 and all(math.isfinite(wait) for a, wait in answered if a > 0):
            asa = math.fsum(a * wait for a, wait in answered if a > 0) / weight
    phones = sum(row.on_phones or 0 for row, _ in projected)
    if phones:
        occupancy = math.fsum(f.occupancy * (row.on_phones or 0) for row, f in projected) / phones
    return PlanTotals(
        calls=calls,
        needed_agent_hours=math.fsum(row.needed_scheduled * hours for row in rows),
        scheduled_agent_hours=(
            math.fsum((row.scheduled or 0) * hours for row, _ in projected) if projected else None
        ),
        service_level=service_level,
        asa_seconds=asa,
        abandon_rate=abandon,
        occupancy=occupancy,
        intervals_short=sum(
            1 for row in rows if row.scheduled is not None and row.scheduled < row.needed_scheduled
        ),
    )
