"""Tasks that run every so often: a registry, and the round that enqueues those that are due.

An app marks a task of Django's task framework as periodic where it defines it:

    @periodic(every=lambda: timedelta(minutes=settings.KONTAKT["CALENDARS"]["POLL_MINUTES"]))
    @task()
    def calendar_feeds_read() -> dict[str, int]: ...

`kontakt periodic` (beside the workers) enqueues each task once per period; the workers run
it. Time is cut into slots of the task's period since the epoch, and a slot is claimed with
the cache's atomic `add`, so two schedulers sharing the cache (Redis in production) enqueue a
task once per slot, and a restarted scheduler does not enqueue again what was enqueued in
the slot.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

Every = timedelta | Callable[[], timedelta]


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    task: Task
    every: Every

    def period(self) -> timedelta:
        period = self.every() if callable(self.every) else self.every
        if period <= timedelta(0):
            raise ValueError(f"The period of {self.name} must be positive, not {period}.")
        return period


REGISTRY: dict[str, PeriodicTask] = {}

CACHE_PREFIX = "periodic:slot:"


def periodic(*, every: Every) -> Callable[[Task], Task]:
    """Register a task to be enqueued every `every` (a timedelta, or a function giving one,
    for a period read from settings when the scheduler runs)."""

    def register(task: Task) -> Task:
        name = task.module_path
        REGISTRY[name] = PeriodicTask(name=name, task=task, every=every)
        return task

    return register


def periodic_tasks() -> list[PeriodicTask]:
    """Every registered periodic task, after importing each app's `tasks` module."""
    autodiscover_modules("tasks")
    return sorted(REGISTRY.values(), key=lambda entry: entry.name)


def slot(period: timedelta, now: datetime) -> int:
    return int(now.timestamp() // period.total_seconds())


def periodic_round(*, now: datetime | None = None) -> list[str]:
    """Enqueue each periodic task whose current slot nobody claimed yet; their names."""
    now = now or timezone.now()
    enqueued = []
    for entry in periodic_tasks():
        period = entry.period()
        key = f"{CACHE_PREFIX}{entry.name}:{int(period.total_seconds())}:{slot(period, now)}"
        # Kept two periods: long enough that no scheduler of the same slot comes later.
        if not cache.add(key, now.isoformat(), timeout=int(period.total_seconds() * 2) + 1):
            continue
        try:
            entry.task.enqueue()
        except Exception:
            # The claim is given back, so the next round tries again.
            cache.delete(key)
            logger.exception("Periodic task %s could not be enqueued", entry.name)
            continue
        enqueued.append(entry.name)
    return enqueued
