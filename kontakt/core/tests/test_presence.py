"""Tests for kontakt.core.presence: the event → state table, late events, states that end by
themselves, idle time and capacity, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kontakt.core.call_events import EventType
from kontakt.core.presence import (
    AgentState,
    Channel,
    Presence,
    capacity_left,
    effective,
    follow,
    idle_since,
    is_stale,
    move,
    room_left,
    state_after,
)

E = EventType
S = AgentState
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RING, WRAP = 20, 30


def at(seconds: float | None) -> datetime | None:
    return None if seconds is None else T0 + timedelta(seconds=seconds)


def presence(
    state: AgentState,
    since: float = 0,
    *,
    until: float | None = None,
    idle: float | None = None,
    call: str = "",
    reason: str = "",
) -> Presence:
    since_at = at(since)
    assert since_at is not None
    return Presence(
        state=state,
        since=since_at,
        reason=reason,
        idle_since=at(idle),
        until=at(until),
        call_id=call,
    )


# (event, state before, state after; None: no change)
EVENT_TABLE: list[tuple[EventType, AgentState, AgentState | None]] = [
    # The agent the event names: rung whatever they were doing, busy once they answer.
    *[(E.RINGING, s, S.OFFERED) for s in AgentState],
    *[(E.ANSWERED, s, S.BUSY) for s in AgentState],
    # The end of the call the agent holds: wrap-up after an answer, free after a ring only.
    *[(end, S.BUSY, S.WRAP_UP) for end in (E.ENDED, E.ABANDONED, E.TRANSFERRED)],
    (E.CALLBACK_REQUESTED, S.BUSY, S.WRAP_UP),
    *[(end, S.OFFERED, S.READY) for end in (E.ENDED, E.ABANDONED, E.TRANSFERRED)],
    (E.CALLBACK_REQUESTED, S.OFFERED, S.READY),
    # An end finds the agent in no call state: nothing to do.
    *[(E.ENDED, s, None) for s in (S.READY, S.PAUSED, S.WRAP_UP, S.LOGGED_OUT)],
    (E.ABANDONED, S.WRAP_UP, None),
    # Events that say nothing of the agent.
    *[(kind, s, None) for kind in (E.OFFERED, E.QUEUED, E.TRANSFER_RETURNED) for s in AgentState],
]


@pytest.mark.parametrize(("event", "before", "after"), EVENT_TABLE)
def test_the_event_state_table(
    event: EventType, before: AgentState, after: AgentState | None
) -> None:
    assert state_after(before, event) is after


# (event, state before with its call, state after, until in s after the event, call held)
FOLLOW_TABLE: list[tuple[EventType, AgentState, str, AgentState | None, float | None, str]] = [
    (E.RINGING, S.READY, "", S.OFFERED, RING, "c1"),
    (E.ANSWERED, S.OFFERED, "c1", S.BUSY, None, "c1"),
    (E.ANSWERED, S.PAUSED, "", S.BUSY, None, "c1"),  # the exchange rang them anyway
    (E.ENDED, S.BUSY, "c1", S.WRAP_UP, WRAP, "c1"),
    (E.TRANSFERRED, S.BUSY, "c1", S.WRAP_UP, WRAP, "c1"),
    (E.ABANDONED, S.OFFERED, "c1", S.READY, None, ""),
    (E.ENDED, S.WRAP_UP, "c1", None, None, ""),
    (E.QUEUED, S.READY, "", None, None, ""),
]


@pytest.mark.parametrize(("event", "before", "held", "after", "until", "call"), FOLLOW_TABLE)
def test_follow_sets_the_state_its_end_and_its_call(
    event: EventType,
    before: AgentState,
    held: str,
    after: AgentState | None,
    until: float | None,
    call: str,
) -> None:
    moved = follow(
        presence(before, 0, call=held),
        event=event,
        call_id="c1",
        at=T0 + timedelta(seconds=10),
        ring_seconds=RING,
        wrap_up_seconds=WRAP,
    )
    if after is None:
        assert moved is None
        return
    assert moved is not None
    assert (moved.state, moved.since, moved.call_id) == (after, at(10), call)
    assert moved.until == (None if until is None else at(10 + until))


# (state, since, call held, event's call, event at, stale)
STALE_TABLE: list[tuple[AgentState, float, str, str, float, bool]] = [
    (S.READY, 10, "", "c1", 10, False),  # same instant: not late
    (S.READY, 10, "", "c1", 20, False),
    (S.READY, 10, "", "c1", 9, False),  # a chosen state gives way to a slightly older event
    (S.PAUSED, 10, "", "c1", 5, False),
    (S.BUSY, 10, "c1", "c1", 5, True),  # older than the state about this call
    (S.BUSY, 10, "c2", "c1", 5, True),  # older than a state about another call
    (S.OFFERED, 10, "c2", "c1", 5, True),
    (S.WRAP_UP, 10, "c2", "c1", 5, True),
    (S.BUSY, 10, "c1", "c1", 11, False),
]


@pytest.mark.parametrize(("state", "since", "held", "call", "event_at", "stale"), STALE_TABLE)
def test_late_events(
    state: AgentState, since: float, held: str, call: str, event_at: float, stale: bool
) -> None:
    moment = at(event_at)
    assert moment is not None
    assert is_stale(presence(state, since, call=held), call_id=call, at=moment) is stale


def test_a_late_event_changes_nothing() -> None:
    busy = presence(S.BUSY, 10, call="c2")
    late = follow(
        busy, event=E.RINGING, call_id="c1", at=T0, ring_seconds=RING, wrap_up_seconds=WRAP
    )
    assert late is None


# (state, until, idle since, now, effective state, since, idle since)
EFFECTIVE_TABLE: list[
    tuple[AgentState, float | None, float | None, float, AgentState, float, float | None]
] = [
    (S.WRAP_UP, 30, 30, 29, S.WRAP_UP, 0, 30),  # still wrapping up
    (S.WRAP_UP, 30, 30, 30, S.READY, 30, 30),  # ends at `until`, inclusive
    (S.WRAP_UP, 30, 30, 90, S.READY, 30, 30),
    (S.OFFERED, 20, 5, 25, S.READY, 20, 20),  # an unanswered offer frees them when it ends
    (S.OFFERED, 20, None, 25, S.READY, 20, 20),
    (S.BUSY, None, None, 999, S.BUSY, 0, None),  # a call never ends by itself
    (S.PAUSED, None, None, 999, S.PAUSED, 0, None),
    (S.READY, None, -50, 999, S.READY, 0, -50),
]


@pytest.mark.parametrize(
    ("state", "until", "idle", "now", "expected", "since", "idle_after"), EFFECTIVE_TABLE
)
def test_wrap_ups_and_offers_end_by_themselves(
    state: AgentState,
    until: float | None,
    idle: float | None,
    now: float,
    expected: AgentState,
    since: float,
    idle_after: float | None,
) -> None:
    moment = at(now)
    assert moment is not None
    current = effective(presence(state, 0, until=until, idle=idle, call="c1"), now=moment)
    assert (current.state, current.since, current.idle_since) == (
        expected,
        at(since),
        at(idle_after),
    )
    if expected is S.READY and state is not S.READY:
        assert (current.call_id, current.until) == ("", None)


# (state before, its until, its idle since, new state, at, new until, idle since after)
IDLE_TABLE: list[
    tuple[AgentState, float | None, float | None, AgentState, float, float | None, float | None]
] = [
    (S.PAUSED, None, None, S.READY, 50, None, 50),  # free from the moment they choose ready
    (S.LOGGED_OUT, None, -10, S.READY, 50, None, 50),
    (S.READY, None, 10, S.READY, 50, None, 10),  # ready again: still idle since before
    (S.WRAP_UP, 30, 30, S.READY, 50, None, 30),  # the wrap-up had ended: free since then
    (S.WRAP_UP, 80, 80, S.READY, 50, None, 50),  # cut short: free now
    (S.OFFERED, 40, 10, S.READY, 50, None, 40),  # the offer had run out at 40
    (S.BUSY, None, 10, S.WRAP_UP, 50, 80, 80),  # free again when the wrap-up ends
    (S.READY, None, 10, S.OFFERED, 50, 70, 10),  # a ring leaves the idle time as it was
    (S.READY, None, 10, S.BUSY, 50, None, 10),
    (S.READY, None, 10, S.PAUSED, 50, None, 10),
]


@pytest.mark.parametrize(
    ("before", "until", "idle", "state", "moved_at", "new_until", "idle_after"), IDLE_TABLE
)
def test_idle_time_starts_when_the_agent_becomes_free(
    before: AgentState,
    until: float | None,
    idle: float | None,
    state: AgentState,
    moved_at: float,
    new_until: float | None,
    idle_after: float | None,
) -> None:
    moment = at(moved_at)
    assert moment is not None
    moved = move(
        presence(before, 0, until=until, idle=idle), state=state, at=moment, until=at(new_until)
    )
    assert (moved.state, moved.since, moved.until) == (state, moment, at(new_until))
    assert moved.idle_since == at(idle_after)


def test_idle_since_of_a_ready_agent() -> None:
    assert idle_since(presence(S.READY, 10, idle=5), now=T0) == at(5)
    assert idle_since(presence(S.READY, 10), now=T0) == at(10)
    wrap_up = presence(S.WRAP_UP, 0, until=30, idle=30)
    assert idle_since(wrap_up, now=T0 + timedelta(seconds=60)) == at(30)


# (calls, chats, e-mails held; capacity; room left for a call, a chat, an e-mail)
ROOM_TABLE: list[tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]] = [
    ((0, 0, 0), (1, 3, 5), (1, 3, 5)),
    ((1, 0, 0), (1, 3, 5), (0, 0, 0)),  # on a call: nothing else
    ((0, 1, 0), (1, 3, 5), (0, 2, 5)),  # a chat: no call, two more chats
    ((0, 0, 5), (1, 3, 5), (0, 3, 0)),  # e-mails full: chats still
    ((0, 3, 2), (1, 3, 5), (0, 0, 3)),
    ((0, 4, 0), (1, 3, 5), (0, 0, 5)),  # over capacity (it was lowered): none, not negative
    ((0, 0, 0), (0, 3, 5), (0, 3, 5)),  # writes only
    ((0, 0, 0), (2, 1, 1), (1, 1, 1)),  # one call at a time, whatever the capacity says
]


@pytest.mark.parametrize(("load", "capacity", "room"), ROOM_TABLE)
def test_room_left(
    load: tuple[int, int, int], capacity: tuple[int, int, int], room: tuple[int, int, int]
) -> None:
    assert room_left(load, capacity) == room


@pytest.mark.parametrize(
    ("load", "left"),
    [
        ({}, {Channel.CALL: 1, Channel.CHAT: 3, Channel.EMAIL: 5}),
        ({"chat": 2}, {Channel.CALL: 0, Channel.CHAT: 1, Channel.EMAIL: 5}),
        ({"email": 1, "chat": 0}, {Channel.CALL: 0, Channel.CHAT: 3, Channel.EMAIL: 4}),
        ({"call": 1}, {Channel.CALL: 0, Channel.CHAT: 0, Channel.EMAIL: 0}),
    ],
)
def test_capacity_left_by_channel_name(load: dict[str, int], left: dict[Channel, int]) -> None:
    assert capacity_left(load) == left
    # A capacity of its own: 2 chats, no e-mails.
    own = capacity_left(load, {Channel.CALL: 1, Channel.CHAT: 2})
    assert own[Channel.EMAIL] == 0
    assert own[Channel.CHAT] == (0 if load.get("call") else max(0, 2 - load.get("chat", 0)))
