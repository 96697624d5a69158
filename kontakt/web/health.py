"""Health endpoints for load balancers, orchestrators and monitoring; no sign-in, no personal
data, JSON either way.

- `/health/live`: the process answers requests (it touches neither the database nor Redis,
  so a database outage does not get every web process restarted).
- `/health/ready`: this process can serve: the database answers, every migration is applied,
  and the cache, the task queue and the live-update bus are reachable where they are
  configured. 200 when all hold, 503 with the failing parts named otherwise; why a part
  failed goes to the log, not into the answer.
"""

import logging
import secrets
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_rq.connection_utils import get_redis_connection, get_unique_connection_configs
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# A part that does not answer within this many seconds counts as down.
REDIS_TIMEOUT = 2.0


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    results = {name: _run(name, check) for name, check in readiness_checks().items()}
    ok = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503
    )


def readiness_checks() -> dict[str, Callable[[], None]]:
    """What this process needs, by name; each check raises when its part is not usable."""
    checks: dict[str, Callable[[], None]] = {
        "database": check_database,
        "migrations": check_migrations,
        "cache": check_cache,
    }
    task_backend = str(settings.TASKS["default"]["BACKEND"])
    if task_backend.startswith("django_tasks_rq."):
        checks["tasks"] = check_rq_queues
    elif task_backend.startswith("django_tasks_db."):
        checks["tasks"] = check_database_queue
    if settings.KONTAKT["LIVE"]["BACKEND"] == "redis":
        checks["live"] = check_live_bus
    return checks


def _run(name: str, check: Callable[[], None]) -> str:
    try:
        check()
    except Exception as error:  # any failure means "not ready", never a 500
        logger.warning("Readiness check %s failed: %s: %s", name, type(error).__name__, error)
        return "unavailable"
    return "ok"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


class UnappliedMigrations(Exception):
    pass


def check_migrations() -> None:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise UnappliedMigrations(", ".join(str(migration) for migration, _back in plan[:5]))


def check_cache() -> None:
    key, value = "kontakt:health:ready", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")


def check_rq_queues() -> None:
    for config in get_unique_connection_configs(settings.RQ_QUEUES):
        if "URL" in config:
            client = redis.Redis.from_url(
                config["URL"], socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
            )
        else:
            client = get_redis_connection(config)
        try:
            client.ping()
        finally:
            client.close()


def check_database_queue() -> None:
    # The queue is a table: one row read (or none) shows that it is there.
    list(DBTaskResult.objects.values_list("pk", flat=True)[:1])


def check_live_bus() -> None:
    client = redis.Redis.from_url(
        settings.KONTAKT["LIVE"]["REDIS_URL"],
        socket_connect_timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
    )
    try:
        client.ping()
    finally:
        client.close()
