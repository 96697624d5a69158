"""Reads of web chat: whether a resident may chat now, where a waiting chat is in the
queue, the chats an agent holds, a chat's messages."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kontakt.accounts.models import User
from kontakt.core import business_hours
from kontakt.core.presence import DEFAULT_CAPACITY, AgentState, Channel
from kontakt.core.router import DEFAULT_HANDLE_SECONDS
from kontakt.directory.selectors import opening_hours
from kontakt.residents.models import Resident
from kontakt.residents.selectors import residents_visible_to
from kontakt.telephony import selectors as telephony_selectors
from kontakt.telephony.models import QueuedContact, WorkState

from .models import Chat, ChatMessage, ChatState

# States in which the resident and the agent still see the chat as going on.
OPEN_STATES = (ChatState.WAITING, ChatState.ACTIVE)
NOT_WORKING = (AgentState.LOGGED_OUT, AgentState.PAUSED)


@dataclass(frozen=True)
class Availability:
    """What the widget offers now: the chat, or the web form, and why."""

    enabled: bool
    open: bool
    # Nobody who takes chats is working (logged in and not paused).
    staffed: bool
    estimated_wait_seconds: float | None
    crisis_message: str

    @property
    def reason(self) -> str:
        if not self.enabled:
            return "disabled"
        if not self.open:
            return "closed"
        if not self.staffed:
            return "unstaffed"
        if self.estimated_wait_seconds is None or self.estimated_wait_seconds > max_wait():
            return "wait"
        return ""

    @property
    def may_start(self) -> bool:
        return self.reason == ""


def max_wait() -> float:
    return float(settings.KONTAKT["CHAT"]["MAX_WAIT_SECONDS"])


def _center_open(now: datetime) -> bool:
    hours = opening_hours(today=timezone.localdate(now))
    # Without any opening hours configured the center is taken to be open (as the IVR does).
    return business_hours.is_open(now, hours) if any(hours.weekly.values()) else True


def chat_availability(*, now: datetime | None = None) -> Availability:
    """Whether a resident may start a chat now: chat is on, the center open, someone who
    takes chats working, and the router's estimated wait for a new chat within
    KONTAKT["CHAT"]["MAX_WAIT_SECONDS"]; the crisis message when the center is in crisis."""
    now = now or timezone.now()
    config = settings.KONTAKT["CHAT"]
    crisis = telephony_selectors.crisis_shown()
    crisis_text = crisis["message"] if crisis.get("on") else ""
    if not config["ENABLED"]:
        return Availability(False, False, False, None, crisis_text)
    if not _center_open(now):
        return Availability(True, False, False, None, crisis_text)
    code = config["ANSWER_GROUP"]
    state = telephony_selectors.routing_state(now=now)
    try:
        working = _working(state, code)
        position = len(state.router.waiting(code)) + 1
        wait = state.router.estimated_wait(code, now=state.clock(now), position=position)
    except KeyError:  # no such active group: nobody takes chats
        return Availability(True, True, False, None, crisis_text)
    if wait == 0 and not _room_for_a_chat(state, code):
        wait = _by_rule(code, position, working)
    return Availability(True, True, working > 0, round(wait, 1), crisis_text)


def _working(state: telephony_selectors.RoutingState, code: str) -> int:
    """Agents of the group at work: logged in and not paused."""
    by_state = state.router.agents_by_state(code)
    return sum(n for s, n in by_state.items() if s not in NOT_WORKING)


def _by_rule(code: str, position: int, working: int) -> float:
    """The router's rule (position × the group's handle time / agents at work), for when
    the router counts a Ready agent as free who has no room for another chat."""
    _groups, handle = telephony_selectors.routing_groups()
    return position * handle.get(code, DEFAULT_HANDLE_SECONDS) / max(1, working)


def _room_for_a_chat(state: telephony_selectors.RoutingState, code: str) -> bool:
    """Whether a Ready agent with the group's skill holds fewer chats than the capacity."""
    groups, _handle = telephony_selectors.routing_groups()
    skill = next((g.skill for g in groups if g.code == code), code)
    held = dict(
        QueuedContact.objects.filter(state=WorkState.ASSIGNED, channel=Channel.CHAT)
        .values_list("agent")
        .annotate(n=Count("id"))
        .values_list("agent", "n")
    )
    capacity = DEFAULT_CAPACITY[Channel.CHAT]
    for key, user in state.users.items():
        if state.router.state_of(key) != AgentState.READY:
            continue
        if skill in {s.skill for s in user.skills.all()} and held.get(user.pk, 0) < capacity:
            return True
    return False


@dataclass(frozen=True)
class Place:
    """Where a waiting chat is: its position in its group's queue and the router's estimate."""

    position: int
    estimated_wait_seconds: float


def chat_place(chat: Chat, *, now: datetime | None = None) -> Place | None:
    """The waiting chat's place in the queue, from the router's picture of this moment; None
    once an agent has it (or it left the queue)."""
    queued = chat.queued
    if chat.state != ChatState.WAITING or queued is None or queued.state != WorkState.WAITING:
        return None
    now = now or timezone.now()
    state = telephony_selectors.routing_state(now=now)
    code = queued.answer_group.code
    contact_id = f"{telephony_selectors.QUEUED_PREFIX}{queued.pk}"
    try:
        waiting = [contact.id for contact in state.router.waiting(code)]
    except KeyError:
        return None
    if contact_id not in waiting:
        return None
    position = waiting.index(contact_id) + 1
    wait = state.router.estimated_wait(code, now=state.clock(now), position=position)
    if wait == 0:
        # The router counts a Ready agent of the group as free, but the chat still waits:
        # they lack its language or room for another chat.
        wait = _by_rule(code, position, _working(state, code))
    return Place(position, round(wait, 1))


def chat_state_message(chat: Chat) -> dict[str, Any]:
    """The chat's state as the widget and the desktop are told it."""
    return {
        "type": "chat_state",
        "chat": chat.pk,
        "state": chat.state,
        "agent": chat.agent.first_name if chat.agent_id and chat.agent else "",
        "resident_left": chat.resident_left_at is not None,
    }


def chat_of_resident(*, public_id: str) -> Chat:
    """The chat by its public id (the caller has checked the resident's cookie); 404."""
    chat = (
        Chat.objects.select_related("queued__answer_group", "agent")
        .filter(public_id=public_id[:32])
        .first()
    )
    if chat is None:
        raise Http404
    return chat


def messages_after(chat: Chat, *, after: int = 0) -> QuerySet[ChatMessage]:
    return chat.messages.filter(seq__gt=after).order_by("seq")


def _held_by(user: User) -> Q:
    return Q(agent=user) | Q(
        agent__isnull=True, queued__agent=user, queued__state=WorkState.ASSIGNED
    )


def chats_of(user: User) -> list[Chat]:
    """The chats the agent has now (answered, or routed to them and not yet opened), oldest
    first, each with its messages and the resident their e-mail names (if the agent may see
    them)."""
    chats = list(
        Chat.objects.filter(_held_by(user), state__in=OPEN_STATES)
        .select_related("queued", "agent")
        .prefetch_related(Prefetch("messages", queryset=ChatMessage.objects.order_by("seq")))
        .order_by("started_at", "pk")
    )
    emails = {chat.email for chat in chats if chat.email}
    found: dict[str, Resident] = {}
    if emails:
        for resident in (
            residents_visible_to(user).filter(emails__address__in=emails).prefetch_related("emails")
        ):
            for address in resident.emails.all():
                found.setdefault(address.address, resident)
    for chat in chats:
        chat.resident = found.get(chat.email) if chat.email else None  # type: ignore[attr-defined]
    return chats


def chat_of_agent(*, user: User, chat_id: int) -> Chat:
    """One chat the agent has now; 404 for any other."""
    chat = next((c for c in chats_of(user) if c.pk == chat_id), None)
    if chat is None:
        raise Http404
    return chat
