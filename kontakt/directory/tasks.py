"""Background work of the directory: reading the published calendars into absences."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from kontakt.web.periodic import periodic

from .calendars import feeds_read


def calendar_poll_period() -> timedelta:
    return timedelta(minutes=settings.KONTAKT["CALENDARS"]["POLL_MINUTES"])


@periodic(every=calendar_poll_period)
@task()
def calendar_feeds_read() -> dict[str, int]:
    """Read every active calendar feed (URL or uploaded file); a failing feed keeps its
    absences and records its error."""
    return feeds_read()
