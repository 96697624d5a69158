"""Local time that cannot fail: a stored time near the ends of what Python can hold.

Django shows every aware time in the current time zone (templates' `date` and `time`,
`{{ value }}`, admin lists and date hierarchies, form fields) through
`django.utils.timezone.localtime`. A time that the API accepted before the time window
existed, or that was written to the database directly, such as 9999-12-31T23:59:59Z, has
no local equivalent east of UTC: `astimezone` raises OverflowError and the page answers 500.
`guard_localtime` wraps that one helper so such a time is shown as it is, in UTC.
"""

from datetime import datetime, tzinfo

from django.utils import timezone

_django_localtime = timezone.localtime


def safe_localtime(value: datetime | None = None, timezone: tzinfo | None = None) -> datetime:
    """Django's localtime, or the time unchanged (in its own zone, UTC from the database)
    when the local time would lie outside the years 1 to 9999."""
    try:
        return _django_localtime(value, timezone)
    except OverflowError:
        assert value is not None  # now() always has a local time
        return value


def guard_localtime() -> None:
    """Install safe_localtime as Django's localtime (once; the app registry calls it)."""
    timezone.localtime = safe_localtime
