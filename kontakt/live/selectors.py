"""Which live topics a user may receive; the events stream asks here and nowhere else."""

from django.contrib.auth.models import AnonymousUser

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import is_staff_user, user_roles

from .bus import CENTER, SUPERVISORS, user_topic

# Roles that watch the wallboard: the whole center's queues and agents.
WATCHES_WALLBOARD = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def live_topics(user: User | AnonymousUser) -> list[str]:
    """A staff user's own desktop and the center; the wallboard for supervisors too."""
    if not is_staff_user(user):
        return []
    topics = [user_topic(user.pk), CENTER]
    if user_roles(user) & WATCHES_WALLBOARD:
        topics.append(SUPERVISORS)
    return topics
