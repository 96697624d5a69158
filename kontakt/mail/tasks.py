"""Reading the mailboxes every KONTAKT["MAIL"]["POLL_SECONDS"]."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from kontakt.web.periodic import periodic

from .polling import mailboxes_poll


def mail_poll_period() -> timedelta:
    return timedelta(seconds=settings.KONTAKT["MAIL"]["POLL_SECONDS"])


@periodic(every=mail_poll_period)
@task()
def mail_poll() -> dict[str, int]:
    """Read every active mailbox and the drop folder; a failing mailbox records its error
    and is tried again at the next poll."""
    return mailboxes_poll()
