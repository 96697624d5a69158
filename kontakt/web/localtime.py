"""Local time that cannot fail: a stored time near the ends of what Python can hold.

Django shows every aware time in the current time zone (templates' `date` and `time`,
`{{ value }}`, admin lists and date hierarchies, form fields) through
`django.utils.timezone.localtime`. A time that the API accepted before the time window
existed, or that was written to the database directly, such as 9999-12-31T23:59:59Z, has
no local equivalent east of UTC: `astimezone` raises OverflowError and the page answers 500.
PostgreSQL computes such local times itself (the admin's date hierarchy truncates in the
local zone) and answers year 10000, which psycopg cannot load.

`guard_localtime` makes both ends safe: such a time is shown as it is, in UTC, and a local
time or date the database computes beyond year 9999 is read as the last one Python holds.
"""

from datetime import date, datetime, tzinfo

import psycopg
from django.utils import timezone
from psycopg.types.datetime import DateLoader, TimestampLoader

_django_localtime = timezone.localtime


def safe_localtime(value: datetime | None = None, timezone: tzinfo | None = None) -> datetime:
    """Django's localtime, or the time unchanged (in its own zone, UTC from the database)
    when the local time would lie outside the years 1 to 9999."""
    try:
        return _django_localtime(value, timezone)
    except OverflowError:
        assert value is not None  # now() always has a local time
        return value


class ClampedTimestampLoader(TimestampLoader):
    """A timestamp without zone beyond year 9999 (only ever computed, never stored) is read
    as datetime.max; one before year 1 as datetime.min."""

    def load(self, data: bytes | bytearray | memoryview) -> datetime:
        try:
            return super().load(data)
        except psycopg.DataError:
            return datetime.min if b"BC" in bytes(data) else datetime.max


class ClampedDateLoader(DateLoader):
    def load(self, data: bytes | bytearray | memoryview) -> date:
        try:
            return super().load(data)
        except psycopg.DataError:
            return date.min if b"BC" in bytes(data) else date.max


def guard_localtime() -> None:
    """Install safe_localtime as Django's localtime and the clamped loaders for every new
    PostgreSQL connection (once; the app registry calls it)."""
    timezone.localtime = safe_localtime
    psycopg.adapters.register_loader("timestamp", ClampedTimestampLoader)
    psycopg.adapters.register_loader("date", ClampedDateLoader)
