"""Web chat: a resident starts a chat (queued and routed like a call), resident and agent
exchange messages, the resident may leave, and the agent ends it by logging the contact
through the intake, with the transcript.

Every message is numbered in its chat (`seq`), so both sides show it in order and a
browser that missed some loads them again; a message sent twice with the same client id
is stored once. Each change is pushed to the resident's stream (topic `chat:<pk>`) and to
the agent's desktop (their user topic) once it is committed.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kontakt.accounts.models import User
from kontakt.cases import services as case_services
from kontakt.cases.models import Case, CaseType, Channel, Contact, Outcome
from kontakt.directory.models import AnswerGroup, Department
from kontakt.intake import services as intake_services
from kontakt.live import bus
from kontakt.residents import services as resident_services
from kontakt.residents.models import Resident
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import WorkState

from . import selectors
from .models import Chat, ChatLanguage, ChatMessage, ChatState, Sender

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Control characters other than line breaks and tabs are dropped from what is typed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SUBJECT_WORDS = 12


class ChatUnavailable(Exception):
    """The chat cannot start now: the center is closed, the wait too long, or chat is off."""

    def __init__(self, availability: "selectors.Availability") -> None:
        super().__init__(availability.reason)
        self.availability = availability


@dataclass(frozen=True)
class ChatDraft:
    """What the resident gives to start a chat."""

    language: str
    body: str
    name: str = ""
    email: str = ""
    page: str = ""
    client_id: str = ""


def _config() -> Any:
    return settings.KONTAKT["CHAT"]


def message_text(raw: object, *, field: str = "body") -> str:
    """What was typed, as stored: control characters (a NUL among them) and lone surrogates
    dropped, trimmed; a ValidationError on `field` when empty or too long."""
    text = raw if isinstance(raw, str) else ""
    text = CONTROL.sub("", text).encode("utf-8", "ignore").decode("utf-8").strip()
    limit = int(_config()["MESSAGE_MAX_CHARS"])
    if not text:
        raise ValidationError({field: [_("Write your message.")]})
    if len(text) > limit:
        raise ValidationError(
            {field: [_("At most %(n)s characters: shorten the message.") % {"n": limit}]}
        )
    return text


def client_id_clean(raw: object) -> str:
    """The sender's id of a message ("" when none), or a ValidationError."""
    value = raw if isinstance(raw, str) else ""
    if value and not CLIENT_ID.fullmatch(value):
        raise ValidationError({"client_id": [_("Not a message id.")]})
    return value


def _draft_check(draft: ChatDraft) -> tuple[str, str, str]:
    """The checked first message, name and e-mail; every field's reason at once."""
    errors: dict[str, list[str]] = {}
    if draft.language not in ChatLanguage.values:
        errors["language"] = [_("Choose the language of the chat.")]
    body = ""
    try:
        body = message_text(draft.body)
    except ValidationError as error:
        errors.update(error.message_dict)
    name = CONTROL.sub("", draft.name).strip()
    if len(name) > 200:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 200}]
    email = CONTROL.sub("", draft.email).strip().lower()
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Write your e-mail address, e.g. name@example.se.")]
    try:
        client_id_clean(draft.client_id)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return body, name, email


def _subject(body: str) -> str:
    words = body.split()
    subject = " ".join(words[:SUBJECT_WORDS])
    return subject + (" …" if len(words) > SUBJECT_WORDS else "")


def chat_answer_group() -> AnswerGroup:
    """The answer group that takes chats (KONTAKT["CHAT"]["ANSWER_GROUP"])."""
    return AnswerGroup.objects.get(code=_config()["ANSWER_GROUP"], active=True)


def chat_start(*, draft: ChatDraft, now: datetime | None = None) -> Chat:
    """Open a chat with the resident's first message and queue it for an agent with the
    chat's skill and language; refused (ChatUnavailable) when the widget should offer the
    web form instead."""
    now = now or timezone.now()
    body, name, email = _draft_check(draft)
    availability = selectors.chat_availability(now=now)
    if not availability.may_start:
        raise ChatUnavailable(availability)
    group = chat_answer_group()
    with transaction.atomic():
        chat = Chat.objects.create(
            public_id=secrets.token_urlsafe(18),
            language=draft.language,
            name=name,
            email=email,
            started_at=now,
            page=CONTROL.sub("", draft.page)[:300],
        )
        _post(chat, sender=Sender.RESIDENT, body=body, client_id=draft.client_id, now=now)
        queued, _created = telephony_services.queued_contact_add(
            draft=telephony_services.WorkDraft(
                channel="chat",
                reference=chat.reference,
                answer_group=group,
                language=draft.language,
                subject=_subject(body),
                url=settings.KONTAKT["SITE_URL"] + reverse("chat:agent_chat", args=[chat.pk]),
                caller=email,
            ),
            now=now,
        )
        chat.queued = queued
        chat.save(update_fields=["queued"])
    return chat


def _message_data(message: ChatMessage, chat: Chat) -> dict[str, Any]:
    return {
        "type": "chat_message",
        "chat": chat.pk,
        "seq": message.seq,
        "sender": message.sender,
        "body": message.body,
        "at": message.at,
        "client_id": message.client_id,
    }


def _publish(chat: Chat, data: dict[str, Any]) -> None:
    """To the resident's stream, and to the desktop of the agent who has the chat."""
    bus.publish_on_commit(chat.topic, data)
    agent_id = chat.agent_id or (chat.queued.agent_id if chat.queued_id and chat.queued else None)
    if agent_id is not None:
        bus.publish_on_commit(bus.user_topic(agent_id), data)


def _post(
    chat: Chat, *, sender: str, body: str, client_id: str = "", now: datetime
) -> tuple[ChatMessage, bool]:
    """Store one message with the chat's next number (inside the caller's transaction)."""
    if client_id:
        earlier = ChatMessage.objects.filter(chat=chat, sender=sender, client_id=client_id).first()
        if earlier is not None:
            return earlier, False
    # The update takes the chat's row (a write lock on SQLite too), so numbers never clash.
    Chat.objects.filter(pk=chat.pk).update(next_seq=F("next_seq") + 1)
    seq = Chat.objects.values_list("next_seq", flat=True).get(pk=chat.pk) - 1
    try:
        with transaction.atomic():
            message = ChatMessage.objects.create(
                chat=chat, seq=seq, sender=sender, body=body, at=now, client_id=client_id
            )
    except IntegrityError:
        # The same client id arrived twice at once: the other one stored it.
        message = ChatMessage.objects.get(chat=chat, sender=sender, client_id=client_id)
        return message, False
    _publish(chat, _message_data(message, chat))
    return message, True


def _system(chat: Chat, text: str, *, now: datetime) -> ChatMessage:
    # Said in the chat's language: it is the resident who reads it.
    return _post(chat, sender=Sender.SYSTEM, body=text, now=now)[0]


def _state_changed(chat: Chat) -> None:
    _publish(chat, selectors.chat_state_message(chat))


def chat_send(
    *,
    chat: Chat,
    body: object,
    client_id: object = "",
    by: User | None = None,
    now: datetime | None = None,
) -> tuple[ChatMessage, bool]:
    """A message from the resident (`by` None) or from the agent who has the chat; returns
    it and whether it is new (a retried send with the same client id is stored once)."""
    now = now or timezone.now()
    text = message_text(body)
    client = client_id_clean(client_id)
    with transaction.atomic():
        chat = Chat.objects.select_for_update(of=("self",)).select_related("queued").get(pk=chat.pk)
        if by is None:
            if chat.state not in (ChatState.WAITING, ChatState.ACTIVE) or chat.resident_left_at:
                raise ValidationError({"body": [_("The chat has ended.")]})
            return _post(chat, sender=Sender.RESIDENT, body=text, client_id=client, now=now)
        _require_holder(chat, by)
        if chat.state == ChatState.WAITING:
            chat = _answer(chat, by=by, now=now)
        if chat.state != ChatState.ACTIVE:
            raise ValidationError({"body": [_("The chat has ended.")]})
        return _post(chat, sender=Sender.AGENT, body=text, client_id=client, now=now)


def _require_holder(chat: Chat, by: User) -> None:
    """Only the agent the chat was routed to writes in it and ends it."""
    holder = chat.agent_id or (
        chat.queued.agent_id
        if chat.queued is not None and chat.queued.state == WorkState.ASSIGNED
        else None
    )
    if holder != by.pk:
        raise PermissionDenied(_("This chat is another agent's."))


def _answer(chat: Chat, *, by: User, now: datetime) -> Chat:
    chat.state, chat.agent, chat.answered_at = ChatState.ACTIVE, by, now
    chat.save(update_fields=["state", "agent", "answered_at"])
    with override(chat.language):
        name = by.first_name or _("An agent")
        _system(chat, _("%(name)s has joined the chat.") % {"name": name}, now=now)
    _state_changed(chat)
    return chat


def chat_answer(*, chat: Chat, by: User, now: datetime | None = None) -> Chat:
    """The agent the router gave the chat to opens it: the resident is told they joined."""
    now = now or timezone.now()
    with transaction.atomic():
        chat = Chat.objects.select_for_update(of=("self",)).select_related("queued").get(pk=chat.pk)
        _require_holder(chat, by)
        if chat.state == ChatState.WAITING:
            chat = _answer(chat, by=by, now=now)
    return chat


def chat_leave(*, chat: Chat, now: datetime | None = None) -> Chat:
    """The resident closes the chat. Still waiting: it leaves the queue (withdrawn) and is
    abandoned. With an agent: the agent is told, and logs the contact when they end it."""
    now = now or timezone.now()
    with transaction.atomic():
        chat = Chat.objects.select_for_update(of=("self",)).select_related("queued").get(pk=chat.pk)
        if chat.state == ChatState.WAITING:
            chat.state, chat.ended_at = ChatState.ABANDONED, now
            chat.save(update_fields=["state", "ended_at"])
            if chat.queued is not None:
                telephony_services.queued_contact_done(queued=chat.queued, withdrawn=True, now=now)
            _state_changed(chat)
        elif chat.state == ChatState.ACTIVE and chat.resident_left_at is None:
            chat.resident_left_at = now
            chat.save(update_fields=["resident_left_at"])
            with override(chat.language):
                _system(chat, _("The resident has left the chat."), now=now)
            _state_changed(chat)
    return chat


def transcript(chat: Chat) -> str:
    """The chat as text, one line a message: time, who, what."""
    who: dict[str, str] = {
        Sender.RESIDENT: chat.name or _("Resident"),
        Sender.AGENT: (chat.agent.get_full_name() if chat.agent else "") or _("Agent"),
        Sender.SYSTEM: "–",
    }
    lines = []
    for message in chat.messages.order_by("seq"):
        at = timezone.localtime(message.at).strftime("%H:%M:%S")
        lines.append(f"[{at}] {who.get(message.sender, message.sender)}: {message.body}")
    return "\n".join(lines)


@dataclass(frozen=True)
class ChatEnd:
    """How the agent logs the chat: the contact's outcome and what it was about."""

    outcome: str
    summary: str = ""
    case_type: CaseType | None = None
    case: Case | None = None
    department: Department | None = None
    resident: Resident | None = None


def chat_end(*, chat: Chat, by: User, end: ChatEnd, now: datetime | None = None) -> Contact:
    """The agent ends the chat: the contact is logged through the intake with the
    transcript (the chat's work is done there, freeing the agent), the resident is told,
    and a case the contact opened or joined gets the transcript as a message in."""
    now = now or timezone.now()
    with transaction.atomic():
        chat = (
            Chat.objects.select_for_update(of=("self",))
            .select_related("queued", "agent")
            .get(pk=chat.pk)
        )
        _require_holder(chat, by)
        if chat.state not in (ChatState.WAITING, ChatState.ACTIVE):
            raise ValidationError({"outcome": [_("The chat has already ended.")]})
        if chat.state == ChatState.WAITING:
            chat = _answer(chat, by=by, now=now)
        with override(chat.language):
            _system(chat, _("The chat has ended."), now=now)
        text = transcript(chat)
        summary = end.summary.strip() or (chat.queued.subject if chat.queued else "")
        details = None
        if end.resident is None and chat.email:
            details = resident_services.ResidentDraft(
                name=chat.name or chat.email,
                emails=[chat.email],
                preferred_language=(
                    chat.language
                    if chat.language in resident_services.preferred_languages()
                    else ""
                ),
                preferred_channel="email",
            )
        contact = intake_services.contact_intake(
            arrival=intake_services.Arrival(
                contact=case_services.ContactDraft(
                    channel=Channel.CHAT,
                    outcome=end.outcome,
                    summary=summary,
                    resident=end.resident,
                    case_type=end.case_type,
                    case=end.case,
                    department=end.department,
                    started_at=chat.answered_at or chat.started_at,
                    ended_at=now,
                    subject=chat.queued.subject if chat.queued else "",
                    feedback_channel="email" if chat.email else "",
                ),
                resident_details=details,
                source=intake_services.Source(work=chat.queued),
            ),
            by=by,
            now=now,
        )
        chat.state, chat.ended_at, chat.contact = ChatState.ENDED, now, contact
        chat.save(update_fields=["state", "ended_at", "contact"])
        if contact.case is not None and end.outcome in (Outcome.FORWARDED, Outcome.LINKED):
            case_services.case_add_message(
                case=contact.case,
                body=text,
                direction="in",
                channel=Channel.CHAT,
                by=None,
                now=now,
                data={"chat_id": chat.pk},
            )
        _state_changed(chat)
    return contact
