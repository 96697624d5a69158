"""Published calendars of Sjöstad's people and units, made up as iCalendar files.

What an Exchange or Google calendar publishes: a weekly day off for part-timers, a weekly
meeting with one week moved and one cancelled, a week's leave as an all-day event, a course
that was cancelled, a lunch marked free. Pure and seeded: the caller passes `now`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

TZ = ZoneInfo("Europe/Stockholm")
PRODID = "-//Sjöstad kommun//Kalender//SV"
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]


@cache
def _timezone(year: int) -> Timezone:
    # The zone's rules for the years around the events (from 1970 on it is 3 kB a file).
    return Timezone.from_tzid(
        TZ.key, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1)
    )


def _calendar(name: str, today: date) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add_component(_timezone(today.year))
    return calendar


def _event(uid: str, summary: str, start: date | datetime, end: date | datetime, **more) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
    for key, value in more.items():
        event.add(key.replace("_", "-"), value)
    return event


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def person_calendar(rng: random.Random, *, key: str, name: str, now: datetime) -> str:
    """A person's calendar around `now`: some of the events below, chosen by the generator."""
    today = now.astimezone(TZ).date()
    calendar = _calendar(name, today)
    monday = _monday(today)
    since = monday - timedelta(weeks=8)
    if rng.random() < 0.3:
        # Works part-time: the same weekday off every week (mostly Fridays), one week not.
        weekday = rng.choices(range(5), [1, 1, 2, 1, 6])[0]
        first = since + timedelta(days=weekday)
        off = _event(
            f"{key}-off@sjostad.se",
            "Arbetar inte fredagar" if weekday == 4 else "Ledig (deltid)",
            first,
            first + timedelta(days=1),
            rrule={"freq": "weekly", "byday": WEEKDAYS[weekday]},
        )
        off.add("exdate", first + timedelta(weeks=rng.randint(1, 7)))
        calendar.add_component(off)
    if rng.random() < 0.6:
        # A weekly meeting; one week moved to the afternoon, one cancelled.
        weekday = rng.randrange(5)
        hour = rng.choice([8, 9, 10, 13, 14])
        first = since + timedelta(days=weekday)
        uid = f"{key}-meeting@sjostad.se"
        summary = rng.choice(["Enhetsmöte", "Arbetsplatsträff", "Ärendedragning", "Veckomöte"])
        meeting = _event(
            uid,
            summary,
            _local(first, hour),
            _local(first, hour + 1),
            rrule={"freq": "weekly", "byday": WEEKDAYS[weekday]},
        )
        meeting.add("exdate", _local(first + timedelta(weeks=3), hour))
        calendar.add_component(meeting)
        moved = first + timedelta(weeks=8)  # this week's
        calendar.add_component(
            _event(
                uid,
                summary + " (flyttat)",
                _local(moved, 15),
                _local(moved, 16),
                recurrence_id=_local(moved, hour),
                sequence=1,
            )
        )
    if rng.random() < 0.5:
        # A week's leave: past, this week or to come.
        start = monday + timedelta(weeks=rng.choice([-3, -1, 0, 0, 1, 2, 4]))
        calendar.add_component(
            _event(
                f"{key}-leave@sjostad.se",
                rng.choice(["Semester", "Ledig", "Föräldraledig"]),
                start,
                start + timedelta(days=7),
            )
        )
    if rng.random() < 0.25:
        # A course that was cancelled: it must not make the person absent.
        day = today + timedelta(days=rng.randint(-2, 10))
        calendar.add_component(
            _event(
                f"{key}-course@sjostad.se",
                "Kurs: Första hjälpen",
                _local(day, 9),
                _local(day, 16),
                status="CANCELLED",
            )
        )
    if rng.random() < 0.2:
        # A daily lunch shown as free: no absence.
        calendar.add_component(
            _event(
                f"{key}-lunch@sjostad.se",
                "Lunch",
                _local(since, 12),
                _local(since, 12, 45),
                rrule={"freq": "daily", "byday": WEEKDAYS},
                transp="TRANSPARENT",
            )
        )
    if rng.random() < 0.3:
        # A training day this week or next.
        day = today + timedelta(days=rng.randint(0, 9))
        if day.weekday() < 5:
            calendar.add_component(
                _event(
                    f"{key}-training@sjostad.se",
                    rng.choice(["Utbildning", "Konferens i Malmö", "Tjänsteresa"]),
                    _local(day, 8),
                    _local(day, 17),
                )
            )
    return calendar.to_ical().decode()


def unit_calendar(rng: random.Random, *, key: str, name: str, now: datetime) -> str:
    """A unit's calendar: a monthly workplace meeting and a planning day next week."""
    today = now.astimezone(TZ).date()
    calendar = _calendar(name, today)
    first = _monday(today) - timedelta(weeks=8) + timedelta(days=rng.randrange(5))
    calendar.add_component(
        _event(
            f"{key}-apt@sjostad.se",
            "Arbetsplatsträff (hela enheten)",
            _local(first, 8),
            _local(first, 9, 30),
            rrule={"freq": "weekly", "interval": 4},
        )
    )
    day = _monday(today) + timedelta(days=7 + rng.randrange(5))
    calendar.add_component(
        _event(f"{key}-planning@sjostad.se", "Planeringsdag", day, day + timedelta(days=1))
    )
    return calendar.to_ical().decode()
