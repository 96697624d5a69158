"""Published calendars (iCalendar) read into absences.

A feed is a person's or a unit's calendar, from a URL (read by the scheduled task
`calendar_feeds_read`) or an uploaded file. Its busy events in a window around now become
absences of the person, or of every active employee of the unit; free (TRANSP:TRANSPARENT,
X-MICROSOFT-CDO-BUSYSTATUS:FREE) and cancelled events do not. Recurrences, their exceptions
(EXDATE, moved instances with RECURRENCE-ID) and time zones are expanded by the maintained
libraries icalendar and recurring-ical-events, never by hand.

A feed that cannot be read (HTTP error, timeout, too large, not iCalendar) keeps the
absences it gave before and records why in `last_error`, which the unit's department contact
sees; reading never raises for a bad feed.
"""

import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Absence, AbsenceReason, CalendarFeed, Employee

logger = logging.getLogger(__name__)

NOTE_LENGTH = Absence._meta.get_field("note").max_length or 200
KEY_LENGTH = Absence._meta.get_field("feed_key").max_length or 300


class CalendarError(Exception):
    """Why a feed could not be read, in words its department contact understands."""


@dataclass(frozen=True)
class BusyPeriod:
    """One busy occurrence of an event: the key says which (UID|RECURRENCE-ID)."""

    key: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    summary: str


@dataclass(frozen=True)
class FeedReport:
    ok: bool
    changed: bool
    created: int = 0
    updated: int = 0
    deleted: int = 0
    error: str = ""


# Reading the text -----------------------------------------------------------------------


def _aware(value: date | datetime, tz: ZoneInfo) -> datetime:
    """An event's start or end as an aware datetime: a date is the start of that local day,
    a floating time is local time."""
    if not isinstance(value, datetime):
        return datetime.combine(value, clock_time(0), tzinfo=tz)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value


def _is_free(event: icalendar.Event) -> bool:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return True
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return True
    return str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"


def _key(event: icalendar.Event, start: datetime) -> str:
    uid = str(event.get("UID", "")) or f"no-uid-{start.isoformat()}"
    recurrence = event.get("RECURRENCE-ID")
    instance = _aware(recurrence.dt, start.tzinfo).isoformat() if recurrence else ""  # type: ignore[arg-type]
    return f"{uid}|{instance}"[:KEY_LENGTH]


def busy_periods(
    text: str | bytes, *, start: datetime, end: datetime, tz: ZoneInfo
) -> list[BusyPeriod]:
    """The busy occurrences of the calendar's events that overlap [start, end); CalendarError
    when the text is not an iCalendar file or its recurrences cannot be expanded."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise CalendarError(
            _("The file is not an iCalendar file: %(error)s") % {"error": error}
        ) from None
    if not isinstance(calendar, icalendar.Calendar):
        raise CalendarError(_("The file holds no calendar (VCALENDAR)."))
    try:
        events = list(recurring_ical_events.of(calendar).between(start, end))
    except Exception as error:  # the library raises many kinds on a broken event
        raise CalendarError(
            _("The calendar's events cannot be read: %(error)s") % {"error": error}
        ) from None
    periods: dict[str, BusyPeriod] = {}
    for event in events:
        if _is_free(event):
            continue
        try:
            raw_start, raw_end = event.start, event.end
        except Exception:  # an event without DTSTART: nothing to place
            continue
        all_day = not isinstance(raw_start, datetime)
        starts_at, ends_at = _aware(raw_start, tz), _aware(raw_end, tz)
        if ends_at <= starts_at:
            if not all_day:
                continue  # a moment, not a period: nobody is away for it
            ends_at = starts_at + timedelta(days=1)
        key = _key(event, starts_at)
        summary = (
            ""
            if str(event.get("CLASS", "")).upper() in {"PRIVATE", "CONFIDENTIAL"}
            else (str(event.get("SUMMARY", "")))
        )
        periods[key] = BusyPeriod(
            key=key,
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=all_day,
            summary=summary[:NOTE_LENGTH],
        )
    return sorted(periods.values(), key=lambda period: (period.starts_at, period.key))


# Fetching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    text: bytes | None  # None: not modified since the ETag
    etag: str


def fetch(url: str, *, etag: str, timeout: float, max_bytes: int) -> Fetched:
    """The feed's bytes, or None when the server says they did not change (304); CalendarError
    on an HTTP error, a timeout (over the whole read, not only each packet) or a larger
    file than `max_bytes`."""
    if not url.lower().startswith(("http://", "https://")):
        raise CalendarError(_("Only http and https addresses can be read."))
    request = urllib.request.Request(url, headers={"User-Agent": "Kontakt calendar reader"})
    if etag:
        request.add_header("If-None-Match", etag)
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise CalendarError(_too_large(max_bytes))
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise CalendarError(_timed_out(timeout))
                chunk = response.read1(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise CalendarError(_too_large(max_bytes))
                chunks.append(chunk)
            return Fetched(text=b"".join(chunks), etag=response.headers.get("ETag", "")[:200])
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Fetched(text=None, etag=etag)
        raise CalendarError(
            _("The server answered %(code)s %(reason)s.")
            % {"code": error.code, "reason": error.reason}
        ) from None
    except TimeoutError:
        raise CalendarError(_timed_out(timeout)) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise CalendarError(_timed_out(timeout)) from None
        raise CalendarError(
            _("The address cannot be read: %(error)s") % {"error": reason}
        ) from None


def _too_large(max_bytes: int) -> str:
    return _("The calendar is larger than %(n)s bytes.") % {"n": max_bytes}


def _timed_out(seconds: float) -> str:
    return _("The server did not answer within %(n)s seconds.") % {"n": f"{seconds:g}"}


# Applying ---------------------------------------------------------------------------------


def feed_window(now: datetime) -> tuple[datetime, datetime]:
    """The period a read replaces: from a day back (configurable) to 60 days ahead."""
    config = settings.KONTAKT["CALENDARS"]
    return (
        now - timedelta(days=config["WINDOW_PAST_DAYS"]),
        now + timedelta(days=config["WINDOW_DAYS"]),
    )


def _feed_people(feed: CalendarFeed) -> list[Employee]:
    """Whom the feed's events make absent: its person, or every active employee of its unit."""
    if feed.employee is not None:
        return [feed.employee] if feed.employee.active else []
    return list(Employee.objects.filter(unit=feed.unit, active=True).order_by("id"))


@transaction.atomic
def _absences_replace(
    feed: CalendarFeed, periods: list[BusyPeriod], *, start: datetime
) -> tuple[int, int, int]:
    """Make the feed's absences that end after `start` exactly `periods` for each of its
    people: unchanged ones stay, so reading the same file twice writes nothing."""
    wanted: dict[tuple[int, str], BusyPeriod] = {
        (person.pk, period.key): period for person in _feed_people(feed) for period in periods
    }
    existing = {
        (absence.employee_id, absence.feed_key): absence
        for absence in Absence.objects.select_for_update().filter(feed=feed, ends_at__gt=start)
    }
    created = updated = 0
    new: list[Absence] = []
    for (employee_id, key), period in wanted.items():
        reason = AbsenceReason.AWAY if period.all_day else AbsenceReason.MEETING
        absence = existing.pop((employee_id, key), None)
        if absence is None:
            new.append(
                Absence(
                    employee_id=employee_id,
                    feed=feed,
                    feed_key=key,
                    starts_at=period.starts_at,
                    ends_at=period.ends_at,
                    reason=reason,
                    note=period.summary,
                )
            )
            continue
        values = {
            "starts_at": period.starts_at,
            "ends_at": period.ends_at,
            "reason": reason,
            "note": period.summary,
        }
        if any(getattr(absence, field) != value for field, value in values.items()):
            Absence.objects.filter(pk=absence.pk).update(**values)
            updated += 1
    Absence.objects.bulk_create(new, batch_size=500)
    created = len(new)
    deleted = len(existing)
    if existing:
        Absence.objects.filter(pk__in=[absence.pk for absence in existing.values()]).delete()
    return created, updated, deleted


def feed_read(feed: CalendarFeed, *, now: datetime | None = None) -> FeedReport:
    """Read one feed (its URL, or its uploaded content) and replace its absences in the
    window; on any failure keep them and record the error. Never raises for a bad feed."""
    now = now or timezone.now()
    config = settings.KONTAKT["CALENDARS"]
    tz = ZoneInfo(settings.TIME_ZONE)
    start, end = feed_window(now)
    etag = feed.etag
    try:
        if feed.url:
            fetched = fetch(
                feed.url,
                etag=feed.etag,
                timeout=config["TIMEOUT_SECONDS"],
                max_bytes=config["MAX_BYTES"],
            )
            if fetched.text is None:
                CalendarFeed.objects.filter(pk=feed.pk).update(
                    last_read_at=now, last_ok_at=now, last_error=""
                )
                return FeedReport(ok=True, changed=False)
            text: str | bytes = fetched.text
            etag = fetched.etag
        else:
            text = feed.content
            if len(text.encode()) > config["MAX_BYTES"]:
                raise CalendarError(_too_large(config["MAX_BYTES"]))
        periods = busy_periods(text, start=start, end=end, tz=tz)
        created, updated, deleted = _absences_replace(feed, periods, start=start)
    except CalendarError as error:
        message = str(error)
        logger.info("Calendar feed %s not read: %s", feed.pk, message)
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now, last_error=message)
        feed.last_read_at, feed.last_error = now, message
        return FeedReport(ok=False, changed=False, error=message)
    CalendarFeed.objects.filter(pk=feed.pk).update(
        last_read_at=now, last_ok_at=now, last_error="", etag=etag
    )
    feed.last_read_at, feed.last_ok_at, feed.last_error, feed.etag = now, now, "", etag
    return FeedReport(
        ok=True,
        changed=bool(created or updated or deleted),
        created=created,
        updated=updated,
        deleted=deleted,
    )


def feeds_read(*, now: datetime | None = None) -> dict[str, int]:
    """Read every active feed; how many read well and how many failed."""
    counts = {"ok": 0, "failed": 0}
    # The ids first, each feed then read on its own: a cursor left open across the writes
    # would hold SQLite's read snapshot, and its first write would fail as soon as another
    # process had written ("database is locked", which no busy timeout waits out).
    ids = list(CalendarFeed.objects.filter(active=True).order_by("id").values_list("pk", flat=True))
    for pk in ids:
        feed = CalendarFeed.objects.select_related("employee").filter(pk=pk, active=True).first()
        if feed is None:
            continue
        try:
            report = feed_read(feed, now=now)
        except Exception:  # one feed's unforeseen failure must not stop the others
            logger.exception("Calendar feed %s failed", feed.pk)
            counts["failed"] += 1
            continue
        counts["ok" if report.ok else "failed"] += 1
    return counts
