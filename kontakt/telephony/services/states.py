"""The state an agent chooses on the desktop (or a supervisor for them); choosing Ready
hands out the callbacks, chats and e-mails waiting for them."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_take_calls, may_watch_queues
from kontakt.core.presence import CHOSEN_STATES, AgentState

from .. import selectors
from ..models import Presence
from .presence import _presence_of, _presence_set
from .routing import routing_dispatch


def presence_change(
    *,
    agent: User,
    state: str,
    reason: str = "",
    by: User | None = None,
    now: datetime | None = None,
) -> Presence:
    """An agent (or an exchange on their behalf, with `by` None) sets their state."""
    now = now or timezone.now()
    if by is not None and by != agent and not may_watch_queues(by):
        raise PermissionDenied(_("You may only change your own state."))
    if not may_take_calls(agent):
        raise ValidationError({"agent": [_("This user does not take calls.")]})
    try:
        chosen = AgentState(state)
    except ValueError:
        chosen = None
    if chosen not in CHOSEN_STATES:
        choices = ", ".join(s.value for s in CHOSEN_STATES)
        raise ValidationError({"state": [_("Choose one of: %(choices)s.") % {"choices": choices}]})
    reason = reason.strip()[:100]
    if chosen == AgentState.PAUSED and not reason:
        raise ValidationError({"reason": [_("Give the reason for the pause.")]})
    with transaction.atomic():
        presence = _presence_of(agent, now=now)
        current = selectors.effective_state(presence, now=now)
        if current in (AgentState.BUSY, AgentState.OFFERED) and chosen != AgentState.LOGGED_OUT:
            raise ValidationError(
                {"state": [_("Finish the call first; the state follows when it ends.")]}
            )
        _presence_set(
            presence, state=chosen, at=now, reason=reason if chosen == AgentState.PAUSED else ""
        )
    if chosen == AgentState.READY:
        routing_dispatch(now=now)
    return presence
