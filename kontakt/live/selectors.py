"""Which live topics a user may receive; the events stream asks here and nowhere else."""

from django.contrib.auth.models import AnonymousUser

from kontakt.accounts.models import User
from kontakt.accounts.selectors import is_staff_user, may_watch_queues

from .bus import CENTER, SUPERVISORS, user_topic


def live_topics(user: User | AnonymousUser) -> list[str]:
    """A staff user's own desktop and the center; the wallboard for supervisors too."""
    if not is_staff_user(user):
        return []
    topics = [user_topic(user.pk), CENTER]
    if may_watch_queues(user):
        topics.append(SUPERVISORS)
    return topics
