"""Kontakt's side of the direct-number availability benchmark, run as a child in Kontakt's
venv on the database of DATABASE_URL (or KONTAKT_SQLITE_PATH).

    python bench/harness/directory_side.py run --employees 50000 --lookups 2000 \
        --peer-lookups 500

Migrates, makes `--employees` employees with direct numbers in units, and for 30 % of
them a published calendar as Outlook publishes one (30 days back, 60 ahead: weekly series
with an exception, a daily stand-up, about 120 one-off meetings, some free or cancelled,
sometimes all-day leave) stored as the feed's uploaded content. There are 60 distinct
calendars: each is read into busy periods once by Kontakt's own `calendars.busy_periods`
and stored as absences of everyone who has it; `calendars.feed_read` is timed on a sample.
Then times, one lookup after the other, alternating which side goes first:

- ours: `GET /api/v1/directory/numbers/{number}/availability` in process through Django's
  test client with an exchange's token (authentication, routing, normalising the number, the
  holder, the stored absences, the message, JSON), and the selectors alone;
- the peer: what an integration without stored absences does when the exchange asks: the
  holder of the number, then the person's calendar parsed at request time with icalendar
  and recurring-ical-events (`of(calendar).at(now)`), busy events kept. It reads the feed's
  text from the same database, so it is spared the HTTP fetch a real one would make.

Prints one JSON object.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")

import django

django.setup()

import icalendar  # noqa: E402
import recurring_ical_events  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from kontakt.directory.calendars import busy_periods, feed_read, feed_window  # noqa: E402
from kontakt.directory.models import (  # noqa: E402
    Absence,
    CalendarFeed,
    Department,
    Employee,
    Unit,
)
from kontakt.directory.selectors import (  # noqa: E402
    availability_message,
    employee_by_direct_number,
    phone_number_e164,
    reachability,
)
from kontakt.telephony.services import exchange_create  # noqa: E402

CALENDAR_SHARE = 0.3
TEMPLATES = 60
UNITS = 250
FIRST = ["Anna", "Erik", "Maria", "Lars", "Karin", "Per", "Sara", "Johan", "Eva", "Nils"]
LAST = ["Berg", "Holm", "Lind", "Ek", "Ström", "Dahl", "Nyström", "Sandberg", "Lund", "Falk"]


def number(index: int) -> str:
    return f"+4640{7000000 + index:07d}"


def _event(uid: str, start: datetime, minutes: int, summary: str, extra: list[str]) -> list[str]:
    stamp = "%Y%m%dT%H%M%S"
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART;TZID=Europe/Stockholm:{start.strftime(stamp)}",
        f"DURATION:PT{minutes}M",
        f"SUMMARY:{summary}",
        *extra,
        "END:VEVENT",
    ]


def calendar_text(template: int, now: datetime, rng: random.Random) -> str:
    """A busy person's published calendar as Outlook publishes it (30 days back, 60 ahead):
    weekly series with an exception, a daily stand-up, about 120 one-off meetings, sometimes
    all-day leave covering now, free and cancelled events among them."""
    local = timezone.get_current_timezone()
    today = now.astimezone(local).date()
    monday = today - timedelta(days=today.weekday())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kontakt bench//SV"]
    for series in range(4):
        hour = rng.randrange(8, 16)
        first = datetime.combine(
            monday + timedelta(days=rng.randrange(5) - 35), datetime.min.time(), local
        ).replace(hour=hour)
        lines += _event(
            f"weekly-{template}-{series}@bench",
            first,
            45,
            "Veckomöte",
            [
                "RRULE:FREQ=WEEKLY;COUNT=14",
                f"EXDATE;TZID=Europe/Stockholm:{first + timedelta(days=28):%Y%m%dT%H%M%S}",
            ],
        )
    standup = datetime.combine(monday - timedelta(days=28), datetime.min.time(), local)
    lines += _event(
        f"standup-{template}@bench",
        standup.replace(hour=8, minute=30),
        15,
        "Avstämning",
        ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=65"],
    )
    for meeting in range(120):
        day = today + timedelta(days=rng.randrange(-30, 60))
        start = datetime.combine(day, datetime.min.time(), local).replace(
            hour=rng.randrange(8, 17), minute=rng.choice([0, 15, 30])
        )
        extra = []
        chance = rng.random()
        if chance < 0.05:
            extra = ["STATUS:CANCELLED"]
        elif chance < 0.1:
            extra = ["TRANSP:TRANSPARENT"]
        elif chance < 0.15:
            extra = ["X-MICROSOFT-CDO-BUSYSTATUS:FREE"]
        lines += _event(
            f"meeting-{template}-{meeting}@bench", start, rng.choice([30, 60, 90]), "Möte", extra
        )
    if rng.random() < 0.3:
        lines += [
            "BEGIN:VEVENT",
            f"UID:leave-{template}@bench",
            f"DTSTART;VALUE=DATE:{today - timedelta(days=rng.randrange(3)):%Y%m%d}",
            f"DTEND;VALUE=DATE:{today + timedelta(days=rng.randrange(1, 6)):%Y%m%d}",
            "SUMMARY:Semester",
            "END:VEVENT",
        ]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


def seed(employees: int, now: datetime) -> dict[str, object]:
    """The employees, and for a share of them a feed holding one of TEMPLATES calendars
    with the absences Kontakt reads from it (read once per template, stored per person)."""
    rng = random.Random(20261207)
    started = time.monotonic()
    templates = [calendar_text(template, now, rng) for template in range(TEMPLATES)]
    window_start, window_end = feed_window(now)
    tz = timezone.get_current_timezone()
    periods = [busy_periods(text, start=window_start, end=window_end, tz=tz) for text in templates]
    with transaction.atomic():
        department = Department.objects.create(name="Bench", code="bench")
        units = Unit.objects.bulk_create(
            [Unit(department=department, name=f"Enhet {n}") for n in range(UNITS)]
        )
        people = Employee.objects.bulk_create(
            [
                Employee(
                    display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {index}",
                    unit=units[index % UNITS],
                    direct_number=number(index),
                )
                for index in range(employees)
            ],
            batch_size=1000,
        )
        with_calendar = [p for p in people if rng.random() < CALENDAR_SHARE]
        chosen = [rng.randrange(TEMPLATES) for _ in with_calendar]
        feeds = CalendarFeed.objects.bulk_create(
            [
                CalendarFeed(employee=person, content=templates[template], last_ok_at=now)
                for person, template in zip(with_calendar, chosen, strict=True)
            ],
            batch_size=1000,
        )
        batch: list[Absence] = []
        for feed, template in zip(feeds, chosen, strict=True):
            for period in periods[template]:
                batch.append(
                    Absence(
                        employee_id=feed.employee_id,
                        feed=feed,
                        feed_key=period.key,
                        starts_at=period.starts_at,
                        ends_at=period.ends_at,
                        reason="away" if period.all_day else "meeting",
                        note=period.summary,
                    )
                )
            if len(batch) >= 20_000:
                Absence.objects.bulk_create(batch, batch_size=2000)
                batch = []
        Absence.objects.bulk_create(batch, batch_size=2000)
    # Statistics for the planner, as a database in service has them (PostgreSQL's
    # autovacuum would otherwise analyse the fresh tables in the middle of the timing).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seeded = time.monotonic() - started
    # Kontakt's own reading of a sample of the feeds (nothing changes: the rows are right).
    sample = feeds[:: max(1, len(feeds) // 30)][:30]
    started = time.monotonic()
    for feed in sample:
        assert feed_read(feed, now=now).ok
    read_ms = (time.monotonic() - started) * 1000 / max(len(sample), 1)
    return {
        "employees": employees,
        "with_calendar": len(feeds),
        "events_per_calendar": round(
            statistics.fmean(text.count("BEGIN:VEVENT") for text in templates), 1
        ),
        "calendar_kib_mean": round(statistics.fmean(len(t) for t in templates) / 1024, 1),
        "absences": Absence.objects.count(),
        "absent_now": Absence.objects.filter(starts_at__lte=now, ends_at__gt=now).count(),
        "seed_seconds": round(seeded, 1),
        "feed_read_ms_mean": round(read_ms, 1),
    }


def ours_selectors(raw: str, now: datetime) -> tuple[bool, str]:
    e164 = phone_number_e164(raw)
    employee = employee_by_direct_number(e164) if e164 else None
    if employee is None:
        return False, ""
    found = reachability(employee, at=now)
    return found.reachable, availability_message(employee, found, language="sv", now=now)


def peer(raw: str, now: datetime) -> tuple[bool, datetime | None]:
    """An integration without stored absences: the holder, then their calendar parsed now."""
    e164 = phone_number_e164(raw)
    employee = employee_by_direct_number(e164) if e164 else None
    if employee is None:
        return False, None
    until = None
    for text in CalendarFeed.objects.filter(employee=employee, active=True).values_list(
        "content", flat=True
    ):
        calendar = icalendar.Calendar.from_ical(text)
        for event in recurring_ical_events.of(calendar).at(now):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
                continue
            end = event.end
            if not isinstance(end, datetime):
                end = datetime.combine(end, datetime.min.time(), tzinfo=now.tzinfo)
            until = end if until is None else max(until, end)
    return until is None, until


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(milliseconds: list[float]) -> dict[str, float]:
    return {
        "n": len(milliseconds),
        "p50_ms": round(percentile(milliseconds, 0.5), 3),
        "p95_ms": round(percentile(milliseconds, 0.95), 3),
        "mean_ms": round(statistics.fmean(milliseconds), 3),
    }


def run(employees: int, lookups: int, peer_lookups: int) -> dict[str, object]:
    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    seeded = seed(employees, now)
    _exchange, key = exchange_create(name="bench-pbx")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    rng = random.Random(7)
    with_calendar = list(CalendarFeed.objects.values_list("employee__direct_number", flat=True))
    # Half the lookups ask about people with a calendar; the numbers in local formatting.
    picks = [
        rng.choice(with_calendar) if rng.random() < 0.5 else number(rng.randrange(employees))
        for _ in range(lookups)
    ]
    picks = ["0" + raw[3:5] + "-" + raw[5:] for raw in picks]
    # Warm up both sides.
    for raw in picks[:20]:
        client.get(f"/api/v1/directory/numbers/{raw}/availability")
        peer(raw, now)
    # Wall-clock time, and the CPU time of this process: on a shared machine the second
    # shows the work itself when other processes hold the CPUs.
    wall: dict[str, list[float]] = {"api": [], "selectors": [], "peer": []}
    cpu: dict[str, list[float]] = {"api": [], "selectors": [], "peer": []}
    agree = disagree = 0
    for position, raw in enumerate(picks):
        order = ("api", "selectors", "peer") if position % 2 == 0 else ("peer", "selectors", "api")
        for side in order:
            if side == "peer" and position >= peer_lookups:
                continue
            started, started_cpu = time.perf_counter(), time.process_time()
            if side == "api":
                response = client.get(f"/api/v1/directory/numbers/{raw}/availability")
                ours_ring = response.json()["ring"]
            elif side == "selectors":
                ours_selectors(raw, now)
            else:
                peer_ring, _until = peer(raw, now)
            wall[side].append((time.perf_counter() - started) * 1000)
            cpu[side].append((time.process_time() - started_cpu) * 1000)
            if side == "api":
                assert response.status_code == 200, response.content
        if position < peer_lookups:
            if ours_ring == peer_ring:
                agree += 1
            else:
                disagree += 1
    if os.environ.get("BENCH_PROFILE"):
        profile(client, picks[:200], now)
    return {
        "engine": connection.vendor,
        **seeded,
        "ours_api": summary(wall["api"]),
        "ours_selectors": summary(wall["selectors"]),
        "peer_parse_at_request": summary(wall["peer"]),
        "cpu": {side: summary(values) for side, values in cpu.items()},
        "ratio_p95_peer_over_ours_api": round(
            percentile(wall["peer"], 0.95) / percentile(wall["api"], 0.95), 1
        ),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ring_agrees_with_peer": agree,
        "ring_differs_from_peer": disagree,
    }


def profile(client: Client, picks: list[str], now: datetime) -> None:
    """Where our API's time goes, on standard error."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for raw in picks:
        client.get(f"/api/v1/directory/numbers/{raw}/availability")
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    print(out.getvalue(), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--peer-lookups", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(run(args.employees, args.lookups, args.peer_lookups)))


if __name__ == "__main__":
    main()
