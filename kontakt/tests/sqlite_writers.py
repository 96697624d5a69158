"""Threads posting call events through Django's stack to the database of DATABASE_URL.

Run as a child process by test_databases.py (the settings are read once per process, so the
URL under test needs a process of its own):

    DATABASE_URL=sqlite:///… python -m kontakt.tests.sqlite_writers THREADS REQUESTS

Migrates, makes an exchange, then THREADS threads each post REQUESTS event batches to
/api/v1/telephony/events with Django's test client (a connection of their own each, as a
threaded server would). Prints one JSON object: the answers by status, the errors by message,
the rows stored and the journal mode the connection reports.
"""

import json
import os
import sys
import threading
from collections import Counter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402

from kontakt.telephony.models import CallEvent  # noqa: E402
from kontakt.telephony.services.events import exchange_create  # noqa: E402


def main(threads: int, requests: int) -> dict[str, object]:
    call_command("migrate", verbosity=0, interactive=False)
    _exchange, key = exchange_create(name="writers")
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work(number: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        start.wait()
        try:
            for n in range(requests):
                call = f"t{number}-{n}"
                events = [
                    {"event_id": f"{call}-1", "call_id": call, "type": "offered",
                     "at": "2026-11-30T08:00:00+01:00", "number": "+46406280400"},
                    {"event_id": f"{call}-2", "call_id": call, "type": "abandoned",
                     "at": "2026-11-30T08:01:00+01:00", "number": "+46406280400"},
                ]  # fmt: skip
                try:
                    response = client.post(
                        "/api/v1/telephony/events", events, content_type="application/json"
                    )
                    status = response.status_code
                    message = "" if status < 300 else response.content.decode()[:80]
                except Exception as error:  # the server's 500, with its reason
                    status, message = 500, f"{type(error).__name__}: {error}"[:120]
                with lock:
                    statuses[status] += 1
                    if message:
                        errors[message] += 1
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    return {
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": dict(errors.most_common(5)),
        "rows": CallEvent.objects.count(),
        "journal_mode": journal_mode,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
