"""Writes of telephony: call events in, calls rebuilt, agents' states, routing offers,
crisis mode, exchanges' tokens.

Events are append-only and idempotent by event id. A batch is stored in one transaction
that also rebuilds every call it touched from all of that call's events, so the order in
which events arrive never changes a call (the core's `summarize_call` sorts them); the
answer goes out only after the commit. Side effects that reach people (a screen-pop, a
state shown on a desktop, the wallboard) are published after the commit.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_take_calls, may_watch_queues
from kontakt.core import router as core_router
from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.call_events import CallState, EventType, summarize_call
from kontakt.core.queue_log import parse_queue_log
from kontakt.core.router import AgentState
from kontakt.directory.models import AnswerGroup
from kontakt.knowledge import services as knowledge_services
from kontakt.knowledge.models import Article, ArticleStatus
from kontakt.live import bus

from . import selectors
from .models import (
    Call,
    CallEvent,
    CrisisSwitch,
    EventSource,
    Exchange,
    Presence,
    PresenceChange,
    QueuedContact,
    WorkState,
)

# The states an agent may choose on their desktop; the others follow from calls.
CHOSEN_STATES = (AgentState.READY, AgentState.PAUSED, AgentState.LOGGED_OUT)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# Exchanges --------------------------------------------------------------------------------


def exchange_create(*, name: str) -> tuple[Exchange, str]:
    """Register an exchange; its key is returned once and only the hash is kept."""
    key = Exchange.new_key()
    exchange = Exchange(name=name, prefix=key[3:11], key_hash=Exchange.hash_key(key))
    exchange.full_clean()
    exchange.save()
    return exchange, key


# Call events ------------------------------------------------------------------------------


@dataclass
class Recorded:
    """What a batch of events did: how many were new, how many were known already."""

    accepted: int = 0
    duplicates: int = 0
    calls: list[str] = field(default_factory=list)


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


def call_events_record(
    *,
    events: Sequence[CoreEvent],
    source: str = EventSource.API,
    exchange: Exchange | None = None,
    now: datetime | None = None,
    follow: bool = True,
) -> Recorded:
    """Store the events that are new, rebuild their calls, and move agents' states (unless
    `follow` is false: an import of past calls leaves today's states alone)."""
    result = Recorded()
    unique: dict[str, CoreEvent] = {}
    for event in events:
        if event.event_id in unique:
            result.duplicates += 1
        else:
            unique[event.event_id] = event
    if not unique:
        return result
    call_ids = sorted({e.call_id for e in unique.values()})
    with transaction.atomic():
        _lock_calls(call_ids)
        known = set(
            CallEvent.objects.filter(event_id__in=list(unique)).values_list("event_id", flat=True)
        )
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
        _callbacks_queue(calls.values())
        if follow:
            _presence_follow(new, calls, agents, now=_now(now))
        result.calls = touched
    if exchange is not None:
        _exchange_seen(exchange, now=_now(now))
    return result


def _exchange_seen(exchange: Exchange, *, now: datetime) -> None:
    # Outside the events' transaction and at most once a minute: every batch of an exchange
    # updating one row would make concurrent batches wait for each other.
    stale = Q(last_event_at__isnull=True) | Q(last_event_at__lt=now - timedelta(minutes=1))
    Exchange.objects.filter(stale, pk=exchange.pk).update(last_event_at=now)


# The text fields a call event has alike in the core and in the database.
EVENT_FIELDS = ("event_id", "call_id", "number", "caller", "answer_group", "agent", "digit")


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
            limit = Call._meta.get_field(column).max_length
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


# Agents' states ---------------------------------------------------------------------------


def _presence_move(
    presence: Presence,
    *,
    state: AgentState,
    at: datetime,
    reason: str = "",
    until: datetime | None = None,
    call_id: str = "",
) -> PresenceChange:
    """Change the state in memory; returns the change to keep. The caller saves both."""
    was_free = presence.state == AgentState.READY
    # A wrap-up or an unanswered offer past its end already made them free: idle since then.
    freed_at = presence.until if presence.until is not None and presence.until <= at else None
    presence.state = state.value
    presence.reason = reason
    presence.since = at
    presence.until = until
    presence.call_id = call_id
    if state == AgentState.READY and not was_free:
        presence.idle_since = freed_at or at
    elif state == AgentState.WRAP_UP and until is not None:
        # Free again when the wrap-up ends: that is when their idle time starts.
        presence.idle_since = until
    return PresenceChange(agent_id=presence.agent_id, state=state.value, reason=reason, at=at)


def _presence_announce(presence: Presence) -> None:
    bus.publish_on_commit(bus.user_topic(presence.agent_id), selectors.presence_message(presence))


def _presence_set(presence: Presence, **change: Any) -> None:
    """Change one agent's state, keep the change, and tell their desktop after the commit."""
    change_row = _presence_move(presence, **change)
    presence.save()
    change_row.save()
    _presence_announce(presence)


def _presence_of(agent: User, *, now: datetime) -> Presence:
    presence, _created = Presence.objects.select_for_update().get_or_create(
        agent=agent, defaults={"since": now}
    )
    return presence


def presence_change(
    *,
    agent: User,
    state: str,
    reason: str = "",
    by: User | None = None,
    now: datetime | None = None,
) -> Presence:
    """An agent (or an exchange on their behalf, with `by` None) sets their state."""
    now = _now(now)
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


def _is_stale(presence: Presence, event: CoreEvent) -> bool:
    """An event older than the agent's state about a call changes nothing: it came late.
    A state the agent chose (ready, paused) gives way even to a slightly older event, since
    the exchange's clock and ours need not agree to the second."""
    if presence.since <= event.at:
        return False
    about_calls = presence.state in (AgentState.OFFERED, AgentState.BUSY, AgentState.WRAP_UP)
    return presence.call_id == event.call_id or about_calls


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
        if e.agent
        and e.agent.casefold() in agents
        and e.type in (EventType.RINGING, EventType.ANSWERED)
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
    ring = timedelta(seconds=selectors.telephony_settings()["RING_SECONDS"])
    wraps = selectors.wrap_up_seconds_by_group()
    changes: list[PresenceChange] = []
    moved: dict[int, Presence] = {}
    answered: list[tuple[Call, User]] = []
    for event in ordered:
        call = calls.get(event.call_id)
        agent = agents.get(event.agent.casefold()) if event.agent else None
        if event.type in (EventType.RINGING, EventType.ANSWERED) and agent is not None:
            presence = locked[agent.pk]
            if _is_stale(presence, event):
                continue
            if event.type == EventType.RINGING:
                state, until = AgentState.OFFERED, event.at + ring
            else:
                state, until = AgentState.BUSY, None
                if call is not None:
                    answered.append((call, agent))
            changes.append(
                _presence_move(
                    presence, state=state, at=event.at, until=until, call_id=event.call_id
                )
            )
            moved[presence.agent_id] = presence
            holding[event.call_id] = presence
        elif event.type in (
            EventType.ENDED,
            EventType.ABANDONED,
            EventType.TRANSFERRED,
            EventType.CALLBACK_REQUESTED,
        ):
            presence = holding.pop(event.call_id, None)
            if presence is None or _is_stale(presence, event):
                continue
            if presence.state == AgentState.BUSY:
                group = call.answer_group_id if call else None
                wrap = wraps.get(group, selectors.telephony_settings()["WRAP_UP_SECONDS"])
                change = _presence_move(
                    presence,
                    state=AgentState.WRAP_UP,
                    at=event.at,
                    until=event.at + timedelta(seconds=wrap),
                    call_id=event.call_id,
                )
            elif presence.state == AgentState.OFFERED:
                change = _presence_move(presence, state=AgentState.READY, at=event.at)
            else:
                continue
            changes.append(change)
            moved[presence.agent_id] = presence
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


# Routing ----------------------------------------------------------------------------------


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
    now = _now(now)
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


# Crisis mode ------------------------------------------------------------------------------


def crisis_switch_on(
    *, message: str, article: Article | None, by: User, now: datetime | None = None
) -> CrisisSwitch:
    """Crisis mode on: the IVR plays the message, every desktop shows it, the article is
    pinned at the top of every search."""
    if not may_watch_queues(by):
        raise PermissionDenied(_("Only a supervisor may switch crisis mode."))
    message = message.strip()
    errors: dict[str, list[str]] = {}
    if not message:
        errors["message"] = [_("Write the message callers hear and agents see.")]
    if article is not None and article.status != ArticleStatus.PUBLISHED:
        errors["article"] = [_("Only a published article can be pinned.")]
    if errors:
        raise ValidationError(errors)
    now = _now(now)
    with transaction.atomic():
        current = selectors.crisis_current()
        if current is not None:
            _crisis_article_restore(current, keep=article, by=by)
        # An article pinned before the crisis stays pinned after it.
        was_pinned = article is not None and article.pinned_at is not None
        if current is not None and article is not None and current.article_id == article.pk:
            was_pinned = current.article_was_pinned
        if article is not None and article.pinned_at is None:
            knowledge_services.article_pin(article=article, by=by, now=now)
        switch = CrisisSwitch.objects.create(
            on=True,
            message=message,
            article=article,
            article_was_pinned=was_pinned,
            by=by,
            at=now,
        )
        _crisis_announce(switch)
    return switch


def _crisis_announce(switch: CrisisSwitch) -> None:
    payload = selectors.crisis_message(switch)
    # The pages read crisis mode from the cache: renewed first, so a page the push makes
    # reload shows the new state. A cache down after the commit must not fail the switch.
    transaction.on_commit(
        lambda: cache.set(selectors.CRISIS_CACHE_KEY, payload, timeout=300), robust=True
    )
    bus.publish_on_commit(bus.CENTER, payload)


def _crisis_article_restore(current: CrisisSwitch, *, keep: Article | None, by: User) -> None:
    article = current.article
    if article is None or (keep is not None and article.pk == keep.pk):
        return
    if not current.article_was_pinned and article.pinned_at is not None:
        knowledge_services.article_unpin(article=article, by=by)


def crisis_switch_off(*, by: User, now: datetime | None = None) -> CrisisSwitch:
    """Crisis mode off: the greeting, the desktops and the search are as before."""
    if not may_watch_queues(by):
        raise PermissionDenied(_("Only a supervisor may switch crisis mode."))
    now = _now(now)
    with transaction.atomic():
        current = selectors.crisis_current()
        if current is None:
            raise ValidationError({"__all__": [_("Crisis mode is not on.")]})
        _crisis_article_restore(current, keep=None, by=by)
        switch = CrisisSwitch.objects.create(on=False, by=by, at=now)
        _crisis_announce(switch)
    return switch


# Asterisk queue_log -----------------------------------------------------------------------


@dataclass
class QueueLogImport:
    """What an import of a queue_log did."""

    accepted: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    unknown_queues: list[str] = field(default_factory=list)


def queue_log_import(
    *,
    lines: Iterable[str],
    number: str = "",
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
) -> QueueLogImport:
    """Import an Asterisk queue_log: its calls count in the statistics from their dates.

    Importing the same file again changes nothing (event ids come from the lines). Calls
    in a queue without an answer group of the same code are imported under the queue's name.
    """
    parsed = parse_queue_log(lines, number=number)
    report = QueueLogImport(
        skipped=parsed.skipped,
        problems=[f"line {p.line_number}: {p.message}" for p in parsed.problems],
    )
    known = set(AnswerGroup.objects.values_list("code", flat=True))
    report.unknown_queues = sorted(
        {e.answer_group for e in parsed.events if e.answer_group and e.answer_group not in known}
    )
    # A call's events stay in one batch, so no call is rebuilt from half of them.
    by_call: dict[str, list[CoreEvent]] = {}
    for event in parsed.events:
        by_call.setdefault(event.call_id, []).append(event)
    batch: list[CoreEvent] = []
    for call_events in by_call.values():
        batch.extend(call_events)
        if len(batch) >= batch_size:
            _queue_log_batch(batch, report, progress)
            batch = []
    if batch:
        _queue_log_batch(batch, report, progress)
    return report


def _queue_log_batch(
    batch: list[CoreEvent], report: QueueLogImport, progress: Callable[[int], object] | None
) -> None:
    recorded = call_events_record(events=batch, source=EventSource.QUEUE_LOG, follow=False)
    report.accepted += recorded.accepted
    report.duplicates += recorded.duplicates
    if progress is not None:
        progress(len(batch))


# Callbacks, chats and e-mails: contacts Kontakt hands out itself ----------------------------


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


CALLBACK_REASON = "callback"


def routing_dispatch(*, now: datetime | None = None) -> list[QueuedContact]:
    """Offer waiting callbacks, chats and e-mails to the agents who may take them now."""
    now = _now(now)
    with transaction.atomic():
        _lock_routing()
        state = selectors.routing_state(now=now)
        return _assign(state, state.router.route(now=state.clock(now)), now=now)


@dataclass(frozen=True)
class WorkDraft:
    """A chat or e-mail that waits for an agent, as the channel's system describes it."""

    channel: str
    reference: str
    answer_group: AnswerGroup
    subject: str = ""
    url: str = ""
    caller: str = ""
    language: str = ""
    priority: int = 1


def queued_contact_add(
    *, draft: WorkDraft, now: datetime | None = None
) -> tuple[QueuedContact, bool]:
    """Queue a chat or an e-mail in its answer group (once: the same reference again is
    the same contact) and offer it if someone may take it; returns it and whether new."""
    now = _now(now)
    if draft.channel not in (core_router.Channel.CHAT, core_router.Channel.EMAIL):
        raise ValidationError(
            {"channel": [_("Choose one of: %(choices)s.") % {"choices": "chat, email"}]}
        )
    with transaction.atomic():
        queued, created = QueuedContact.objects.get_or_create(
            channel=draft.channel,
            reference=draft.reference,
            defaults={
                "answer_group": draft.answer_group,
                "subject": draft.subject[:200],
                "url": draft.url,
                "caller": draft.caller[:254],
                "language": draft.language,
                "priority": draft.priority,
                "queued_at": now,
            },
        )
        if created:
            queued.full_clean()
    if created:
        routing_dispatch(now=now)
        queued.refresh_from_db()
    return queued, created


def _callbacks_queue(calls: Iterable[Call]) -> None:
    # A caller who asked to be called back keeps the call's place in its group's queue.
    for call in calls:
        if call.state == CallState.CALLBACK and call.answer_group_id and call.queued_at:
            QueuedContact.objects.get_or_create(
                channel=core_router.Channel.CALL,
                reference=call.call_id,
                defaults={
                    "answer_group_id": call.answer_group_id,
                    "caller": call.caller,
                    "subject": call.caller,
                    "queued_at": call.queued_at,
                },
            )


def queued_contact_done(
    *,
    queued: QueuedContact,
    by: User | None = None,
    withdrawn: bool = False,
    now: datetime | None = None,
) -> QueuedContact:
    """The agent is done with it (or the resident left); the agent may take the next."""
    now = _now(now)
    if by is not None and queued.agent_id != by.pk and not may_watch_queues(by):
        raise PermissionDenied(_("This is another agent's."))
    with transaction.atomic():
        queued = QueuedContact.objects.select_for_update().get(pk=queued.pk)
        if queued.state in (WorkState.DONE, WorkState.WITHDRAWN):
            return queued
        queued.state = WorkState.WITHDRAWN if withdrawn else WorkState.DONE
        queued.done_at = now
        queued.save(update_fields=["state", "done_at"])
        if queued.callback and queued.agent is not None:
            presence = _presence_of(queued.agent, now=now)
            if presence.call_id == queued.reference and presence.state == AgentState.BUSY:
                wrap = selectors.wrap_up_seconds(queued.answer_group)
                _presence_set(
                    presence,
                    state=AgentState.WRAP_UP,
                    at=now,
                    until=now + timedelta(seconds=wrap),
                    call_id=queued.reference,
                )
        if queued.agent is not None:
            message = {"type": "work_done", "id": queued.pk}
            bus.publish_on_commit(bus.user_topic(queued.agent_id), message)
    routing_dispatch(now=now)
    return queued


def call_contact_logged(*, call: Call, by: User, now: datetime | None = None) -> None:
    """A contact about the call was logged: the callback it asked for, if it is this agent's,
    is done (another agent's stays theirs)."""
    queued = QueuedContact.objects.filter(
        channel=core_router.Channel.CALL,
        reference=call.call_id,
        state=WorkState.ASSIGNED,
        agent=by,
    ).first()
    if queued is not None:
        queued_contact_done(queued=queued, by=by, now=now)
