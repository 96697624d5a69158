"""Agents' states: chosen on the desktop, or moved by what happens on their calls; each
change is kept and pushed to the agent's desktop after the commit."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q

from kontakt.accounts.models import User
from kontakt.core import presence as core_presence
from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.presence import AgentState
from kontakt.live import bus

from .. import selectors
from ..models import Call, Presence, PresenceChange


def _presence_write(presence: Presence, state: core_presence.Presence) -> PresenceChange:
    """Put the core's state into the row (in memory); returns the change to keep."""
    presence.state = state.state.value
    presence.reason = state.reason
    presence.since = state.since
    presence.idle_since = state.idle_since
    presence.until = state.until
    presence.call_id = state.call_id
    return PresenceChange(
        agent_id=presence.agent_id, state=presence.state, reason=presence.reason, at=state.since
    )


def _presence_announce(presence: Presence) -> None:
    bus.publish_on_commit(bus.user_topic(presence.agent_id), selectors.presence_message(presence))


def _presence_set(
    presence: Presence,
    *,
    state: AgentState,
    at: datetime,
    reason: str = "",
    until: datetime | None = None,
    call_id: str = "",
) -> None:
    """Change one agent's state, keep the change, and tell their desktop after the commit."""
    moved = core_presence.move(
        selectors.presence_state(presence),
        state=state,
        at=at,
        reason=reason,
        until=until,
        call_id=call_id,
    )
    change_row = _presence_write(presence, moved)
    presence.save()
    change_row.save()
    _presence_announce(presence)


def _presence_of(agent: User, *, now: datetime) -> Presence:
    presence, _created = Presence.objects.select_for_update().get_or_create(
        agent=agent, defaults={"since": now}
    )
    return presence


PRESENCE_FIELDS = ["state", "reason", "since", "idle_since", "until", "call_id"]


def _presence_follow(
    events: Iterable[CoreEvent],
    calls: dict[str, Call],
    agents: dict[str, User],
    *,
    now: datetime,
) -> None:
    """Move agents' states after what happened on their calls: ringing offers, answering
    makes busy, the end starts wrap-up. An event older than the agent's state changes
    nothing (events may arrive late). The batch's agents are locked and written at once."""
    ordered = sorted(events, key=lambda e: e.at)
    named = {
        agents[e.agent.casefold()].pk
        for e in ordered
        if e.agent and e.agent.casefold() in agents and e.type in core_presence.AGENT_EVENTS
    }
    call_ids = {e.call_id for e in ordered}
    locked = {
        p.agent_id: p
        for p in Presence.objects.select_for_update()
        .filter(Q(agent_id__in=named) | Q(call_id__in=call_ids))
        .order_by("agent_id")
    }
    missing = [Presence(agent_id=pk, since=now) for pk in sorted(named - set(locked))]
    if missing:
        Presence.objects.bulk_create(missing, ignore_conflicts=True)
        locked.update(
            (p.agent_id, p)
            for p in Presence.objects.select_for_update().filter(
                agent_id__in=[m.agent_id for m in missing]
            )
        )
    holding = {p.call_id: p for p in locked.values() if p.call_id}
    ring = selectors.telephony_settings()["RING_SECONDS"]
    wrap_default = selectors.telephony_settings()["WRAP_UP_SECONDS"]
    wraps = selectors.wrap_up_seconds_by_group()
    changes: list[PresenceChange] = []
    moved: dict[int, Presence] = {}
    answered: list[tuple[Call, User]] = []
    for event in ordered:
        call = calls.get(event.call_id)
        agent = agents.get(event.agent.casefold()) if event.agent else None
        if event.type in core_presence.AGENT_EVENTS and agent is not None:
            presence = locked[agent.pk]
        elif event.type in core_presence.CALL_END_EVENTS:
            found = holding.pop(event.call_id, None)
            if found is None:
                continue
            presence = found
        else:
            continue
        group = call.answer_group_id if call else None
        after = core_presence.follow(
            selectors.presence_state(presence),
            event=event.type,
            call_id=event.call_id,
            at=event.at,
            ring_seconds=ring,
            wrap_up_seconds=wraps.get(group, wrap_default),
        )
        if after is None:
            continue
        changes.append(_presence_write(presence, after))
        moved[presence.agent_id] = presence
        if event.type in core_presence.AGENT_EVENTS:
            holding[event.call_id] = presence
            if after.state is AgentState.BUSY and call is not None and agent is not None:
                answered.append((call, agent))
    if not moved:
        return
    rows = [
        Presence(agent_id=p.agent_id, **{f: getattr(p, f) for f in PRESENCE_FIELDS})
        for p in moved.values()
    ]
    Presence.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["agent"], update_fields=PRESENCE_FIELDS
    )
    PresenceChange.objects.bulk_create(changes)
    for presence in moved.values():
        _presence_announce(presence)
    residents = selectors.residents_by_callers({call.caller for call, _agent in answered})
    for call, agent in answered:
        message = selectors.screen_pop_message(call, agent=agent, residents=residents)
        bus.publish_on_commit(bus.user_topic(agent.pk), message)
