"""A call's summary from its exchange events, whatever order they arrive in.

The exchange posts append-only call events, idempotent by event id. `summarize_call` folds the
events of one call into a `CallSummary`; it gives the same summary for any permutation of the
events and with any duplicates, because it first deduplicates by event id and sorts by
(time, the type's place in a call's natural order, event id, the other fields).

Rules, in the sorted order:

- `offered` opens the call in the IVR; `queued` puts it in a queue. The first `queued` event
  sets `queued_at`; the answer group is that of the first `queued` event naming one:
  statistics count a call in the group it entered, even if it overflows to another queue.
- `answered` with no `queued` before it is a call answered straight from the IVR or a direct
  number: it never entered a queue, so `queued_at` and the wait stay None and the
  service-level figures leave it out (offered counts calls that entered a queue; a wait of
  0 s would flatter the service level, one from the call's start would count the IVR). A
  `queued` after the first answer (a transfer into a queue) does not make it queued either.
  `answered_at` is the first answer (the wait ends there); `agent` is the agent of the *last*
  answer, who had the call at the end (after a transfer came back, the agent who took it).
- `ringing` without an answer leaves the call RINGING while it is open.
- `abandoned` closes the call: after an answer it counts as an ordinary end (ANSWERED);
  before any queue it is NOT_QUEUED; otherwise ABANDONED, or SHORT_ABANDONED when the wait
  was shorter than `short_abandon_seconds`.
- `callback_requested` before an answer closes the call as CALLBACK (the caller left the line
  keeping their place); after an answer it only sets `callback_requested`.
- `ended` after an answer closes the call as ANSWERED. `ended` before any answer gives
  NOT_QUEUED (never queued) or LEFT_QUEUE (queued; e.g. a queue timeout), and these two are
  the only ends a later event can reopen: a call that times out of one queue and enters
  another (overflow) goes on, keeping its first `queued_at` and answer group; a callback
  request after a queue timeout makes it CALLBACK. A second `ended`, or an `abandoned`,
  after such an end closes the call as it is: the wait ended when the caller left the queue.
- Once closed (ANSWERED, ABANDONED, SHORT_ABANDONED, CALLBACK, or NOT_QUEUED by abandoning),
  later events change nothing but `last_event_at`.
- A call whose events say nothing of its progress (only transfers, say) is IN_IVR.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EventType(StrEnum):
    """What happened to a call, as the exchange reports it."""

    OFFERED = "offered"
    QUEUED = "queued"
    RINGING = "ringing"
    ANSWERED = "answered"
    TRANSFERRED = "transferred"  # The older name of transfer_started.
    TRANSFER_STARTED = "transfer_started"
    TRANSFER_ANSWERED = "transfer_answered"
    TRANSFER_RETURNED = "transfer_returned"
    # A call to an employee's direct number: rung, answered by them, or fallen back to the
    # center (`reason`: no_answer, busy, absent).
    DIRECT_OFFERED = "direct_offered"
    DIRECT_ANSWERED = "direct_answered"
    DIRECT_FALLBACK = "direct_fallback"
    ABANDONED = "abandoned"
    ENDED = "ended"
    CALLBACK_REQUESTED = "callback_requested"


# The natural order of a call, which breaks ties between events at the same instant.
_RANK = {
    EventType.OFFERED: 0,
    EventType.QUEUED: 1,
    EventType.RINGING: 2,
    EventType.ANSWERED: 3,
    EventType.TRANSFERRED: 4,
    EventType.TRANSFER_STARTED: 4,
    EventType.TRANSFER_ANSWERED: 5,
    EventType.TRANSFER_RETURNED: 5,
    EventType.DIRECT_OFFERED: 0,
    EventType.DIRECT_ANSWERED: 3,
    EventType.DIRECT_FALLBACK: 3,
    EventType.CALLBACK_REQUESTED: 6,
    EventType.ABANDONED: 7,
    EventType.ENDED: 8,
}


class TransferReason(StrEnum):
    """Why a transfer came back, or a direct call fell back to the center."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One event of one call; `at` is timezone-aware and `number` is the dialled number."""

    event_id: str
    call_id: str
    type: EventType
    at: datetime
    number: str = ""
    caller: str = ""
    answer_group: str = ""
    agent: str = ""
    digit: str = ""
    # Transfers and direct calls: the number (or the directory's id) of the person, and why
    # it came back.
    target: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.event_id:
            raise ValueError("A call event needs an event id.")
        if not self.call_id:
            raise ValueError("A call event needs a call id.")
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("A call event's time must be timezone-aware.")
        # Accept the plain string too ("answered"), as an API payload gives it.
        object.__setattr__(self, "type", EventType(self.type))


class CallState(StrEnum):
    """Where a call is, or how it ended."""

    IN_IVR = "in_ivr"  # Offered, not yet queued.
    WAITING = "waiting"
    RINGING = "ringing"
    TALKING = "talking"
    ANSWERED = "answered"  # Answered and ended.
    ABANDONED = "abandoned"
    SHORT_ABANDONED = "short_abandoned"
    LEFT_QUEUE = "left_queue"  # Ended while waiting, not by the caller (e.g. a queue timeout).
    CALLBACK = "callback"  # The caller asked to be called back and left the line.
    NOT_QUEUED = "not_queued"  # Ended in the IVR or on a closed message, never queued.


OPEN_STATES = frozenset({CallState.IN_IVR, CallState.WAITING, CallState.RINGING, CallState.TALKING})


@dataclass(frozen=True, slots=True)
class CallSummary:
    """A call as its events describe it; see the module docstring for the rules.

    `wait_seconds` runs from `queued_at` to the answer, or to the abandon, queue exit or
    callback request; it is None when the call never entered a queue or is still waiting.
    `talk_seconds` runs from the first answer to the end of an answered call.
    """

    call_id: str
    number: str
    caller: str
    answer_group: str
    agent: str
    state: CallState
    started_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    wait_seconds: float | None
    talk_seconds: float | None
    digit: str
    transfers: int
    transfers_returned: int
    callback_requested: bool
    last_event_at: datetime

    @property
    def is_open(self) -> bool:
        """Tell whether the call is still going on (in the IVR, waiting, ringing or talking)."""
        return self.state in OPEN_STATES


def _sort_key(
    event: CallEvent,
) -> tuple[datetime, int, str, str, str, str, str, str, str, str]:
    return (
        event.at,
        _RANK[event.type],
        event.event_id,
        event.number,
        event.caller,
        event.answer_group,
        event.agent,
        event.digit,
        event.target,
        event.reason,
    )


def ordered_events(events: Iterable[CallEvent]) -> list[CallEvent]:
    """Return the events sorted in call order, each event id once (its earliest version)."""
    seen: set[str] = set()
    result: list[CallEvent] = []
    for event in sorted(events, key=_sort_key):
        if event.event_id not in seen:
            seen.add(event.event_id)
            result.append(event)
    return result


def _first(values: Iterable[str]) -> str:
    return next((value for value in values if value), "")


def summarize_call(
    events: Iterable[CallEvent], *, short_abandon_seconds: float = 5.0
) -> CallSummary:
    """Fold the events of one call into its summary (order- and duplicate-tolerant)."""
    ordered = ordered_events(events)
    if not ordered:
        raise ValueError("A call summary needs at least one event.")
    call_ids = {event.call_id for event in ordered}
    if len(call_ids) > 1:
        raise ValueError(f"Events of several calls cannot make one summary: {sorted(call_ids)}.")

    state: CallState | None = None
    closed = False
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    agent = ""
    transfers = transfers_returned = 0
    callback_requested = False
    reopenable = (None, CallState.IN_IVR, CallState.NOT_QUEUED, CallState.LEFT_QUEUE)

    for event in ordered:
        if closed:
            break
        kind = event.type
        if kind is EventType.OFFERED:
            if state is None:
                state = CallState.IN_IVR
        elif kind is EventType.QUEUED:
            if queued_at is None and answered_at is None:
                queued_at = event.at
            if state in reopenable:
                state, ended_at = CallState.WAITING, None
        elif kind is EventType.RINGING:
            if state in reopenable or state is CallState.WAITING:
                state, ended_at = CallState.RINGING, None
        elif kind is EventType.ANSWERED:
            if answered_at is None:
                answered_at = event.at
            agent = event.agent or agent
            state, ended_at = CallState.TALKING, None
        elif kind in (EventType.TRANSFERRED, EventType.TRANSFER_STARTED):
            transfers += 1
        elif kind is EventType.TRANSFER_RETURNED:
            transfers_returned += 1
        elif kind is EventType.CALLBACK_REQUESTED:
            callback_requested = True
            if state is not CallState.TALKING:
                state, ended_at, closed = CallState.CALLBACK, event.at, True
        elif kind is EventType.ABANDONED:
            closed = True
            if state in (CallState.NOT_QUEUED, CallState.LEFT_QUEUE):
                continue  # Hung up after leaving the queue: the wait ended already.
            ended_at = event.at
            if state is CallState.TALKING:
                state = CallState.ANSWERED
            elif queued_at is None:
                state = CallState.NOT_QUEUED
            elif (event.at - queued_at).total_seconds() < short_abandon_seconds:
                state = CallState.SHORT_ABANDONED
            else:
                state = CallState.ABANDONED
        elif kind is EventType.ENDED:
            if state is CallState.TALKING:
                state, ended_at, closed = CallState.ANSWERED, event.at, True
            elif state not in (CallState.NOT_QUEUED, CallState.LEFT_QUEUE):
                ended_at = event.at
                state = CallState.NOT_QUEUED if queued_at is None else CallState.LEFT_QUEUE

    final = state or CallState.IN_IVR
    wait_end: datetime | None = None
    if answered_at is not None:
        wait_end = answered_at
    elif final in (
        CallState.ABANDONED,
        CallState.SHORT_ABANDONED,
        CallState.LEFT_QUEUE,
        CallState.CALLBACK,
    ):
        wait_end = ended_at
    wait_seconds = (
        None if queued_at is None or wait_end is None else (wait_end - queued_at).total_seconds()
    )
    talk_seconds = (
        (ended_at - answered_at).total_seconds()
        if final is CallState.ANSWERED and ended_at is not None and answered_at is not None
        else None
    )
    queued_groups = (e.answer_group for e in ordered if e.type is EventType.QUEUED)
    return CallSummary(
        call_id=ordered[0].call_id,
        number=_first(e.number for e in ordered),
        caller=_first(e.caller for e in ordered),
        answer_group=_first(queued_groups) or _first(e.answer_group for e in ordered),
        agent=agent,
        state=final,
        started_at=ordered[0].at,
        queued_at=queued_at,
        answered_at=answered_at,
        ended_at=ended_at,
        wait_seconds=wait_seconds,
        talk_seconds=talk_seconds,
        digit=_first(e.digit for e in ordered),
        transfers=transfers,
        transfers_returned=transfers_returned,
        callback_requested=callback_requested,
        last_event_at=max(e.at for e in ordered),
    )


def summarize_calls(
    events: Iterable[CallEvent], *, short_abandon_seconds: float = 5.0
) -> list[CallSummary]:
    """Group events by call id and summarize each call, ordered by (start, call id)."""
    by_call: dict[str, list[CallEvent]] = {}
    for event in events:
        by_call.setdefault(event.call_id, []).append(event)
    summaries = [
        summarize_call(call_events, short_abandon_seconds=short_abandon_seconds)
        for call_events in by_call.values()
    ]
    return sorted(summaries, key=lambda call: (call.started_at, call.call_id))
