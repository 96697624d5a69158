"""Who may watch the queues, post what an exchange posts, and have a state."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_feed_telephony, may_take_calls, may_watch_queues

from ..models import Exchange


def require_watcher(user: User) -> None:
    """Supervisors and administrators watch the queues and switch crisis mode."""
    if not may_watch_queues(user):
        raise PermissionDenied(_("Only supervisors see the queues live."))


def require_feeder(auth: object) -> Exchange | None:
    """An exchange posting (returned), or an administrator trying it out (None); anyone
    else may not post what an exchange posts."""
    if isinstance(auth, Exchange):
        return auth
    if isinstance(auth, User) and may_feed_telephony(auth):
        return None
    raise PermissionDenied(_("Only a telephone exchange may post this."))


def require_call_taker(user: User) -> None:
    if not may_take_calls(user):
        raise PermissionDenied(_("Only agents who take calls have a state."))
