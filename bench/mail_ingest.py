"""E-mail ingest from a local IMAP server, beside reading the same mailbox with the IMAP
client alone (the limit), on SQLite and PostgreSQL.

    .venv/bin/python bench/mail_ingest.py            # 2,000 messages a database engine
    .venv/bin/python bench/mail_ingest.py --quick    # 300 on SQLite (under a minute)
    .venv/bin/python bench/mail_ingest.py --engines sqlite

What it does, per engine (a fresh SQLite file; a database `bench_mail_ingest` on the
PostgreSQL at 127.0.0.1:5432, user postgres, trust), in a child process of its own:

1. Migrates; makes an answer group with its routing, a department and case type, 200
   residents with an e-mail address each, and 100 open cases of theirs, each with an
   answer sent by e-mail (a notice with its Message-ID) as Kontakt would have sent it.
2. Fills a new folder of one dovecot (started once, on loopback) with N messages by IMAP
   APPEND: 75 % new mails (from the residents and from strangers, Swedish, Norwegian and
   English, a fifth with a small PDF attached, a few in HTML), 25 % replies that thread
   into a case: half by `In-Reply-To` to the answer's Message-ID with a changed subject,
   half by the case reference in the subject. Not timed.
3. The limit: IMAPClient alone signs in, selects the folder, searches and fetches every
   message's `BODY.PEEK[]` in batches of 50, as our reader does. Timed.
4. Ours: `kontakt.mail.imap.mailbox_read` over the same folder: fetch as above, then per
   message parse (stdlib `email`), language guess, store (row and raw .eml on disk, files),
   thread (Message-ID look-ups, the forgery check) and either add to its case (a timeline
   entry, the attachment checked and attached) or queue it (a queued contact and a routing
   round); then advance the last UID and mark the batch seen. Timed.
5. Checks that every message was stored once, the replies on their cases and the new
   mails queued, and reports messages per second of both and their ratio.

The last line of standard output is one JSON object (also saved under bench/results/);
everything else goes to standard error.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))  # this checkout, before any installed copy

from harness import dovecot, host  # noqa: E402
from harness.host import log  # noqa: E402

RESULTS = BENCH / "results"
DATABASE = "bench_mail_ingest"
SECRET_KEY = "benchmark-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
RESIDENTS, CASES = 200, 100
BATCH = 50
PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 200 + b"%%EOF\n"
TEXTS = [
    ("Soptunnan har inte tömts", "Hej! Vår soptunna har inte tömts på två veckor. Kan ni hjälpa?"),
    ("Søppeldunken", "Hei! Jeg lurer på når søppeldunken blir tømt, den er ikke tømt på lenge."),
    ("Street light", "Hello, the street light outside our house has been broken for a week."),
    ("Bygglov", "Hej, jag vill veta hur lång tid det tar att få ett bygglov för en altan."),
]


def message(
    *,
    sender: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    pdf: bool = False,
    html: bool = False,
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "kontakt@sjostad.example"
    mail["Subject"] = subject
    mail["Date"] = "Mon, 07 Dec 2026 10:00:00 +0100"
    mail["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body + "\n\nMed vänliga hälsningar\n")
    if html:
        mail.add_alternative(f"<p>{body}</p><script>alert(1)</script>", subtype="html")
    if pdf:
        mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="bilaga.pdf")
    return mail.as_bytes()


# The child: one engine --------------------------------------------------------------------


def child(count: int, port: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")
    import django

    django.setup()
    from datetime import time as clock
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from imapclient import IMAPClient

    from kontakt.cases.models import CaseType, Notice
    from kontakt.cases.services import CaseDraft, case_create
    from kontakt.directory.models import AnswerGroup, Department, OpeningHours
    from kontakt.mail.imap import mailbox_read
    from kontakt.mail.models import InboundMail, Mailbox, MailState
    from kontakt.residents.models import Resident, ResidentEmail
    from kontakt.telephony.models import QueuedContact, RoutingSettings

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(2026)
    for weekday in range(7):
        OpeningHours.objects.create(weekday=weekday, opens=clock(8), closes=clock(16))
    group = AnswerGroup.objects.create(name="Kontaktcenter", code="kc")
    RoutingSettings.objects.create(answer_group=group, skill="allmant")
    department = Department.objects.create(name="Gatukontoret", code="gata")
    case_type = CaseType.objects.create(
        name="Avfall", code="avfall", department=department, response_time=timedelta(days=2)
    )
    residents = []
    for number in range(RESIDENTS):
        resident = Resident.objects.create(name=f"Invånare {number}")
        ResidentEmail.objects.create(resident=resident, address=f"r{number}@example.org")
        residents.append(resident)
    cases = []
    for number in range(CASES):
        resident = residents[number]
        case = case_create(
            draft=CaseDraft(case_type=case_type, subject=f"Ärende {number}", resident=resident),
            by=None,
        )
        notice = Notice.objects.create(
            case=case,
            audience="resident",
            kind="message",
            channel="email",
            to=f"r{number}@example.org",
            subject=f"{case.reference}: {case.subject}",
            body="Svar",
            state="sent",
            created_at=case.created_at,
            message_id=f"<answer-{number}@sjostad.example>",
        )
        cases.append((case, notice, f"r{number}@example.org"))

    folder = f"bench{uuid.uuid4().hex[:8]}"
    client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=60)
    client.login(dovecot.USER, dovecot.PASSWORD)
    client.create_folder(folder)
    replies = 0
    started = time.perf_counter()
    for index in range(count):
        if index % 4 == 3:
            case, notice, address = cases[rng.randrange(len(cases))]
            if index % 8 == 3:
                raw = message(
                    sender=address,
                    subject="En sak till",
                    body="Tack för svaret, men det är inte löst.",
                    headers={"In-Reply-To": notice.message_id, "References": notice.message_id},
                )
            else:
                raw = message(
                    sender=address, subject=f"Re: {case.reference}", body="Fortfarande inte."
                )
            replies += 1
        else:
            subject, body = TEXTS[index % len(TEXTS)]
            sender = (
                f"r{rng.randrange(RESIDENTS)}@example.org"
                if rng.random() < 0.5
                else f"new{index}@example.net"
            )
            raw = message(
                sender=sender,
                subject=subject,
                body=body,
                pdf=index % 5 == 0,
                html=index % 10 == 1,
            )
        client.append(folder, raw)
    log(f"appended {count} messages in {time.perf_counter() - started:.1f} s")

    # The limit: the IMAP client alone, as our reader fetches.
    started = time.perf_counter()
    client.select_folder(folder)
    uids = sorted(client.search(["UID", "1:*"]))
    size = 0
    for start in range(0, len(uids), BATCH):
        fetched = client.fetch(uids[start : start + BATCH], ["BODY.PEEK[]"])
        size += sum(len(item[b"BODY[]"]) for item in fetched.values())
    fetch_seconds = time.perf_counter() - started
    client.logout()

    mailbox = Mailbox.objects.create(
        name="Bench",
        host="127.0.0.1",
        port=port,
        ssl=False,
        username=dovecot.USER,
        password=dovecot.PASSWORD,
        folder=folder,
        answer_group=group,
    )
    # A running worker has its URL map loaded (a queued mail's link is reversed).
    reverse("desk:mail", args=[1])
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        read = profiler.runcall(mailbox_read, mailbox)
        profiler.dump_stats(os.environ["BENCH_PROFILE"])
    else:
        read = mailbox_read(mailbox)
    ingest_seconds = time.perf_counter() - started
    mailbox.refresh_from_db()
    assert not mailbox.last_error, mailbox.last_error
    stored = InboundMail.objects.count()
    threaded = InboundMail.objects.filter(state=MailState.THREADED).count()
    queued = QueuedContact.objects.filter(channel="email").count()
    assert read == stored == count, (read, stored, count)
    assert threaded == replies, (threaded, replies)
    assert queued == count - replies, (queued, count - replies)
    result = {
        "engine": connection.vendor,
        "messages": count,
        "megabytes": round(size / 2**20, 2),
        "replies_threaded": threaded,
        "new_queued": queued,
        "fetch_only_seconds": round(fetch_seconds, 3),
        "fetch_only_per_second": round(count / fetch_seconds, 1),
        "ingest_seconds": round(ingest_seconds, 3),
        "ingest_per_second": round(count / ingest_seconds, 1),
        "ingest_ms_per_message": round(1000 * ingest_seconds / count, 2),
        "ratio_limit_to_ours": round(ingest_seconds / fetch_seconds, 1),
    }
    print(json.dumps(result))


# The parent -------------------------------------------------------------------------------


def pg_ready() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=5
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            conn.execute(f"CREATE DATABASE {DATABASE}")
        return True
    except Exception as error:
        log(f"PostgreSQL unreachable, skipped: {error}")
        return False


def run_engine(engine: str, count: int, port: int, var: Path) -> dict[str, object] | None:
    env = {
        **os.environ,
        "KONTAKT_VAR_DIR": str(var / engine),
        "SECRET_KEY": SECRET_KEY,
        "KONTAKT_LIVE_BACKEND": "memory",
    }
    env.pop("DATABASE_URL", None)
    if engine == "postgresql":
        if not pg_ready():
            return None
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    else:
        env["KONTAKT_SQLITE_PATH"] = str(var / "bench.sqlite3")
    (var / engine).mkdir(parents=True, exist_ok=True)
    log(f"{engine}: {count} messages")
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--count", str(count), "--port", str(port)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(done.stderr[-3000:] if done.returncode else "")
    if done.returncode:
        raise SystemExit(f"{engine} run failed")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    log(
        f"{engine}: ours {result['ingest_per_second']}/s, IMAP client alone "
        f"{result['fetch_only_per_second']}/s ({result['ratio_limit_to_ours']}x)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 messages")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument(
        "--engines", default="", help="sqlite,postgresql (default; --quick: sqlite)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args()
    count = options.count or (300 if options.quick else 2000)
    engines = options.engines or ("sqlite" if options.quick else "sqlite,postgresql")
    if options.child:
        child(count, options.port)
        return
    started = time.perf_counter()
    server = dovecot.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-mail-") as var:
            results = [
                result
                for engine in engines.split(",")
                if (result := run_engine(engine.strip(), count, server.port, Path(var)))
            ]
    finally:
        server.stop()
    line = json.dumps(
        {
            "benchmark": "mail_ingest",
            "messages": count,
            "results": results,
            "machine": host.machine(),
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"mail_ingest-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(line)
    print(line)


if __name__ == "__main__":
    main()
