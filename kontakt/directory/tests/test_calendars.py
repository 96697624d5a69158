"""Published calendars read into absences: recurrences with exceptions, time zones over the
change to winter time, all-day events, cancelled and free events, unit feeds, and feeds that
fail (kept as they were, with the error recorded). URL feeds are read from a real HTTP server
on loopback."""

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kontakt.directory.calendars import feed_read, feeds_read
from kontakt.directory.models import Absence, CalendarFeed
from kontakt.directory.selectors import reachability
from kontakt.directory.tests.factories import AbsenceFactory, EmployeeFactory, UnitFactory

ICS = Path(__file__).parent / "ics"
# A Monday before the change to winter time (25 October 2026); the window runs to 11 Dec.
NOW = datetime(2026, 10, 12, 6, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def ics(name: str) -> str:
    return (ICS / name).read_text()


def spans(feed: CalendarFeed, employee=None) -> list[tuple[datetime, datetime]]:
    absences = Absence.objects.filter(feed=feed).order_by("starts_at")
    if employee is not None:
        absences = absences.filter(employee=employee)
    return [(a.starts_at.astimezone(UTC), a.ends_at.astimezone(UTC)) for a in absences]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_weekly_recurrence_with_an_exdate_a_moved_instance_and_the_change_to_winter_time():
    person = EmployeeFactory()
    feed = CalendarFeed.objects.create(employee=person, content=ics("weekly.ics"))
    report = feed_read(feed, now=NOW)
    assert report.ok and report.created == 4
    assert spans(feed) == [
        # 09:00 Stockholm in summer time is 07:00 UTC...
        (utc(2026, 10, 13, 7), utc(2026, 10, 13, 8)),
        # ...20 October is an EXDATE; after 25 October 09:00 is 08:00 UTC.
        (utc(2026, 10, 27, 8), utc(2026, 10, 27, 9)),
        # 3 November moved to Wednesday 4 November 13:00.
        (utc(2026, 11, 4, 12), utc(2026, 11, 4, 13)),
        (utc(2026, 11, 10, 8), utc(2026, 11, 10, 9)),
    ]
    moved = Absence.objects.get(feed=feed, starts_at=utc(2026, 11, 4, 12))
    assert moved.feed_key == "weekly-meeting@kommun.example|2026-11-03T09:00:00+01:00"
    assert (moved.reason, moved.note) == ("meeting", "Enhetsmöte (flyttat)")
    assert reachability(person, at=utc(2026, 10, 27, 8, 30)).state == "absent"
    assert reachability(person, at=utc(2026, 10, 20, 7, 30)).state == "available"
    assert reachability(person, at=utc(2026, 11, 3, 8, 30)).state == "available"


def test_reading_again_is_idempotent_and_a_changed_file_replaces_what_changed():
    person = EmployeeFactory()
    feed = CalendarFeed.objects.create(employee=person, content=ics("weekly.ics"))
    feed_read(feed, now=NOW)
    ids = set(Absence.objects.filter(feed=feed).values_list("id", flat=True))
    again = feed_read(feed, now=NOW)
    assert (again.ok, again.changed) == (True, False)
    assert set(Absence.objects.filter(feed=feed).values_list("id", flat=True)) == ids
    # The organiser removes the EXDATE and the series' last week.
    feed.content = (
        ics("weekly.ics")
        .replace("EXDATE;TZID=Europe/Stockholm:20261020T090000\n", "")
        .replace("COUNT=5", "COUNT=4")
    )
    feed.save()
    changed = feed_read(feed, now=NOW)
    assert (changed.created, changed.updated, changed.deleted) == (1, 0, 1)
    assert len(spans(feed)) == 4
    assert (utc(2026, 10, 20, 7), utc(2026, 10, 20, 8)) in spans(feed)


def test_all_day_events_are_whole_local_days():
    person = EmployeeFactory()
    feed = CalendarFeed.objects.create(employee=person, content=ics("all_day.ics"))
    feed_read(feed, now=NOW)
    assert spans(feed) == [
        # 26–27 October (DTEND is exclusive), local midnights in winter time.
        (utc(2026, 10, 25, 23), utc(2026, 10, 27, 23)),
        # A date without DTEND is that one day.
        (utc(2026, 11, 5, 23), utc(2026, 11, 6, 23)),
    ]
    found = reachability(person, at=utc(2026, 10, 26, 12))
    assert (found.state, found.reason, found.until) == ("absent", "away", utc(2026, 10, 27, 23))


def test_cancelled_free_and_outlook_free_events_are_no_absence():
    person = EmployeeFactory()
    feed = CalendarFeed.objects.create(employee=person, content=ics("not_busy.ics"))
    feed_read(feed, now=NOW)
    absences = list(Absence.objects.filter(feed=feed).order_by("starts_at"))
    assert [(a.starts_at.astimezone(UTC), a.note) for a in absences] == [
        # The private busy event, without its summary.
        (utc(2026, 10, 14, 13), ""),
        # The daily series' first instance; its second was cancelled.
        (utc(2026, 10, 15, 6), "Avstämning"),
    ]


def test_a_unit_feed_applies_to_every_active_employee_of_the_unit():
    unit = UnitFactory()
    people = [EmployeeFactory(unit=unit) for _ in range(3)]
    EmployeeFactory(unit=unit, active=False)
    EmployeeFactory()  # another unit
    feed = CalendarFeed.objects.create(unit=unit, content=ics("all_day.ics"))
    feed_read(feed, now=NOW)
    assert Absence.objects.filter(feed=feed).count() == 6
    assert {a.employee_id for a in Absence.objects.filter(feed=feed)} == {p.pk for p in people}
    # One moves to another unit: the next read takes the unit's events off them.
    people[0].unit = UnitFactory()
    people[0].save()
    feed_read(feed, now=NOW)
    assert not Absence.objects.filter(feed=feed, employee=people[0]).exists()
    assert Absence.objects.filter(feed=feed).count() == 4


def test_absences_outside_the_window_and_entered_by_hand_are_left_alone():
    person = EmployeeFactory()
    feed = CalendarFeed.objects.create(employee=person, content=ics("all_day.ics"))
    old = AbsenceFactory(
        employee=person,
        feed=feed,
        feed_key="old|",
        starts_at=NOW - timedelta(days=9),
        ends_at=NOW - timedelta(days=8),
    )
    by_hand = AbsenceFactory(employee=person, starts_at=NOW, ends_at=NOW + timedelta(days=1))
    feed_read(feed, now=NOW)
    assert Absence.objects.filter(pk__in=[old.pk, by_hand.pk]).count() == 2


def test_a_malformed_file_keeps_what_was_there_and_records_the_error():
    person = EmployeeFactory()
    feed = CalendarFeed.objects.create(employee=person, content=ics("weekly.ics"))
    feed_read(feed, now=NOW)
    before = spans(feed)
    feed.content = ics("malformed.ics")
    feed.save()
    report = feed_read(feed, now=NOW + timedelta(hours=1))
    assert not report.ok
    assert "DTSTART" in report.error
    assert spans(feed) == before
    feed.refresh_from_db()
    assert feed.last_error == report.error
    assert feed.last_read_at == NOW + timedelta(hours=1)
    assert feed.last_ok_at == NOW
    # Not a calendar at all.
    feed.content = "Hej, det här är ingen kalender."
    feed.save()
    assert "not an iCalendar file" in feed_read(feed, now=NOW).error
    assert spans(feed) == before


# URL feeds from a real server ---------------------------------------------------------


class CalendarServer(BaseHTTPRequestHandler):
    """Serves /weekly.ics with an ETag (304 when it matches), /broken (500), /slow (answers
    after 3 s), /huge (more bytes than allowed) and /trickle (a byte at a time)."""

    requests: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        # The reader may give up, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()

    def _answer(self) -> None:
        type(self).requests.append((self.path, self.headers.get("If-None-Match", "")))
        if self.path == "/weekly.ics":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self._send(ics("weekly.ics").encode(), etag='"v1"')
        elif self.path == "/broken":
            self.send_response(500)
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(3)
            self._send(ics("weekly.ics").encode())
        elif self.path == "/huge":
            self._send(b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * 200_000 + b"\r\n")
        elif self.path == "/huge-unannounced":
            self.send_response(200)
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"X" * 10_000)
        elif self.path == "/trickle":
            self.send_response(200)
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self.send_response(404)
            self.end_headers()

    def _send(self, body: bytes, etag: str = "") -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(settings) -> Iterator[str]:
    settings.KONTAKT = {
        **settings.KONTAKT,
        "CALENDARS": {
            **settings.KONTAKT["CALENDARS"],
            "TIMEOUT_SECONDS": 1.0,
            "MAX_BYTES": 100_000,
        },
    }
    CalendarServer.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), CalendarServer)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_url_feed_is_read_then_not_modified_with_its_etag(server):
    person = EmployeeFactory()
    feed = CalendarFeed.objects.create(employee=person, url=f"{server}/weekly.ics")
    assert feed_read(feed, now=NOW).created == 4
    feed.refresh_from_db()
    assert feed.etag == '"v1"'
    report = feed_read(feed, now=NOW + timedelta(minutes=15))
    assert (report.ok, report.changed) == (True, False)
    assert CalendarServer.requests == [("/weekly.ics", ""), ("/weekly.ics", '"v1"')]
    assert len(spans(feed)) == 4
    feed.refresh_from_db()
    assert feed.last_ok_at == NOW + timedelta(minutes=15)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/broken", "The server answered 500"),
        ("/slow", "did not answer within 1 seconds"),
        ("/trickle", "did not answer within 1 seconds"),
        ("/huge", "larger than 100000 bytes"),
        ("/huge-unannounced", "larger than 100000 bytes"),
        ("/missing", "The server answered 404"),
    ],
)
def test_a_url_feed_that_fails_keeps_its_absences_and_says_why(server, path, message):
    person = EmployeeFactory()
    feed = CalendarFeed.objects.create(employee=person, url=f"{server}/weekly.ics")
    feed_read(feed, now=NOW)
    before = spans(feed)
    CalendarFeed.objects.filter(pk=feed.pk).update(url=f"{server}{path}", etag="")
    feed.refresh_from_db()
    started = time.monotonic()
    report = feed_read(feed, now=NOW + timedelta(minutes=15))
    assert time.monotonic() - started < 2.5
    assert not report.ok
    assert message in report.error
    feed.refresh_from_db()
    assert message in feed.last_error
    assert feed.last_ok_at == NOW
    assert spans(feed) == before


def test_an_address_that_is_not_http_is_refused_without_reading_it(tmp_path):
    secret = tmp_path / "secret.ics"
    secret.write_text(ics("weekly.ics"))
    feed = CalendarFeed.objects.create(employee=EmployeeFactory(), url=f"file://{secret}")
    report = feed_read(feed, now=NOW)
    assert "Only http and https" in report.error
    assert not Absence.objects.exists()


def test_reading_all_feeds_counts_the_good_and_the_failed(server):
    good = CalendarFeed.objects.create(employee=EmployeeFactory(), url=f"{server}/weekly.ics")
    CalendarFeed.objects.create(employee=EmployeeFactory(), url=f"{server}/broken")
    CalendarFeed.objects.create(employee=EmployeeFactory(), content=ics("all_day.ics"))
    CalendarFeed.objects.create(employee=EmployeeFactory(), url=f"{server}/x", active=False)
    assert feeds_read(now=NOW) == {"ok": 2, "failed": 1}
    assert len(spans(good)) == 4
