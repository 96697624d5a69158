"""An agent's state and the rules that move it, as telephony keeps it (the router shares
the states, the channels and the capacity rule, `room_left`, and keeps its own idle times).

Pure: a `Presence` in, a `Presence` out, and the caller passes the time.

- What a call event does (`EVENT_STATES`): `ringing` offers the call to the agent it names
  (OFFERED until the ring time is up), `answered` makes that agent BUSY, whatever they were
  doing (the exchange rang them). An end of the call the agent holds (`ended`, `abandoned`,
  `transferred`, `callback_requested`) starts a wrap-up after an answer (WRAP_UP for the
  group's wrap-up time) and frees an agent whose phone only rang (READY). Anything else
  changes nothing.
- Late events (`is_stale`): an event older than the agent's state about a call changes
  nothing. A state the agent chose (ready, paused) gives way even to a slightly older event,
  since the exchange's clock and ours need not agree to the second.
- Ending by itself (`effective`): a wrap-up or an unanswered offer whose `until` has passed
  is READY since that time, with no call.
- Idle time (`move`, `idle_since`): an agent is idle since they last became free: when they
  chose READY, or when the wrap-up or unanswered offer before it ended, whichever is later.
  Routing offers the longest idle first.
- Capacity (`room_left`, `capacity_left`): an agent on a call takes nothing else; a call
  needs an agent holding nothing (and is one at a time); a chat or an e-mail needs room on
  its own channel. The router keeps to the same rule for the contacts it hands out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from kontakt.core.call_events import EventType


class AgentState(StrEnum):
    """What an agent is doing."""

    LOGGED_OUT = "logged_out"
    READY = "ready"
    OFFERED = "offered"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class Channel(StrEnum):
    """How a contact reaches the center; each has its own capacity per agent."""

    CALL = "call"
    CHAT = "chat"
    EMAIL = "email"


CHANNELS = (Channel.CALL, Channel.CHAT, Channel.EMAIL)
DEFAULT_CAPACITY: Mapping[Channel, int] = MappingProxyType(
    {Channel.CALL: 1, Channel.CHAT: 3, Channel.EMAIL: 5}
)

# The states an agent chooses on their desktop; the others follow from calls.
CHOSEN_STATES = (AgentState.READY, AgentState.PAUSED, AgentState.LOGGED_OUT)
_ABOUT_A_CALL = frozenset({AgentState.OFFERED, AgentState.BUSY, AgentState.WRAP_UP})
_ENDS_BY_ITSELF = frozenset({AgentState.WRAP_UP, AgentState.OFFERED})

# Events about the agent they name, and events that end the agent's part in the call held.
AGENT_EVENTS = frozenset({EventType.RINGING, EventType.ANSWERED})
CALL_END_EVENTS = frozenset(
    {
        EventType.ENDED,
        EventType.ABANDONED,
        EventType.TRANSFERRED,
        EventType.CALLBACK_REQUESTED,
    }
)

# (event, state before; None for any) → state after. An event and state not here: no change.
EVENT_STATES: Mapping[tuple[EventType, AgentState | None], AgentState] = MappingProxyType(
    {
        (EventType.RINGING, None): AgentState.OFFERED,
        (EventType.ANSWERED, None): AgentState.BUSY,
        **{(end, AgentState.BUSY): AgentState.WRAP_UP for end in CALL_END_EVENTS},
        **{(end, AgentState.OFFERED): AgentState.READY for end in CALL_END_EVENTS},
    }
)


@dataclass(frozen=True, slots=True)
class Presence:
    """An agent's state: since when, until when it ends by itself, the call it is about."""

    state: AgentState
    since: datetime
    reason: str = ""
    idle_since: datetime | None = None
    until: datetime | None = None
    call_id: str = ""


def state_after(state: AgentState, event: EventType) -> AgentState | None:
    """The state `event` leads to from `state`, by `EVENT_STATES`; None: no change."""
    return EVENT_STATES.get((event, None)) or EVENT_STATES.get((event, state))


def move(
    presence: Presence,
    *,
    state: AgentState,
    at: datetime,
    reason: str = "",
    until: datetime | None = None,
    call_id: str = "",
) -> Presence:
    """The agent's state from `at`; their idle time starts when they become free."""
    idle_since = presence.idle_since
    if state is AgentState.READY and presence.state is not AgentState.READY:
        # A wrap-up or an unanswered offer past its end already made them free then.
        ended = presence.until is not None and presence.until <= at
        idle_since = presence.until if ended else at
    elif state is AgentState.WRAP_UP and until is not None:
        idle_since = until  # free again when the wrap-up ends
    return Presence(
        state=state, since=at, reason=reason, idle_since=idle_since, until=until, call_id=call_id
    )


def is_stale(presence: Presence, *, call_id: str, at: datetime) -> bool:
    """Tell whether an event of `call_id` at `at` came too late to change the state."""
    if presence.since <= at:
        return False
    return presence.call_id == call_id or presence.state in _ABOUT_A_CALL


def follow(
    presence: Presence,
    *,
    event: EventType,
    call_id: str,
    at: datetime,
    ring_seconds: float,
    wrap_up_seconds: float,
) -> Presence | None:
    """The state after a call event that names the agent or ends the call they hold;
    None when it changes nothing (it came late, or the table has no row for it)."""
    if is_stale(presence, call_id=call_id, at=at):
        return None
    state = state_after(presence.state, event)
    if state is None:
        return None
    if state is AgentState.OFFERED:
        until: datetime | None = at + timedelta(seconds=ring_seconds)
    elif state is AgentState.WRAP_UP:
        until = at + timedelta(seconds=wrap_up_seconds)
    else:
        until = None
    held = "" if state is AgentState.READY else call_id
    return move(presence, state=state, at=at, until=until, call_id=held)


def effective(presence: Presence, *, now: datetime) -> Presence:
    """The state as it is at `now`: a wrap-up or an unanswered offer past its end is READY
    since it ended."""
    until = presence.until
    if presence.state in _ENDS_BY_ITSELF and until is not None and until <= now:
        idle = max(presence.idle_since or presence.since, until)
        return Presence(state=AgentState.READY, since=until, idle_since=idle)
    return presence


def idle_since(presence: Presence, *, now: datetime) -> datetime:
    """Since when an agent who is READY at `now` has been free."""
    current = effective(presence, now=now)
    return current.idle_since or current.since


_NO_ROOM = (0, 0, 0)


def room_left(load: Sequence[int], capacity: Sequence[int]) -> tuple[int, int, int]:
    """How many more contacts of each channel, in `CHANNELS`' order, an agent holding `load`
    may take, given their `capacity` (both in that order too)."""
    # On the router's hot path: no builtins called, the sequences unpacked once.
    call, chat, email = load
    if call:
        return _NO_ROOM
    calls, chats, emails = capacity
    return (
        0 if chat or email or calls <= 0 else 1,
        chats - chat if chats > chat else 0,
        emails - email if emails > email else 0,
    )


def capacity_left(
    load: Mapping[str, int], capacity: Mapping[Channel, int] = DEFAULT_CAPACITY
) -> dict[Channel, int]:
    """`room_left` by channel name: what an agent holding `load` may still take."""
    room = room_left(
        [load.get(channel, 0) for channel in CHANNELS],
        [capacity.get(channel, 0) for channel in CHANNELS],
    )
    return dict(zip(CHANNELS, room, strict=True))
