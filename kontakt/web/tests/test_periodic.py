"""The periodic scheduler: each registered task is enqueued once per period, however many
schedulers run or rounds pass, on the database queue as the workers read it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from kontakt.directory.models import Absence, CalendarFeed
from kontakt.directory.tasks import calendar_feeds_read
from kontakt.directory.tests.factories import EmployeeFactory
from kontakt.web import periodic as periodic_module
from kontakt.web.periodic import REGISTRY, periodic, periodic_round, periodic_tasks

CALENDAR = "kontakt.directory.tasks.calendar_feeds_read"
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@task()
def heartbeat() -> str:
    return "ok"


@pytest.fixture
def only_heartbeat(monkeypatch):
    """A registry holding a test task alone, every 5 minutes."""
    monkeypatch.setattr(periodic_module, "REGISTRY", {})
    monkeypatch.setattr(periodic_module, "autodiscover_modules", lambda name: None)
    periodic(every=timedelta(minutes=5))(heartbeat)
    return periodic_module.REGISTRY


def test_the_calendar_feeds_are_registered_every_15_minutes_from_settings(settings):
    entry = {e.name: e for e in periodic_tasks()}[CALENDAR]
    assert entry.task is calendar_feeds_read
    assert entry.period() == timedelta(minutes=15)
    settings.KONTAKT = {
        **settings.KONTAKT,
        "CALENDARS": {**settings.KONTAKT["CALENDARS"], "POLL_MINUTES": 2},
    }
    assert entry.period() == timedelta(minutes=2)
    assert CALENDAR in REGISTRY


def test_a_task_is_enqueued_once_per_period_however_many_rounds(only_heartbeat):
    assert periodic_round(now=T0) == ["kontakt.web.tests.test_periodic.heartbeat"]
    # Another scheduler (same cache), or the same one a moment later: nothing.
    assert periodic_round(now=T0) == []
    assert periodic_round(now=T0 + timedelta(minutes=4, seconds=59)) == []
    # The next period.
    assert periodic_round(now=T0 + timedelta(minutes=5)) == [
        "kontakt.web.tests.test_periodic.heartbeat"
    ]


@pytest.mark.django_db
def test_the_command_enqueues_on_the_database_queue_for_the_workers(settings, only_heartbeat):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "notifications"],
        }
    }
    call_command("periodic", "--once", verbosity=0)
    call_command("periodic", "--once", verbosity=0)
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("kontakt.web.tests.test_periodic.heartbeat", "READY")
    ]


@pytest.mark.django_db
def test_a_round_reads_the_calendar_feeds():
    feed = CalendarFeed.objects.create(
        employee=EmployeeFactory(),
        content=(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n"
            "DTSTART:20300101T080000Z\r\nDTEND:20300101T090000Z\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n"
        ).replace("20300101", (datetime.now(UTC) + timedelta(days=2)).strftime("%Y%m%d")),
    )
    # Tests run tasks at once (the immediate backend).
    assert CALENDAR in periodic_round()
    assert Absence.objects.filter(feed=feed).count() == 1
    feed.refresh_from_db()
    assert feed.last_ok_at is not None
