"""Background work of staffing: simulating what-if runs, with progress on the run's row."""

import logging
import time

from django.tasks import task
from django.utils import timezone

from kontakt.core.what_if import simulate_day

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

            sides[side] = simulate_day(
                p[side]["calls"],
                p[side]["on_phones"],
                interval_seconds=run.interval_minutes * 60,
                aht_seconds=p[side]["aht_seconds"],
                patience_seconds=p[side]["patience_seconds"],
                answer_times=tuple(float(t) for t in p["answer_times"]),
                seed=p["seed"],
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
