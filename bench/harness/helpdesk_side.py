"""django-helpdesk's side of the benchmarks, run in the peer's throwaway venv.

    bench/.peers/helpdesk-venv/bin/python bench/harness/helpdesk_side.py setup
    bench/.peers/helpdesk-venv/bin/python bench/harness/helpdesk_side.py seed --start 0 --count N

Run with the generated project on PYTHONPATH (see peer.py). `setup` migrates and makes one
queue per Kontakt department, a staff user with a REST token and a signed-in session;
`seed` COPYs the same corpus rows as Kontakt's (a ticket and its "Ticket Opened" follow-up,
as helpdesk's own ticket form writes) with secondary indexes dropped and rebuilt; `search`
times helpdesk's keyword search (helpdesk.query) in-process. Each prints one JSON object.
"""

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from harness import bulk, corpus  # noqa: E402

STAFF = "bench.staff"
ASSIGNEES_PER_QUEUE = 3
# Kontakt's priorities run 1 (low) to 4 (urgent); helpdesk's 1 (critical) to 5 (very low).
PRIORITY = {1: 4, 2: 3, 3: 2, 4: 1}
OPEN, CLOSED = 1, 4


def _session_for(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def _user(username: str) -> User:
    user = User(username=username, is_staff=True, email=f"{username}@kommun.example")
    user.set_unusable_password()
    user.save()
    return user


def setup() -> dict[str, object]:
    call_command("migrate", verbosity=0, interactive=False)
    queues = {
        code: Queue.objects.create(title=name, slug=code, email_address=f"{code}@kommun.example")
        for code, name in corpus.DEPARTMENTS
    }
    staff = _user(STAFF)
    for code in queues:
        for n in range(ASSIGNEES_PER_QUEUE):
            _user(f"bench.handler.{code}.{n}")
    token = Token.objects.create(user=staff)
    return {
        "token": token.key,
        "staff_session": _session_for(staff),
        "queues": {code: queue.pk for code, queue in queues.items()},
    }


TICKET_COLUMNS = (
    "id", "title", "created", "modified", "submitter_email", "status", "on_hold", "description",
    "resolution", "priority", "due_date", "last_escalation", "assigned_to_id", "queue_id",
    "secret_key", "kbitem_id", "merged_to_id",
)  # fmt: skip
FOLLOWUP_COLUMNS = ("date", "title", "comment", "public", "new_status", "ticket_id", "user_id")


def _rows(start: int, count: int):  # type: ignore[no-untyped-def]
    queues = {q.slug: q.pk for q in Queue.objects.all()}
    staff_id = User.objects.get(username=STAFF).pk
    assignees: dict[str, list[int]] = {}
    for user in User.objects.filter(username__startswith="bench.handler.").order_by("id"):
        assignees.setdefault(user.username.split(".")[2], []).append(user.pk)
    for row in corpus.rows(start, count):
        department = corpus.TOPICS[row.topic].department
        ticket_id = row.index + 1
        closed = row.status == "closed"
        ticket = (
            ticket_id,
            row.subject,
            row.created_at,
            row.closed_at or row.created_at,
            f"invanare{(row.index * 7919) % 20000}@example.se",
            CLOSED if closed else OPEN,
            row.status == "waiting",
            row.description,
            "Åtgärdat och återkopplat till invånaren." if closed else "",
            PRIORITY[row.priority],
            row.due_at,
            None,
            assignees[department][row.index % ASSIGNEES_PER_QUEUE] if row.assigned else None,
            queues[department],
            str(uuid.UUID(int=row.index)),
            None,
            None,
        )
        followup = (
            row.created_at,
            "Ticket Opened",
            row.description,
            True,
            None,
            ticket_id,
            staff_id,
        )
        yield ticket, followup


def seed(start: int, count: int) -> dict[str, object]:
    began = time.perf_counter()
    tables = ("helpdesk_ticket", "helpdesk_followup")
    bulk.copy_load(
        connection,
        [("helpdesk_ticket", TICKET_COLUMNS), ("helpdesk_followup", FOLLOWUP_COLUMNS)],
        _rows(start, count),
    )
    with connection.cursor() as cursor:
        # As on Kontakt's side: tickets opened through the API get ids from 5 M on.
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('helpdesk_ticket', 'id'), "
            "GREATEST((SELECT max(id) FROM helpdesk_ticket), 5000000))"
        )
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {
        "seeded": count,
        "tickets": Ticket.objects.count(),
        "seconds": round(time.perf_counter() - began, 1),
    }


def search(repeat: int) -> dict[str, object]:
    """Time helpdesk's keyword search in-process: helpdesk.query as its list data runs it."""
    from helpdesk.query import get_query_class
    from helpdesk.user import HelpdeskUser

    query_class = get_query_class()
    timings: dict[str, list[float]] = {}
    for _round in range(repeat + 1):
        for word in corpus.SEARCH_WORDS:
            staff = User.objects.get(username=STAFF)
            params = {"search_string": word, "sorting": "created", "sortreverse": True}
            began = time.perf_counter()
            query_class(HelpdeskUser(staff), query_params=params).get_datatables_context(
                draw=["1"], start=["0"], length=["25"]
            )
            if _round:
                timings.setdefault(word, []).append(time.perf_counter() - began)
    return {"seconds": timings}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup")
    seed_parser = sub.add_parser("seed")
    seed_parser.add_argument("--start", type=int, required=True)
    seed_parser.add_argument("--count", type=int, required=True)
    search_parser = sub.add_parser("search")
    search_parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.command == "setup":
        result = setup()
    elif args.command == "seed":
        result = seed(args.start, args.count)
    else:
        result = search(args.repeat)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
