"""Callbacks, chats and e-mails agents hold, as their desktops show them."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_watch_queues
from kontakt.core.presence import Channel
from kontakt.residents.models import Resident

from ..models import QueuedContact, WorkState
from .presence import caller_url, residents_by_callers


def work_of(user: User) -> list[QueuedContact]:
    """The callbacks, chats and e-mails the agent holds now, each with where to open it."""
    held = list(
        QueuedContact.objects.filter(agent=user, state=WorkState.ASSIGNED)
        .select_related("answer_group")
        .order_by("assigned_at")
    )
    residents = residents_by_callers({q.caller for q in held if q.callback})
    for queued in held:
        queued.open_url = work_message(queued, residents=residents)["url"]  # type: ignore[attr-defined]
    return held


def work_held(*, user: User, channel: str, reference: str) -> QueuedContact | None:
    """The chat or e-mail with this reference that the user holds now, if any."""
    if channel not in (Channel.CHAT, Channel.EMAIL):
        return None
    return QueuedContact.objects.filter(
        agent=user, state=WorkState.ASSIGNED, channel=channel, reference=reference[:100]
    ).first()


def work_visible_to(user: User) -> QuerySet[QueuedContact]:
    """What the user may close: their own, or any for a supervisor."""
    if may_watch_queues(user):
        return QueuedContact.objects.all()
    return QueuedContact.objects.filter(agent=user)


def work_message(
    queued: QueuedContact, *, residents: dict[str, Resident | None] | None = None
) -> dict[str, Any]:
    """A callback, chat or e-mail handed to the agent, as their desktop shows it."""
    if queued.callback:
        if residents is None:
            residents = residents_by_callers({queued.caller})
        resident = residents.get(queued.caller)
        url = caller_url(resident=resident, caller=queued.caller, call_id=queued.reference)
    else:
        url = queued.url
    return {
        "type": "work_offer",
        "id": queued.pk,
        "channel": queued.channel,
        "label": queued.label,
        "here": queued.opens_here,
        "callback": queued.callback,
        "subject": queued.subject or queued.caller,
        "answer_group": queued.answer_group.name,
        "url": url,
        "done_url": reverse("telephony:work_done", args=[queued.pk]),
    }
