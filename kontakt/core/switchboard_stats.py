"""The switchboard's figures from its call events and messages, whatever order they came in.

`switchboard_figures` counts transfers to people, calls to direct numbers, messages taken and
wrong transfers. It gives the same figures for any permutation of the events and with any
duplicates: events are deduplicated by event id and sorted as `kontakt.core.call_events`
sorts them (time, the type's place in a call's natural order, event id).

Rules:

- A *transfer* is identified by (call id, target, n): the n-th `transfer_started` of that
  call to that target, in sorted order. The older type `transferred` counts as a start too.
  A `transfer_answered` or `transfer_returned` belongs to the latest start of its (call,
  target) at or before it; one with no start before it belongs to the first transfer, and
  when the pair has no start at all it stands for one (the start was lost): a transfer is
  counted once either way.
- A transfer's outcome: *answered* if any answer belongs to it — a return after (or before)
  an answer of the same transfer is not counted again; else *returned* with the reason of
  its first return (no_answer, busy or absent); else still ringing, counted in `transfers`
  only. A call returned and then transferred again (a new start, to the same person or
  another) is two transfers, each with its own outcome.
- `transferred_to_absent` counts the transfers returned with reason "absent", plus those
  whose (call id, target) the caller flags in `absent_transfers` (the person was marked
  absent in the directory when the transfer started); a transfer both flagged and returned
  absent counts once. A return with reason "absent" counts there and not in
  `returned_no_answer` or `returned_busy`; a return without a known reason counts in
  none of the three.
- A *direct call* is identified the same way by (call id, target, n-th `direct_offered`);
  `direct_answered` makes it *reached*, else its first `direct_fallback` gives the reason
  (no_answer, busy, absent).
- With a `period`, only transfers and direct calls whose first event lies in [start, end)
  count; give the events of some margin around the period so that an outcome just after
  the end still finds its start, and a start just before it is not taken for lost.
- Messages: `messages_taken` counts the messages given; `messages_done_within_day` those
  marked done within 24 hours of being taken (a fixed 24 h, not business days: the figure
  is the caller's wait, and the escalation after `MESSAGE_ESCALATE_HOURS` counts hours too).
- `wrong_transfers` counts the messages their person marked "not mine" plus the
  `transfers_not_mine` the caller counted (transfers marked not mine).

Events of other types (offered, queued, answered, ended, …) are read over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Self

from kontakt.core.call_events import CallEvent, EventType, TransferReason, ordered_events

_STARTS = frozenset({EventType.TRANSFER_STARTED, EventType.TRANSFERRED})
_TRANSFER_TYPES = _STARTS | {EventType.TRANSFER_ANSWERED, EventType.TRANSFER_RETURNED}
_DIRECT_TYPES = frozenset(
    {EventType.DIRECT_OFFERED, EventType.DIRECT_ANSWERED, EventType.DIRECT_FALLBACK}
)
DONE_WITHIN = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class MessageFact:
    """A message as the figures need it: when taken, when done, its state."""

    taken_at: datetime
    state: str  # "open", "done" or "not_mine"
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One transfer or direct call, (call id, target, n): when it began and how it ended.

    `answered`, or `returned` with its `reason` (never both), or neither while ringing."""

    call_id: str
    target: str
    n: int
    at: datetime
    answered: bool
    returned: bool
    reason: str


@dataclass(frozen=True, slots=True)
class SwitchboardFigures:
    """The switchboard's figures of a period; see the module docstring for the rules."""

    transfers: int = 0
    transfers_answered: int = 0
    returned_no_answer: int = 0
    returned_busy: int = 0
    transferred_to_absent: int = 0
    direct_calls: int = 0
    direct_reached: int = 0
    direct_fallback_no_answer: int = 0
    direct_fallback_busy: int = 0
    direct_fallback_absent: int = 0
    messages_taken: int = 0
    messages_done_within_day: int = 0
    wrong_transfers: int = 0

    def __add__(self, other: Self) -> Self:
        return type(self)(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def as_dict(self) -> dict[str, int]:
        """The figures by name, in the order of the fields."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class _Open:
    at: datetime
    answered: bool = False
    returned: bool = False
    reason: str = ""


def _attempts(
    events: list[CallEvent], *, start: EventType | frozenset[EventType], answer: EventType
) -> list[Attempt]:
    """The attempts of sorted events of one kind (transfers or direct calls)."""
    starts = start if isinstance(start, frozenset) else frozenset({start})
    by_pair: dict[tuple[str, str], list[CallEvent]] = {}
    for event in events:
        by_pair.setdefault((event.call_id, event.target), []).append(event)
    found: list[Attempt] = []
    for (call_id, target), pair_events in by_pair.items():
        attempts: list[_Open] = []
        current: _Open | None = None
        for event in pair_events:
            if event.type in starts:
                current = _Open(at=event.at)
                attempts.append(current)
                continue
            owner = current
            if owner is None:
                if not attempts:
                    attempts.append(_Open(at=event.at))
                owner = attempts[0]
            if event.type is answer:
                owner.answered = True
            elif not owner.returned:
                owner.returned, owner.reason = True, event.reason
        found.extend(
            Attempt(
                call_id=call_id,
                target=target,
                n=n,
                at=attempt.at,
                answered=attempt.answered,
                returned=attempt.returned and not attempt.answered,
                reason="" if attempt.answered else attempt.reason,
            )
            for n, attempt in enumerate(attempts, start=1)
        )
    return sorted(found, key=lambda a: (a.at, a.call_id, a.target, a.n))


def transfers_of(events: Iterable[CallEvent]) -> list[Attempt]:
    """Every transfer the events tell of, with its outcome, sorted by its start."""
    ordered = [e for e in ordered_events(events) if e.type in _TRANSFER_TYPES]
    return _attempts(ordered, start=_STARTS, answer=EventType.TRANSFER_ANSWERED)


def direct_calls_of(events: Iterable[CallEvent]) -> list[Attempt]:
    """Every call to a direct number the events tell of, with its outcome."""
    ordered = [e for e in ordered_events(events) if e.type in _DIRECT_TYPES]
    return _attempts(ordered, start=EventType.DIRECT_OFFERED, answer=EventType.DIRECT_ANSWERED)


def switchboard_figures(
    events: Iterable[CallEvent],
    messages: Iterable[MessageFact] = (),
    *,
    period: tuple[datetime, datetime] | None = None,
    absent_transfers: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
    transfers_not_mine: int = 0,
) -> SwitchboardFigures:
    """The figures of the events and messages (order- and duplicate-tolerant)."""
    events = list(events)

    def within(attempt: Attempt) -> bool:
        return period is None or period[0] <= attempt.at < period[1]

    transfers = [t for t in transfers_of(events) if within(t)]
    directs = [d for d in direct_calls_of(events) if within(d)]
    messages = list(messages)

    def returned(reason: TransferReason) -> int:
        return sum(1 for t in transfers if t.returned and t.reason == reason)

    def fallback(reason: TransferReason) -> int:
        return sum(1 for d in directs if d.returned and d.reason == reason)

    to_absent = sum(
        1
        for t in transfers
        if (t.returned and t.reason == TransferReason.ABSENT)
        or (t.call_id, t.target) in absent_transfers
    )
    return SwitchboardFigures(
        transfers=len(transfers),
        transfers_answered=sum(1 for t in transfers if t.answered),
        returned_no_answer=returned(TransferReason.NO_ANSWER),
        returned_busy=returned(TransferReason.BUSY),
        transferred_to_absent=to_absent,
        direct_calls=len(directs),
        direct_reached=sum(1 for d in directs if d.answered),
        direct_fallback_no_answer=fallback(TransferReason.NO_ANSWER),
        direct_fallback_busy=fallback(TransferReason.BUSY),
        direct_fallback_absent=fallback(TransferReason.ABSENT),
        messages_taken=len(messages),
        messages_done_within_day=sum(
            1
            for m in messages
            if m.state == "done" and m.done_at is not None and m.done_at - m.taken_at <= DONE_WITHIN
        ),
        wrong_transfers=transfers_not_mine + sum(1 for m in messages if m.state == "not_mine"),
    )
