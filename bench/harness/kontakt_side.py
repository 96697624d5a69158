"""Kontakt's side of the benchmarks, run in Kontakt's venv as a child of a benchmark script.

    .venv/bin/python bench/harness/kontakt_side.py setup
    .venv/bin/python bench/harness/kontakt_side.py seed --start 0 --count 100000
    .venv/bin/python bench/harness/kontakt_side.py search --repeat 5

The database comes from the environment like any Kontakt process: DATABASE_URL for
PostgreSQL, KONTAKT_SQLITE_PATH for the embedded SQLite default. `setup` migrates and makes
the organisation, the users, an API token and signed-in sessions through Kontakt's own
services; `seed` bulk-loads cases (COPY on PostgreSQL, executemany on SQLite) with secondary
indexes dropped and rebuilt from their migrated definitions; `search` times the case search
selector in-process. Each command prints one JSON object.
"""

import argparse
import json
import os
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from harness import bulk, corpus  # noqa: E402
from kontakt.accounts.models import User  # noqa: E402
from kontakt.accounts.services import api_token_create, roles_sync  # noqa: E402
from kontakt.cases import selectors  # noqa: E402
from kontakt.cases.models import Case, CaseReferenceCounter, CaseType  # noqa: E402
from kontakt.directory.models import Department, OpeningHours  # noqa: E402
from kontakt.residents.models import Resident  # noqa: E402

AGENT = "bench.agent"
HANDLERS_PER_DEPARTMENT = 3
RESIDENTS = 20_000
# The department whose queue the handler works; the busiest one of the corpus.
QUEUE_DEPARTMENT = "avfall-vatten"
API_IDS_FROM = 5_000_000


def _session_for(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def _user(username: str, role: str, department: Department | None = None) -> User:
    user = User(
        username=username, first_name=username.split(".")[-1].title(), department=department
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def setup() -> dict[str, object]:
    call_command("migrate", verbosity=0, interactive=False)
    roles_sync()
    with transaction.atomic():
        departments = {
            code: Department.objects.create(code=code, name=name)
            for code, name in corpus.DEPARTMENTS
        }
        for topic in corpus.TOPICS:
            CaseType.objects.create(
                code=topic.code,
                name=topic.name,
                department=departments[topic.department],
                response_time=timedelta(hours=16),
            )
        for weekday in range(5):
            OpeningHours.objects.create(
                weekday=weekday, opens=clock_time(8), closes=clock_time(16, 30)
            )
        agent = _user(AGENT, "agent")
        handlers = [
            _user(f"bench.handler.{code}.{n}", "handler", department)
            for code, department in departments.items()
            for n in range(HANDLERS_PER_DEPARTMENT)
        ]
        Resident.objects.bulk_create(
            Resident(name=f"Invånare {n}", city="Sjöstad") for n in range(RESIDENTS)
        )
        _token, key = api_token_create(user=agent, name="benchmark")
    handler = next(h for h in handlers if h.department.code == QUEUE_DEPARTMENT)
    return {
        "token": key,
        "agent_session": _session_for(agent),
        "handler_session": _session_for(handler),
        "queue_department": QUEUE_DEPARTMENT,
        "case_types": [t.code for t in corpus.TOPICS],
    }


# Seeding -------------------------------------------------------------------------------

CASE_COLUMNS = (
    "id", "reference", "status", "priority", "subject", "description", "feedback_channel",
    "created_at", "due_at", "sla_paused_at", "sla_remaining", "closed_at", "resolution",
    "sla_met", "updated_at", "answer_group_id", "created_by_id", "department_id", "handler_id",
    "resident_id", "case_type_id",
)  # fmt: skip
EVENT_COLUMNS = (
    "kind",
    "at",
    "from_status",
    "to_status",
    "body",
    "channel",
    "data",
    "by_id",
    "case_id",
)
CONTACT_COLUMNS = (
    "channel", "direction", "started_at", "ended_at", "summary", "outcome", "agent_id",
    "case_id", "case_type_id", "resident_id", "call_id",
)  # fmt: skip
TABLES = ("cases_case", "cases_caseevent", "cases_contact")


def _rows(start: int, count: int):  # type: ignore[no-untyped-def]
    """Each corpus row as a case, its `created` event and the contact that opened it."""
    agent_id = User.objects.get(username=AGENT).pk
    types = {t.code: t for t in CaseType.objects.all()}
    handlers: dict[int, list[int]] = {}
    for user in User.objects.filter(username__startswith="bench.handler.").order_by("id"):
        handlers.setdefault(user.department_id, []).append(user.pk)
    residents = list(Resident.objects.order_by("id").values_list("id", flat=True))
    for row in corpus.rows(start, count):
        case_type = types[corpus.TOPICS[row.topic].code]
        department_id = case_type.department_id
        case_id = row.index + 1
        resident_id = residents[(row.index * 7919) % len(residents)] if row.index % 10 < 7 else None
        handler_id = (
            handlers[department_id][row.index % HANDLERS_PER_DEPARTMENT] if row.assigned else None
        )
        closed = row.status == "closed"
        waiting = row.status == "waiting"
        case = (
            case_id,
            f"KC-{row.created_at.year}-{case_id:06d}",
            row.status,
            row.priority,
            row.subject,
            row.description,
            "phone",
            row.created_at,
            row.due_at,
            row.created_at + timedelta(hours=2) if waiting else None,
            timedelta(hours=10) if waiting else None,
            row.closed_at,
            "Åtgärdat och återkopplat till invånaren." if closed else "",
            (row.closed_at <= row.due_at) if closed and row.due_at else None,
            row.closed_at or row.created_at,
            None,
            agent_id,
            department_id,
            handler_id,
            resident_id,
            case_type.pk,
        )
        event = ("created", row.created_at, "", "new", "", "", "{}", agent_id, case_id)
        contact = (
            "phone",
            "in",
            row.created_at - timedelta(minutes=4),
            row.created_at,
            row.description,
            "forwarded",
            agent_id,
            case_id,
            case_type.pk,
            resident_id,
            "",
        )
        yield case, event, contact


def _seed_postgres(start: int, count: int) -> None:
    bulk.copy_load(
        connection,
        [
            ("cases_case", CASE_COLUMNS),
            ("cases_caseevent", EVENT_COLUMNS),
            ("cases_contact", CONTACT_COLUMNS),
        ],
        _rows(start, count),
    )
    with connection.cursor() as cursor:
        # Seeded cases have ids 1 … N; cases opened through the API get ids from 5 M on, so
        # growing the table later never collides with them.
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), "
            "GREATEST((SELECT max(id) FROM cases_case), %s))",
            [API_IDS_FROM],
        )
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _seed_sqlite(start: int, count: int) -> None:
    from importlib import import_module

    search_migration = import_module("kontakt.cases.migrations.0002_case_search")
    insert_trigger = next(s for s in search_migration.SQLITE_FORWARD if "fts_insert" in s)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS cases_case_fts_insert")
        batch: list[tuple] = []

        def flush() -> None:
            cases, events, contacts = zip(*batch, strict=True)
            marks = ", ".join(["%s"] * len(CASE_COLUMNS))
            cursor.executemany(
                f"INSERT INTO cases_case ({', '.join(CASE_COLUMNS)}) VALUES ({marks})", cases
            )
            marks = ", ".join(["%s"] * len(EVENT_COLUMNS))
            cursor.executemany(
                f"INSERT INTO cases_caseevent ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})", events
            )
            marks = ", ".join(["%s"] * len(CONTACT_COLUMNS))
            cursor.executemany(
                f"INSERT INTO cases_contact ({', '.join(CONTACT_COLUMNS)}) VALUES ({marks})",
                contacts,
            )
            batch.clear()

        with transaction.atomic():
            for item in _rows(start, count):
                batch.append(_sqlite_values(item))
                if len(batch) >= 5000:
                    flush()
            if batch:
                flush()
        cursor.execute("INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')")
        cursor.execute(insert_trigger)
        cursor.execute("ANALYZE")


def _sqlite_values(item):  # type: ignore[no-untyped-def]
    """As Django stores them on SQLite: durations in microseconds, datetimes as UTC text."""
    ops = connection.ops

    def convert(value):  # type: ignore[no-untyped-def]
        if isinstance(value, timedelta):
            return int(value.total_seconds() * 1_000_000)
        if isinstance(value, datetime):
            return ops.adapt_datetimefield_value(value)
        return value

    return tuple(tuple(convert(v) for v in part) for part in item)


def seed(start: int, count: int) -> dict[str, object]:
    began = time.perf_counter()
    if connection.vendor == "postgresql":
        _seed_postgres(start, count)
    else:
        _seed_sqlite(start, count)
    # API-opened cases take references after every seeded one (those use the case id).
    for year in range(corpus.EPOCH.year - 2, corpus.EPOCH.year + 2):
        counter, _created = CaseReferenceCounter.objects.get_or_create(prefix="KC", year=year)
        if counter.last < API_IDS_FROM:
            counter.last = API_IDS_FROM
            counter.save()
    return {
        "seeded": count,
        "cases": Case.objects.count(),
        "seconds": round(time.perf_counter() - began, 1),
    }


# Search in-process -----------------------------------------------------------------------


def search(repeat: int, limit: int) -> dict[str, object]:
    """Time the case search selector for each word: the query and fetching the first page."""
    agent = User.objects.get(username=AGENT)
    timings: dict[str, list[float]] = {}
    hits: dict[str, int] = {}
    for _round in range(repeat + 1):
        for word in corpus.SEARCH_WORDS:
            began = time.perf_counter()
            found = list(
                selectors.case_search(user=agent, filters=selectors.CaseFilter(text=word))[
                    : limit + 1
                ]
            )
            elapsed = time.perf_counter() - began
            if _round:  # the first round warms caches and the connection
                timings.setdefault(word, []).append(elapsed)
            hits[word] = len(found)
            agent = User.objects.get(username=AGENT)  # a fresh user per request, as in a view
    return {"vendor": connection.vendor, "seconds": timings, "hits": hits}


def explain(word: str) -> str:
    agent = User.objects.get(username=AGENT)
    queryset = selectors.case_search(user=agent, filters=selectors.CaseFilter(text=word))[:51]
    return (
        queryset.explain(analyze=True) if connection.vendor == "postgresql" else queryset.explain()
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup")
    seed_parser = sub.add_parser("seed")
    seed_parser.add_argument("--start", type=int, required=True)
    seed_parser.add_argument("--count", type=int, required=True)
    search_parser = sub.add_parser("search")
    search_parser.add_argument("--repeat", type=int, default=5)
    search_parser.add_argument("--limit", type=int, default=50)
    explain_parser = sub.add_parser("explain")
    explain_parser.add_argument("word")
    args = parser.parse_args()
    if args.command == "setup":
        result: object = setup()
    elif args.command == "seed":
        result = seed(args.start, args.count)
    elif args.command == "search":
        result = search(args.repeat, args.limit)
    else:
        print(explain(args.word))
        return
    print(json.dumps(result))


if __name__ == "__main__":
    main()
