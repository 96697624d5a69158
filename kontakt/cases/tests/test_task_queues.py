"""The same task code runs on both real queues: the database queue and Redis (RQ)."""

import os
from datetime import timedelta

import pytest
import redis
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kontakt.accounts.models import User
from kontakt.accounts.services import roles_sync
from kontakt.cases import services
from kontakt.cases.models import CaseType
from kontakt.directory.models import Department, OpeningHours
from kontakt.directory.selectors import opening_hours_changed
from kontakt.residents.models import FeedbackChannel, Resident, ResidentEmail

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
QUEUES = ["default", "notifications"]


def redis_reachable() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture
def closed_case_setup(db):
    roles_sync()
    department = Department.objects.create(name="Avfall", code="avfall")
    for day in range(7):
        OpeningHours.objects.create(weekday=day, opens="00:00", closes="23:59")
    opening_hours_changed()
    case_type = CaseType.objects.create(
        name="Missad sophämtning",
        code="sophamtning",
        department=department,
        response_time=timedelta(hours=8),
    )
    handler = User.objects.create_user("handler", department=department)
    handler.groups.add(Group.objects.get(name="handler"))
    resident = Resident.objects.create(name="Elsa Berg", preferred_channel=FeedbackChannel.EMAIL)
    ResidentEmail.objects.create(resident=resident, address="elsa@example.org")
    case = services.case_create(
        draft=services.CaseDraft(
            case_type=case_type, subject="Kärlet tömdes inte", resident=resident
        ),
        by=handler,
        now=timezone.now(),
    )
    return case, handler


def close(case, handler):
    mail.outbox.clear()  # the receipt of the case, sent when the fixture made it
    services.case_change_status(case=case, to_status="closed", by=handler, resolution="Tömt i dag.")


@pytest.mark.django_db(transaction=True)
def test_database_queue_runs_the_notification(closed_case_setup):
    case, handler = closed_case_setup
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
    ):
        close(case, handler)
        assert mail.outbox == []  # queued, not run in the request
        call_command("db_worker", queue_name=",".join(QUEUES), batch=True, no_startup_delay=True)
    assert [m.to for m in mail.outbox] == [["elsa@example.org"]]
    assert case.reference in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_redis_queue_runs_the_notification(closed_case_setup):
    if not redis_reachable():
        if os.environ.get("KONTAKT_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis is required (--require-services) and unreachable at {REDIS_URL}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    case, handler = closed_case_setup
    rq_settings = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}},
        "RQ_QUEUES": {name: {"URL": REDIS_URL} for name in QUEUES},
    }
    with override_settings(**rq_settings):
        for name in QUEUES:
            django_rq.get_queue(name).empty()
        close(case, handler)
        assert mail.outbox == []
        worker = django_rq.get_worker(*QUEUES, job_class=Job, worker_class=SimpleWorker)
        assert worker.work(burst=True)
    assert [m.to for m in mail.outbox] == [["elsa@example.org"]]
