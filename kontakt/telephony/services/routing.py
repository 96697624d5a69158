"""Routing: whom the exchange rings for a waiting call, and which agent gets a waiting
callback, chat or e-mail; one decision at a time."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from kontakt.accounts.models import User
from kontakt.core import router as core_router
from kontakt.core.presence import AgentState
from kontakt.directory.models import AnswerGroup
from kontakt.live import bus

from .. import selectors
from ..models import QueuedContact, WorkState
from .presence import _presence_of, _presence_set


@dataclass(frozen=True)
class RoutingAnswer:
    """Whom the exchange rings, or that the caller keeps waiting (and for about how long)."""

    action: str  # "ring" or "queue"
    agent: User | None
    estimated_wait_seconds: float
    position: int
    offer_callback: bool


def _lock_routing() -> None:
    # One decision at a time, so two calls are never offered the same free agent.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended('routing', 7))")


def routing_decide(
    *,
    call_id: str,
    answer_group: AnswerGroup,
    language: str = "",
    priority: int = 1,
    now: datetime | None = None,
) -> RoutingAnswer:
    """Choose the agent to ring for a waiting contact, or keep it queueing; the chosen
    agent is held as offered for the ring time."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_routing()
        state = selectors.routing_state(now=now, exclude_call=call_id)
        contact = core_router.Contact(
            id=call_id,
            group=answer_group.code,
            channel=core_router.Channel.CALL,
            queued_at=state.queued_at_of(call_id, default=now),
            priority=priority,
            language=language or None,
        )
        decision = state.router.decide(contact, now=state.clock(now))
        _assign(state, state.router.pending_offers(), now=now)
        if isinstance(decision, core_router.Offer):
            agent = state.users[decision.agent_id]
            presence = _presence_of(agent, now=now)
            ring = timedelta(seconds=selectors.telephony_settings()["RING_SECONDS"])
            _presence_set(
                presence, state=AgentState.OFFERED, at=now, until=now + ring, call_id=call_id
            )
            return RoutingAnswer("ring", agent, 0.0, 0, False)
        return RoutingAnswer(
            "queue",
            None,
            round(decision.estimated_wait_seconds, 1),
            decision.position,
            decision.offer_callback,
        )


# The reason a callback's agent is busy until the contact is logged.
CALLBACK_REASON = "callback"


def _assign(
    state: selectors.RoutingState, offers: Iterable[core_router.Offer], *, now: datetime
) -> list[QueuedContact]:
    """Hand the queued contacts among the router's offers to their agents; calls are the
    exchange's to ring (it asks), so their offers are left alone."""
    assigned = []
    for offer in offers:
        pk = selectors.queued_pk(offer.contact_id)
        if pk is None:
            continue
        queued = QueuedContact.objects.select_for_update().get(pk=pk)
        if queued.state != WorkState.WAITING:
            continue
        agent = state.users[offer.agent_id]
        queued.state, queued.agent, queued.assigned_at = WorkState.ASSIGNED, agent, now
        queued.save(update_fields=["state", "agent", "assigned_at"])
        if queued.callback:
            # Phoning back: the agent is on it until the contact is logged.
            presence = _presence_of(agent, now=now)
            _presence_set(
                presence,
                state=AgentState.BUSY,
                at=now,
                reason=CALLBACK_REASON,
                call_id=queued.reference,
            )
        bus.publish_on_commit(bus.user_topic(agent.pk), selectors.work_message(queued))
        assigned.append(queued)
    return assigned


def routing_dispatch(*, now: datetime | None = None) -> list[QueuedContact]:
    """Offer waiting callbacks, chats and e-mails to the agents who may take them now."""
    now = now or timezone.now()
    if not selectors.anyone_ready(now=now):
        return []
    with transaction.atomic():
        _lock_routing()
        state = selectors.routing_state(now=now)
        return _assign(state, state.router.route(now=state.clock(now)), now=now)
