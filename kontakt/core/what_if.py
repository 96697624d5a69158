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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from kontakt.core.simulation import (
    AnswerGroup,
    Duration,
    ProgressCallback,
    Scenario,
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
    """Simulate one day `replications` times and return pooled figures, JSON-ready.

    Per interval and for the day: offered, answered and abandoned calls per day (means over
    the replications), service level at each answer time, abandon rate, ASA and occupancy.
    """
    if len(calls) != len(agents) or not calls:
        raise WhatIfError("Give calls and agents for the same, non-empty list of intervals.")
    if any(not (math.isfinite(c) and c >= 0) for c in calls):
        raise WhatIfError("Calls per interval must be at least 0.")
    if any(a < 0 for a in agents):
        raise WhatIfError("Agents per interval must be at least 0.")
    if replications is not None and (
        isinstance(replications, bool) or not isinstance(replications, int) or replications < 1
    ):
        raise WhatIfError(
            f"Replications must be a whole number of at least 1, got {replications!r}."
        )
    runs = replications if replications is not None else replications_for(calls)
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
    n, k = len(calls), len(answer_times)
    offered = [0.0] * n
    answered = [0.0] * n
    abandoned = [0.0] * n
    wait = [0.0] * n
    within = [[0.0] * k for _ in range(n)]
    occupancy = [0.0] * n
    occupancy_runs = [0] * n
    for run in range(runs):
        report = None if progress is None else _part(progress, run, runs)
        result = simulate(scenario, seed=seed + run, progress=report)
        for i, row in enumerate(result.intervals):
            figures = row.calls
            offered[i] += figures.offered
            answered[i] += figures.answered
            abandoned[i] += figures.abandoned
            wait[i] += (figures.asa_seconds or 0.0) * figures.answered
            for j in range(k):
                within[i][j] += figures.answered_within[j]
            if row.occupancy is not None:
                occupancy[i] += row.occupancy
                occupancy_runs[i] += 1
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
    for pooled in [*intervals, totals]:
        for key in ("offered", "answered", "abandoned"):
            pooled[key] = pooled[key] / runs
    return {"replications": runs, "seed": seed, "intervals": intervals, "totals": totals}
