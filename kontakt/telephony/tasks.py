"""Telephony's scheduled work."""

from datetime import timedelta

from django.tasks import task

from kontakt.web.periodic import periodic

from .services import routing_dispatch


@periodic(every=timedelta(minutes=1))
@task()
def routing_round() -> int:
    """Hand out what waits. An agent also becomes ready by time alone (a wrap-up or an
    unanswered offer runs out), with no event to route on: a chat or e-mail waiting then is
    handed out at the latest a minute later. Returns how many were handed out."""
    return len(routing_dispatch())
