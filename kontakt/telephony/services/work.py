"""Callbacks, chats and e-mails: contacts Kontakt queues and hands out itself."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_watch_queues
from kontakt.core import router as core_router
from kontakt.core.call_events import CallState
from kontakt.core.presence import AgentState
from kontakt.directory.models import AnswerGroup
from kontakt.live import bus

from .. import selectors
from ..models import Call, QueuedContact, WorkState
from .presence import _presence_of, _presence_set
from .routing import routing_dispatch


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


# Inside `routing_batch`: contacts queued wait for one routing round at its end.
_batch: ContextVar[bool] = ContextVar("routing_batch", default=False)


@contextmanager
def routing_batch() -> Iterator[None]:
    """Queue many contacts (a mailbox read in one go) and route them once, at the end.

    A routing round reads every waiting contact, so one round per queued contact would make
    a backlog of n contacts cost n² reads.
    """
    if _batch.get():
        yield
        return
    token = _batch.set(True)
    try:
        yield
    finally:
        _batch.reset(token)
        routing_dispatch()


def queued_contact_add(
    *, draft: WorkDraft, now: datetime | None = None
) -> tuple[QueuedContact, bool]:
    """Queue a chat or an e-mail in its answer group (once: the same reference again is
    the same contact) and offer it if someone may take it; returns it and whether new."""
    now = now or timezone.now()
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
    if created and not _batch.get():
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
    now = now or timezone.now()
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
            bus.publish_on_commit(bus.user_topic(queued.agent.pk), message)
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
