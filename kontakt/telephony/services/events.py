"""Call events in: stored once by event id, their calls rebuilt, agents' states moved;
and the exchanges that post them.

A batch is stored in one transaction that also rebuilds every call it touched from all of
that call's events, so the order in which events arrive never changes a call (the core's
`summarize_call` sorts them); the answer goes out only after the commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from kontakt.accounts.models import User
from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.call_events import EventType, summarize_call
from kontakt.directory.models import AnswerGroup

from .. import selectors
from ..models import Call, CallEvent, EventSource, Exchange
from .presence import _presence_follow
from .work import _callbacks_queue


def exchange_create(*, name: str) -> tuple[Exchange, str]:
    """Register an exchange; its key is returned once and only the hash is kept."""
    key = Exchange.new_key()
    exchange = Exchange(name=name, prefix=key[3:11], key_hash=Exchange.hash_key(key))
    exchange.full_clean()
    exchange.save()
    return exchange, key


@dataclass
class Recorded:
    """What a batch of events did: how many were new, how many were known already."""

    accepted: int = 0
    duplicates: int = 0
    calls: list[str] = field(default_factory=list)
    # Event ids stored before (or twice in the batch) with other data: then nothing is stored.
    conflicts: list[str] = field(default_factory=list)


# An event further ahead of the server's clock than this moves no agent's state: a wrong
# clock or a typo (year 9999) must not leave an agent busy until then.
FUTURE_MARGIN = timedelta(hours=1)


def _payload(event: CoreEvent, *, compare_time: bool) -> tuple[object, ...]:
    return (
        event.type,
        event.at if compare_time else None,
        *(getattr(event, f) for f in EVENT_FIELDS),
    )


def _lock_calls(call_ids: Sequence[str]) -> None:
    # Two batches about one call must not rebuild it from each other's half: on PostgreSQL
    # each call id takes a transaction lock, in sorted order so two batches cannot deadlock.
    # SQLite has one writer at a time already (transactions begin IMMEDIATE).
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(id, 7))"
            " FROM (SELECT unnest(%s::text[]) AS id ORDER BY 1) AS ids",
            [sorted(call_ids)],
        )


# Sent after new events are stored and their calls rebuilt, inside the transaction, with
# `events` (the new core events), `calls` (the rebuilt calls by call id) and `now`. Apps
# above telephony (the switchboard) follow the events they care about with it.
call_events_recorded = Signal()


def call_events_record(
    *,
    events: Sequence[CoreEvent],
    source: str = EventSource.API,
    exchange: Exchange | None = None,
    now: datetime | None = None,
    follow: bool = True,
    compare_time: bool = True,
) -> Recorded:
    """Store the events that are new, rebuild their calls, and move agents' states (unless
    `follow` is false: an import of past calls leaves today's states alone).

    An event id stored before (or given twice) with the same data is a duplicate; with
    other data it is a conflict, and then nothing of the batch is stored (`conflicts` names
    them). `compare_time` false leaves the time out of that comparison: a webhook's time is
    when its request arrived, so a resent request is the same event."""
    now = now or timezone.now()
    result = Recorded()
    unique: dict[str, CoreEvent] = {}
    conflicts: set[str] = set()
    for event in events:
        first = unique.get(event.event_id)
        if first is None:
            unique[event.event_id] = event
        elif _payload(first, compare_time=compare_time) == _payload(
            event, compare_time=compare_time
        ):
            result.duplicates += 1
        else:
            conflicts.add(event.event_id)
    if conflicts:
        return Recorded(conflicts=sorted(conflicts))
    if not unique:
        return result
    call_ids = sorted({e.call_id for e in unique.values()})
    with transaction.atomic():
        _lock_calls(call_ids)
        known = {
            row.event_id: _core_event(row)
            for row in CallEvent.objects.filter(event_id__in=list(unique))
        }
        conflicts = {
            event_id
            for event_id, stored in known.items()
            if _payload(stored, compare_time=compare_time)
            != _payload(unique[event_id], compare_time=compare_time)
        }
        if conflicts:
            return Recorded(conflicts=sorted(conflicts))
        new = [e for e in unique.values() if e.event_id not in known]
        result.duplicates += len(known)
        result.accepted = len(new)
        if not new:
            return result
        CallEvent.objects.bulk_create(
            [
                CallEvent(
                    type=e.type.value,
                    at=e.at,
                    source=source,
                    exchange=exchange,
                    **{f: getattr(e, f) for f in EVENT_FIELDS},
                )
                for e in new
            ],
            # A batch racing this one with the same event id has stored it: nothing to add.
            ignore_conflicts=True,
        )
        touched = sorted({e.call_id for e in new})
        calls, agents = _calls_rebuild(touched)
        # Inside the transaction: what follows from the events (a transfer's state, say)
        # is stored with them or not at all.
        call_events_recorded.send(sender=CallEvent, events=new, calls=calls, now=now)
        _callbacks_queue(calls.values())
        if follow:
            present = [e for e in new if e.at <= now + FUTURE_MARGIN]
            _presence_follow(present, calls, agents, now=now)
        result.calls = touched
    if exchange is not None:
        _exchange_seen(exchange, now=now)
    return result


def _exchange_seen(exchange: Exchange, *, now: datetime) -> None:
    # Outside the events' transaction and at most once a minute: every batch of an exchange
    # updating one row would make concurrent batches wait for each other.
    stale = Q(last_event_at__isnull=True) | Q(last_event_at__lt=now - timedelta(minutes=1))
    Exchange.objects.filter(stale, pk=exchange.pk).update(last_event_at=now)


# The text fields a call event has alike in the core and in the database.
EVENT_FIELDS = (
    "event_id",
    "call_id",
    "number",
    "caller",
    "answer_group",
    "agent",
    "digit",
    "target",
    "reason",
)


def _core_event(row: CallEvent) -> CoreEvent:
    return CoreEvent(
        type=EventType(row.type), at=row.at, **{f: getattr(row, f) for f in EVENT_FIELDS}
    )


def _calls_rebuild(call_ids: Sequence[str]) -> tuple[dict[str, Call], dict[str, User]]:
    """Rebuild each call from all its events; returns the calls by call id, and the staff
    users its events name (by casefolded name)."""
    events: dict[str, list[CoreEvent]] = {call_id: [] for call_id in call_ids}
    for row in CallEvent.objects.filter(call_id__in=call_ids):
        events[row.call_id].append(_core_event(row))
    existing = {c.call_id: c for c in Call.objects.filter(call_id__in=call_ids)}
    summaries = {
        call_id: summarize_call(
            found, short_abandon_seconds=selectors.telephony_settings()["SHORT_ABANDON_SECONDS"]
        )
        for call_id, found in events.items()
    }
    groups = {
        g.code: g
        for g in AnswerGroup.objects.filter(
            code__in={s.answer_group for s in summaries.values() if s.answer_group}
        )
    }
    agents = selectors.agents_by_exchange_name(
        {s.agent for s in summaries.values() if s.agent}
        | {e.agent for found in events.values() for e in found if e.agent}
    )
    created: list[Call] = []
    changed: list[Call] = []
    for call_id, summary in summaries.items():
        call = existing.get(call_id) or Call(call_id=call_id)
        group = groups.get(summary.answer_group)
        agent = agents.get(summary.agent.casefold()) if summary.agent else None
        for column, name in selectors.SUMMARY_COLUMNS.items():
            value = getattr(summary, name)
            field = Call._meta.get_field(column)
            limit = getattr(field, "max_length", None)  # a relation has none
            setattr(call, column, value[:limit] if limit and isinstance(value, str) else value)
        call.answer_group = group
        call.agent = agent
        (changed if call.pk else created).append(call)
    # One upsert for new and known calls alike (bulk_update's CASE per row is far slower);
    # rows go in without their id, so the call id alone decides insert or update.
    for call in changed:
        call.pk = None
    columns = [c for c in selectors.SUMMARY_COLUMNS if c != "call_id"]
    Call.objects.bulk_create(
        [*created, *changed],
        update_conflicts=True,
        unique_fields=["call_id"],
        update_fields=[*columns, "answer_group", "agent"],
    )
    calls = Call.objects.filter(call_id__in=call_ids).select_related("answer_group")
    return {c.call_id: c for c in calls}, agents
