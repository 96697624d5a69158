"""What-if questions about one day of one answer group, answered by the simulator.

A what-if changes the day's plan — agents per interval, AHT, the share closed at first
contact, callers' patience, opening hours — and simulates the changed day beside the plan
with the same random numbers (common random numbers: the difference between the two comes
from the change, not from luck). Each side is simulated `replications` times and the figures
are pooled: a day of a small group has too few calls for one run to say much.

How the changes act on the calls:

* **Opening hours.** The day's callers still call: the forecast's total is kept and spread
  over the new open intervals in the forecast's shape. An interval opened that had no calls
  in the forecast takes the level of the nearest interval that had.
* **Closed at first contact.** Of N first contacts a share f is closed at once; each of the
  others brings k repeat contacts on average (k is measured: contacts linked to an open case
  per contact not closed at first). Offered contacts are V = N·(1 + k·(1 − f)), so changing
  f to f' scales the forecast by (1 + k·(1 − f')) / (1 + k·(1 − f)).
* **Agents, AHT, patience** go to the simulator as they are: exponential handling times with
  mean AHT (the Erlang C/A assumption, so the plan and the simulation speak of one model)
  and exponential patience (no patience: nobody hangs up). Figures follow DESIGN.md: a
  caller who hangs up within 5 s is a short abandon, not offered, so the simulated abandon
  rate reads a little below Erlang A's, which counts every caller.

Both sides draw from the same seeds, so they match call for call up to the first interval
the change touches and drift apart after it.

**The center as configured.** `center_scenario` builds the day from the real answer groups
(production's `router.Group`: skill, language, overflow steps) and the kinds of agent the
center has (skills with proficiencies, languages), so the simulator routes the day as
production would: each group's agents on the phones are shared out over the kinds of agent
who can take its calls, in proportion to how many there are of each.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kontakt.core.router import DEFAULT_AGING_SECONDS, Group
from kontakt.core.routing import Agent, Need, can_take
from kontakt.core.simulation import (
    AnswerGroup,
    Duration,
    Overflow,
    ProgressCallback,
    Scenario,
    SimulationResult,
    Team,
    simulate,
)

# Aim for about this many simulated calls per side, between the replication bounds.
TARGET_ARRIVALS = 100_000
MIN_REPLICATIONS, MAX_REPLICATIONS = 20, 400


class WhatIfError(ValueError):
    """A what-if that cannot be simulated, with the reason."""


def reshape_calls(
    calls: Sequence[float], open_before: Sequence[bool], open_after: Sequence[bool]
) -> list[float]:
    """Move a day's calls onto new opening hours, keeping the day's total."""
    if not len(calls) == len(open_before) == len(open_after):
        raise WhatIfError("Calls and opening hours must cover the same intervals.")
    total = math.fsum(calls)
    if not any(open_after):
        return [0.0] * len(calls)
    had = [i for i, c in enumerate(calls) if c > 0 and open_before[i]]
    shape = []
    for i, is_open in enumerate(open_after):
        if not is_open:
            shape.append(0.0)
        elif calls[i] > 0 and open_before[i]:
            shape.append(calls[i])
        elif had:
            nearest = min(had, key=lambda j: (abs(j - i), j))
            shape.append(calls[nearest])
        else:
            shape.append(1.0)
    weight = math.fsum(shape)
    return [total * s / weight for s in shape]


def first_contact_factor(*, closed_before: float, closed_after: float, repeats: float) -> float:
    """Return how offered contacts scale when the share closed at first contact changes."""
    for name, share in (("before", closed_before), ("after", closed_after)):
        if not (math.isfinite(share) and 0 <= share <= 1):
            raise WhatIfError(f"The share closed at first contact {name} must be 0–1.")
    if not (math.isfinite(repeats) and repeats >= 0):
        raise WhatIfError("Repeat contacts per unresolved contact must be at least 0.")
    return (1.0 + repeats * (1.0 - closed_after)) / (1.0 + repeats * (1.0 - closed_before))


def replications_for(calls: Sequence[float]) -> int:
    """Return how many times to simulate a day of these calls."""
    per_day = math.fsum(calls)
    if per_day <= TARGET_ARRIVALS / MAX_REPLICATIONS:
        return MAX_REPLICATIONS if per_day > 0 else MIN_REPLICATIONS
    return max(MIN_REPLICATIONS, math.ceil(TARGET_ARRIVALS / per_day))


def _pooled(
    offered: float,
    answered: float,
    within: list[float],
    abandoned: float,
    wait: float,
    answer_times: Sequence[float],
) -> dict[str, Any]:
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "service_level": {
            f"{t:g}": (w / offered if offered else None)
            for t, w in zip(answer_times, within, strict=True)
        },
        "abandon_rate": abandoned / offered if offered else None,
        "asa_seconds": wait / answered if answered else None,
    }


def _part(progress: ProgressCallback, index: int, parts: int) -> ProgressCallback:
    """Report the progress of part `index` of `parts` as progress of the whole."""
    return lambda share: progress((index + share) / parts)


def simulate_day(
    calls: Sequence[float],
    agents: Sequence[int],
    *,
    interval_seconds: float,
    aht_seconds: float,
    patience_seconds: float | None,
    answer_times: tuple[float, ...] = (20.0, 30.0),
    replications: int | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Simulate one day of one group of identical agents `replications` times, pooled.

    Per interval and for the day: offered, answered and abandoned calls per day (means over
    the replications), service level at each answer time, abandon rate, ASA and occupancy.
    """
    _check_day(calls, agents)
    scenario = Scenario(
        groups=(
            AnswerGroup(
                name="calls",
                skill="calls",
                calls=tuple(float(c) for c in calls),
                talk=Duration(aht_seconds),
                patience=None if patience_seconds is None else Duration(patience_seconds),
            ),
        ),
        teams=(Team(name="agents", agents=tuple(int(a) for a in agents), skills={"calls": 1}),),
        interval_seconds=float(interval_seconds),
        answer_times=answer_times,
    )
    return simulate_scenario_day(
        scenario, "calls", agents, replications=replications, seed=seed, progress=progress
    )


def _check_day(calls: Sequence[float], agents: Sequence[int]) -> None:
    if len(calls) != len(agents) or not calls:
        raise WhatIfError("Give calls and agents for the same, non-empty list of intervals.")
    if any(not (math.isfinite(c) and c >= 0) for c in calls):
        raise WhatIfError("Calls per interval must be at least 0.")
    if any(a < 0 for a in agents):
        raise WhatIfError("Agents per interval must be at least 0.")


def _check_replications(replications: int | None) -> None:
    if replications is not None and (
        isinstance(replications, bool) or not isinstance(replications, int) or replications < 1
    ):
        raise WhatIfError(
            f"Replications must be a whole number of at least 1, got {replications!r}."
        )


@dataclass(frozen=True, slots=True)
class AgentKind:
    """Agents of the center who share skills (with proficiencies) and languages."""

    skills: Mapping[str, int]
    languages: frozenset[str]
    agents: int  # how many of them there are


def split_agents(total: int, weights: Sequence[int]) -> list[int]:
    """Share `total` agents out in proportion to `weights`, in whole numbers.

    Largest remainder (Hamilton's method); a tie goes to the earlier weight.
    """
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    shares = [math.floor(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def center_scenario(
    groups: Sequence[Group],
    kinds: Sequence[AgentKind],
    *,
    calls: Mapping[str, Sequence[float]],
    on_phones: Mapping[str, Sequence[int]],
    interval_seconds: float,
    aht_seconds: float,
    patience_seconds: float | None,
    answer_times: tuple[float, ...] = (20.0, 30.0),
    aging_seconds: float = DEFAULT_AGING_SECONDS,
) -> Scenario:
    """A day of the center as configured: its answer groups, each with its calls and agents.

    `groups` are production's (skill, language, overflow steps; steps to a group not given
    are left out). A group's agents on the phones in each interval are shared out over the
    kinds of agent who can take its calls (its skill; its language, if it has one) in
    proportion to their numbers; with no such kind, over agents who have just its skill and
    language (agents the center would have to find).
    """
    if not groups:
        raise WhatIfError("A day of the center needs at least one answer group.")
    lengths = {len(v) for v in [*calls.values(), *on_phones.values()]}
    if len(lengths) != 1:
        raise WhatIfError("Give calls and agents for the same intervals in every group.")
    (intervals,) = lengths
    codes = {group.code for group in groups}
    patience = None if patience_seconds is None else Duration(patience_seconds)
    scenario_groups = []
    teams = []
    for group in groups:
        group_calls = calls.get(group.code, [0.0] * intervals)
        agents = on_phones.get(group.code, [0] * intervals)
        _check_day(group_calls, agents)
        scenario_groups.append(
            AnswerGroup(
                name=group.code,
                skill=group.skill,
                calls=tuple(float(c) for c in group_calls),
                talk=Duration(aht_seconds),
                patience=patience,
                language=group.language,
                overflow=tuple(
                    Overflow(step.group, step.after_seconds)
                    for step in group.overflow
                    if step.group in codes and step.group != group.code
                ),
            )
        )
        need = Need(group.skill, group.language)
        able = [k for k in kinds if k.agents > 0 and can_take(_agent(k), need)]
        if not able:
            languages = frozenset() if group.language is None else frozenset({group.language})
            able = [AgentKind({group.skill: 1}, languages, 1)]
        shares = [split_agents(int(n), [k.agents for k in able]) for n in agents]
        for number, kind in enumerate(able):
            teams.append(
                Team(
                    name=f"{group.code} {number + 1}",
                    agents=tuple(row[number] for row in shares),
                    skills=dict(kind.skills),
                    languages=kind.languages,
                )
            )
    return Scenario(
        groups=tuple(scenario_groups),
        teams=tuple(teams),
        interval_seconds=float(interval_seconds),
        answer_times=answer_times,
        aging_seconds=aging_seconds,
    )


def _agent(kind: AgentKind) -> Agent:
    return Agent("", kind.skills, kind.languages)


def simulate_scenario_day(
    scenario: Scenario,
    focus: str,
    agents: Sequence[int],
    *,
    replications: int | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Simulate a day's scenario `replications` times and return pooled figures, JSON-ready.

    `intervals` and `totals` are the figures of the `focus` group (the one planned, whose
    agents per interval are `agents`); `groups` has every group's day. Occupancy is over all
    the agents on duty.
    """
    _check_replications(replications)
    names = [group.name for group in scenario.groups]
    if focus not in names:
        raise WhatIfError(f"No answer group {focus!r} in the day.")
    calls = scenario.groups[names.index(focus)].calls
    if len(agents) != len(calls):
        raise WhatIfError("Give agents for every interval of the day.")
    every_call = [math.fsum(g.calls[i] for g in scenario.groups) for i in range(len(calls))]
    runs = replications if replications is not None else replications_for(every_call)
    answer_times = scenario.answer_times
    n, k = len(calls), len(answer_times)
    offered = [0.0] * n
    answered = [0.0] * n
    abandoned = [0.0] * n
    wait = [0.0] * n
    within = [[0.0] * k for _ in range(n)]
    occupancy = [0.0] * n
    occupancy_runs = [0] * n
    per_group = {name: _Pool(k) for name in names}
    for run in range(runs):
        report = None if progress is None else _part(progress, run, runs)
        result = simulate(scenario, seed=seed + run, progress=report)
        for i, row in enumerate(result.intervals):
            figures = row.groups[focus]
            offered[i] += figures.offered
            answered[i] += figures.answered
            abandoned[i] += figures.abandoned
            wait[i] += (figures.asa_seconds or 0.0) * figures.answered
            for j in range(k):
                within[i][j] += figures.answered_within[j]
            if row.occupancy is not None:
                occupancy[i] += row.occupancy
                occupancy_runs[i] += 1
        for name in names:
            per_group[name].add(result, name)
    intervals = [
        {
            **_pooled(offered[i], answered[i], within[i], abandoned[i], wait[i], answer_times),
            "agents": int(agents[i]),
            "calls": float(calls[i]),
            "occupancy": occupancy[i] / occupancy_runs[i] if occupancy_runs[i] else None,
        }
        for i in range(n)
    ]
    totals = _pooled(
        math.fsum(offered),
        math.fsum(answered),
        [math.fsum(row[j] for row in within) for j in range(k)],
        math.fsum(abandoned),
        math.fsum(wait),
        answer_times,
    )
    busy = [(row["occupancy"], row["agents"]) for row in intervals if row["occupancy"] is not None]
    staffed = sum(agents for _, agents in busy)
    totals["occupancy"] = math.fsum(o * a for o, a in busy) / staffed if staffed else None
    groups = {name: pool.figures(answer_times) for name, pool in per_group.items()}
    for pooled in [*intervals, totals, *groups.values()]:
        for key in ("offered", "answered", "abandoned", "overflowed"):
            if key in pooled:
                pooled[key] = pooled[key] / runs
    day: dict[str, Any] = {"replications": runs, "seed": seed, "intervals": intervals}
    day["totals"] = totals
    if len(names) > 1:
        day["groups"] = groups
    return day


class _Pool:
    """One group's day summed over the replications."""

    def __init__(self, answer_times: int) -> None:
        self.offered = self.answered = self.abandoned = self.wait = 0.0
        self.overflowed = 0.0
        self.within = [0.0] * answer_times

    def add(self, result: SimulationResult, name: str) -> None:
        figures = result.groups[name]
        self.offered += figures.offered
        self.answered += figures.answered
        self.abandoned += figures.abandoned
        self.overflowed += figures.overflowed
        self.wait += (figures.asa_seconds or 0.0) * figures.answered
        for j, count in enumerate(figures.answered_within):
            self.within[j] += count

    def figures(self, answer_times: Sequence[float]) -> dict[str, Any]:
        pooled = _pooled(
            self.offered, self.answered, self.within, self.abandoned, self.wait, answer_times
        )
        pooled["overflowed"] = self.overflowed
        return pooled
