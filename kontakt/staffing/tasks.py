"""Background work of staffing: simulating what-if runs, with progress on the run's row."""

import logging
import time
from typing import Any

from django.tasks import task
from django.utils import timezone

from kontakt.core.router import Group, OverflowStep
from kontakt.core.simulation import ProgressCallback, Scenario
from kontakt.core.what_if import AgentKind, center_scenario, simulate_day, simulate_scenario_day

from .models import RunStatus, WhatIfRun

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5


@task()
def what_if_simulate(*, run_id: int) -> str:
    """Simulate the plan and the what-if of a run with the same random numbers."""
    run = WhatIfRun.objects.get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run.status
    WhatIfRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING, progress=0.0)
    p = run.parameters
    last_write = 0.0

    def progress(share: float) -> None:
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= PROGRESS_EVERY_SECONDS:
            last_write = now
            WhatIfRun.objects.filter(pk=run_id).update(progress=round(share, 3))

    try:
        sides = {}
        for index, side in enumerate(("plan", "what_if")):

            def side_progress(share: float, index: int = index) -> None:
                progress((index + share) / 2)

            sides[side] = _simulate_side(
                p,
                side,
                interval_seconds=run.interval_minutes * 60,
                progress=side_progress,
            )
    except Exception as error:
        logger.exception("What-if run %s failed", run_id)
        WhatIfRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=str(error), finished_at=timezone.now()
        )
        return RunStatus.FAILED
    WhatIfRun.objects.filter(pk=run_id).update(
        status=RunStatus.DONE, progress=1.0, result=sides, finished_at=timezone.now()
    )
    return RunStatus.DONE


def _simulate_side(
    p: dict[str, Any], side: str, *, interval_seconds: int, progress: ProgressCallback
) -> dict[str, Any]:
    """One side of a run: on the answer groups as routed when the run has them, else (the
    whole center, or a run stored before) on one group of identical agents."""
    day = p[side]
    scenario = what_if_scenario(p, side, interval_seconds=interval_seconds)
    if scenario is None:
        return simulate_day(
            day["calls"],
            day["on_phones"],
            interval_seconds=interval_seconds,
            aht_seconds=day["aht_seconds"],
            patience_seconds=day["patience_seconds"],
            answer_times=tuple(float(t) for t in p["answer_times"]),
            seed=p["seed"],
            progress=progress,
        )
    focus = scenario.groups[0].name
    return simulate_scenario_day(
        scenario, focus, day["on_phones"], seed=p["seed"], progress=progress
    )


def what_if_scenario(p: dict[str, Any], side: str, *, interval_seconds: int) -> Scenario | None:
    """The day a side of a run simulates, on the answer groups as routed; None for a run
    without them (the whole center)."""
    center = p.get("center")
    if center is None:
        return None
    day = p[side]
    groups = [
        Group(
            code=g["code"],
            skill=g["skill"],
            language=g["language"],
            overflow=tuple(OverflowStep(s["after_seconds"], s["group"]) for s in g["overflow"]),
        )
        for g in center["groups"]
    ]
    focus = groups[0].code
    others = center["others"]
    return center_scenario(
        groups,
        [AgentKind(k["skills"], frozenset(k["languages"]), k["agents"]) for k in center["kinds"]],
        calls={focus: day["calls"], **{code: o["calls"] for code, o in others.items()}},
        on_phones={focus: day["on_phones"], **{c: o["on_phones"] for c, o in others.items()}},
        interval_seconds=interval_seconds,
        aht_seconds=day["aht_seconds"],
        patience_seconds=day["patience_seconds"],
        answer_times=tuple(float(t) for t in p["answer_times"]),
        aging_seconds=center["aging_seconds"],
    )
