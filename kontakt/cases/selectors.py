"""Reads of cases and contacts, with access control applied once, here.

A user of a center role (agent, second line, switchboard, supervisor, administrator) sees
every case; a department handler or department contact sees only their department's cases.
Every view and API handler reads cases through these functions.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from kontakt.accounts.models import User
from kontakt.accounts.selectors import (
    may_work_any_case,
    sees_all_departments,
    user_roles,
    works_department_only,
)
from kontakt.core.case_status import CaseStatus, parse_case_reference
from kontakt.residents.models import FeedbackChannel
from kontakt.residents.selectors import resident_email, resident_phone

from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseType,
    Channel,
    Contact,
    Notice,
)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Every case the user may read."""
    if sees_all_departments(user):
        return Case.objects.all()
    if works_department_only(user) and user.department_id:
        return Case.objects.filter(department_id=user.department_id)
    return Case.objects.none()


def may_work_case(user: User, case: Case) -> bool:
    """Whether the user may change the case: status, notes, messages, handler."""
    if may_work_any_case(user):
        return True
    return works_department_only(user) and case.department_id == user.department_id


def may_close_at_first_contact(user: User, case_type: CaseType | None) -> bool:
    """First line may close a contact at first contact only where the case type allows it."""
    if case_type is None or case_type.first_line_may_close:
        return True
    return may_work_any_case(user)


def case_get(*, user: User, reference: str) -> Case:
    """One case by reference, if the user may read it; otherwise 404 (no hint it exists)."""
    if parse_case_reference(reference) is None:
        # Not a reference at all (or text PostgreSQL cannot compare, such as NUL).
        raise Http404("No such case.")
    case = (
        cases_visible_to(user)
        .select_related("case_type", "resident", "department", "handler", "answer_group")
        .filter(reference__iexact=reference.strip())
        .first()
    )
    if case is None:
        raise Http404("No such case.")
    return case


def attachment_get(*, user: User, reference: str, attachment_id: int) -> Attachment:
    """One attachment of a case the user may read; otherwise 404, as for the case itself."""
    case = case_get(user=user, reference=reference)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


@dataclass(frozen=True)
class CaseFilter:
    """The filters of a case search; None means no filter."""

    status: list[str] | None = None
    case_type: str | None = None
    department: str | None = None
    handler_id: int | None = None
    resident_id: int | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    overdue_at: datetime | None = None
    text: str | None = None


def case_search(*, user: User, filters: CaseFilter) -> QuerySet[Case]:
    """Cases the user may read that match every given filter, newest first."""
    cases = cases_visible_to(user)
    if filters.status:
        cases = cases.filter(status__in=filters.status)
    if filters.case_type:
        cases = cases.filter(case_type__code=filters.case_type)
    if filters.department:
        cases = cases.filter(department__code=filters.department)
    if filters.handler_id:
        cases = cases.filter(handler_id=filters.handler_id)
    if filters.resident_id:
        cases = cases.filter(resident_id=filters.resident_id)
    if filters.due_before:
        cases = cases.filter(due_at__lt=filters.due_before)
    if filters.due_after:
        cases = cases.filter(due_at__gte=filters.due_after)
    if filters.overdue_at:
        cases = cases.filter(due_at__lt=filters.overdue_at).exclude(status=CaseStatus.CLOSED)
    if filters.text and filters.text.strip():
        cases = case_text_filter(cases, filters.text)
    return cases.select_related("case_type", "department", "handler", "resident").order_by(
        "-created_at", "-id"
    )


# The stored tsvector of subject and description on PostgreSQL, kept by a trigger and
# GIN-indexed (cases migration 0003).
CASE_DOCUMENT_COLUMN = "search_document"


def case_text_filter(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose reference, subject or description match the words of `text`."""
    text = text.strip()
    if parse_case_reference(text):
        return cases.filter(reference__iexact=text)
    words = [word for word in _search_words(text) if word]
    if not words:
        return cases.none()
    if connection.vendor == "postgresql":
        query = " & ".join(f"{word}:*" for word in words)
        # A condition on the outer query, not `id IN (subquery)`: the planner then walks
        # the newest cases and stops at a page for a common word, or takes the GIN index
        # for a rare one.
        return cases.filter(
            RawSQL(
                f"{CASE_DOCUMENT_COLUMN} @@ to_tsquery('simple', %s)",
                [query],
                output_field=BooleanField(),
            )
        )
    if connection.vendor == "sqlite":
        match = " ".join(f'"{w}"*' for w in words)
        if _fts_matches_at_least(match, SQLITE_WALK_FROM):
            # Many matches: walk the newest cases (`+` keeps SQLite off the id lookup) and
            # test each against the match set, instead of sorting every match by date.
            walk = f'+"cases_case"."id" IN ({SQLITE_MATCHES})'
            return cases.filter(RawSQL(walk, [match], output_field=BooleanField()))
        return cases.filter(id__in=RawSQL(SQLITE_MATCHES, [match]))
    condition = Q()
    for word in words:
        condition &= Q(subject__icontains=word) | Q(description__icontains=word)
    return cases.filter(condition)


SQLITE_MATCHES = "SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s"
# From this many matches on, walking the newest cases finds a page sooner than sorting them.
SQLITE_WALK_FROM = 2000


def _fts_matches_at_least(match: str, count: int) -> bool:
    """Whether the FTS5 query has at least `count` matches (reads at most `count`)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({SQLITE_MATCHES} LIMIT %s)", [match, count])
        return bool(cursor.fetchone()[0] >= count)


def _search_words(text: str) -> list[str]:
    """The words of a search, lower-cased, punctuation dropped (safe for FTS syntax)."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return cleaned.split()[:8]


def department_queue(*, user: User, department_id: int | None = None) -> QuerySet[Case]:
    """Open cases of a department, oldest due first: what a handler works through."""
    cases = cases_visible_to(user).exclude(status=CaseStatus.CLOSED)
    if department_id is None and works_department_only(user):
        department_id = user.department_id
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    return cases.select_related("case_type", "handler", "resident").order_by("due_at", "created_at")


def open_cases_of_resident(*, user: User, resident_id: int) -> QuerySet[Case]:
    """The resident's open cases, so new information joins one instead of a duplicate."""
    return (
        cases_visible_to(user)
        .filter(resident_id=resident_id)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("case_type", "department")
        .order_by("-created_at")
    )


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("by").order_by("at", "id")


def case_notices(*, case: Case) -> QuerySet[Notice]:
    """The notices sent (or not) about a case, oldest first, for its staff page."""
    return case.notices.order_by("created_at", "id")


# The conversation: every message in and out, on every channel -----------------------------

# Where an answer on each channel is read: the resident's channel of feedback it serves.
_ANSWERABLE: dict[str, str] = {
    Channel.EMAIL: Channel.EMAIL,
    Channel.SMS: Channel.SMS,
    Channel.WEB_FORM: Channel.WEB_FORM,  # read on My pages
    Channel.CHAT: Channel.WEB_FORM,
    Channel.OPEN311: Channel.WEB_FORM,
    Channel.LETTER: Channel.LETTER,
}
_FEEDBACK_TO_CHANNEL: dict[str, str] = {
    FeedbackChannel.EMAIL: Channel.EMAIL,
    FeedbackChannel.SMS: Channel.SMS,
    FeedbackChannel.MY_PAGES: Channel.WEB_FORM,
    FeedbackChannel.LETTER: Channel.LETTER,
    FeedbackChannel.PHONE: Channel.PHONE,
}
PARTS_MAX = 255  # the most parts a concatenated SMS can have


@dataclass(frozen=True)
class ConversationEntry:
    """One message of a case's conversation, as its page shows it."""

    event: CaseEvent
    channel: str
    channel_label: str
    inbound: bool
    delivery: str  # a Delivery value, or ""
    delivery_label: str
    reason: str
    parts: int | None
    to: str
    sender: str
    attachments: tuple[Attachment, ...]


def _text_of(data: dict[str, object], name: str, limit: int = 300) -> str:
    value = data.get(name)
    return str(value)[:limit] if isinstance(value, (str, int)) and value != "" else ""


def _attachment_ids(data: dict[str, object]) -> list[int]:
    """The attachments an entry's data names: `attachment_id`, or a list under
    `attachment_ids` / `attachments` of ids or of objects with an `id`."""
    named: list[object] = [data.get("attachment_id")]
    for key in ("attachment_ids", "attachments"):
        value = data.get(key)
        if isinstance(value, list):
            named += [
                item.get("id", item.get("attachment_id")) if isinstance(item, dict) else item
                for item in value[:50]
            ]
    return [item for item in named if isinstance(item, int) and not isinstance(item, bool)]


def case_conversation(
    *,
    case: Case,
    timeline: Iterable[CaseEvent] | None = None,
    case_attachments: Iterable[Attachment] | None = None,
) -> list[ConversationEntry]:
    """Every message to and from the resident on the case, on every channel, oldest first:
    its channel, direction, what became of it (and why not, and in how many SMS parts)
    and the case attachments it brought. What an entry's data holds is read defensively:
    a value no channel writes is left out, never an error.

    A page that has read the case's timeline and attachments already passes them in, and
    the conversation is taken from them without reading again."""
    kinds = (CaseEventKind.MESSAGE_IN, CaseEventKind.MESSAGE_OUT)
    if timeline is None:
        timeline = case_timeline(case=case).filter(kind__in=kinds)
    events = [event for event in timeline if event.kind in kinds]
    data_of = {event.pk: event.data if isinstance(event.data, dict) else {} for event in events}
    wanted = {pk for data in data_of.values() for pk in _attachment_ids(data)}
    if case_attachments is not None:
        attachments = {a.pk: a for a in case_attachments if a.pk in wanted}
    else:
        attachments = (
            {a.pk: a for a in Attachment.objects.filter(case=case, pk__in=wanted)} if wanted else {}
        )
    entries = []
    for event in events:
        data = data_of[event.pk]
        parts = data.get("parts")
        entries.append(
            ConversationEntry(
                event=event,
                channel=event.channel if event.channel in Channel.values else "",
                channel_label=event.channel_label[:40],
                inbound=event.kind == CaseEventKind.MESSAGE_IN,
                delivery=event.delivery,
                delivery_label=event.delivery_label,
                reason=_text_of(data, "reason"),
                parts=parts
                if isinstance(parts, int) and not isinstance(parts, bool) and 0 < parts <= PARTS_MAX
                else None,
                to=_text_of(data, "to", 254),
                sender=_text_of(data, "from", 254),
                attachments=tuple(
                    attachments[pk] for pk in _attachment_ids(data) if pk in attachments
                ),
            )
        )
    return entries


@dataclass(frozen=True)
class AnswerChannel:
    """Where an answer from the case's box goes by default."""

    channel: str  # a Channel value of the message form
    to: str  # the address or number; "" for My pages, a letter or phone


def case_answer_channel(*, case: Case, conversation: list[ConversationEntry]) -> AnswerChannel:
    """The channel the resident last wrote on, if an answer can go back by it, else the
    feedback channel they chose; with the address it goes to."""
    channel = ""
    for entry in reversed(conversation):
        if not entry.inbound or entry.channel not in _ANSWERABLE:
            continue
        channel = _ANSWERABLE[entry.channel]
        if channel == Channel.WEB_FORM and case.feedback_channel != FeedbackChannel.MY_PAGES:
            # A chat or form has no way back but My pages, which this resident does not use.
            channel = ""
            continue
        break
    if not channel:
        channel = _FEEDBACK_TO_CHANNEL.get(case.feedback_channel, Channel.EMAIL)
    to = ""
    resident = case.resident
    if resident is not None and channel == Channel.EMAIL:
        to = resident_email(resident) or ""
    elif resident is not None and channel == Channel.SMS:
        to = resident_phone(resident) or ""
    return AnswerChannel(channel=channel, to=to)


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    """Contacts the user may read: all for the center, their department's cases' otherwise."""
    if sees_all_departments(user):
        return Contact.objects.all()
    if works_department_only(user) and user.department_id:
        return Contact.objects.filter(case__department_id=user.department_id)
    return Contact.objects.none()


@dataclass(frozen=True)
class ContactFilter:
    """The filters of a contact search; None means no filter."""

    resident_id: int | None = None
    agent: str | None = None  # username
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None


def contact_search(*, user: User, filters: ContactFilter) -> QuerySet[Contact]:
    """Contacts the user may read that match every given filter, newest first."""
    contacts = contacts_visible_to(user)
    if filters.resident_id:
        contacts = contacts.filter(resident_id=filters.resident_id)
    if filters.agent:
        contacts = contacts.filter(agent__username=filters.agent)
    if filters.channel:
        contacts = contacts.filter(channel=filters.channel)
    if filters.since:
        contacts = contacts.filter(started_at__gte=filters.since)
    if filters.until:
        contacts = contacts.filter(started_at__lt=filters.until)
    if filters.text:
        contacts = contacts.filter(summary__icontains=filters.text)
    return contacts.select_related("agent", "case_type", "case").order_by("-started_at", "-id")


def contacts_of_resident(*, user: User, resident_id: int, limit: int = 10) -> list[Contact]:
    return list(
        contacts_visible_to(user)
        .filter(resident_id=resident_id)
        .select_related("case_type", "agent", "case")
        .order_by("-started_at")[:limit]
    )


def contacts_logged_by(*, user: User, limit: int) -> list[Contact]:
    """The user's own latest contacts, for the desktop."""
    return list(
        contacts_visible_to(user)
        .filter(agent=user)
        .select_related("resident", "case_type", "case")
        .order_by("-started_at")[:limit]
    )


def case_type_find(text: str) -> CaseType | None:
    """An active case type by its code or its name, as an agent types it."""
    return case_types_active().filter(Q(code=text) | Q(name__iexact=text)).first()


def case_types_active() -> QuerySet[CaseType]:
    return CaseType.objects.filter(active=True).select_related("department").order_by("name")


def has_any_role(user: User) -> bool:
    return bool(user_roles(user))
