"""The API's contacts: log one through the intake service, or search those logged."""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from kontakt.cases import selectors as case_selectors
from kontakt.cases.api import (
    ChannelName,
    Code,
    DirectionName,
    FeedbackName,
    OutcomeName,
    RowId,
    StrictSchema,
    case_type_by_code,
    department_by_code,
    page_of,
    resident_by_id,
)
from kontakt.cases.models import Contact, Priority
from kontakt.cases.services import ContactDraft
from kontakt.knowledge import selectors as knowledge_selectors
from kontakt.telephony import selectors as telephony_selectors
from kontakt.web.api import StaffApiRequest
from kontakt.web.schemas import ERRORS, ApiDatetime, InputSchema

from . import services

router = Router(tags=["contacts"])


class ContactIn(StrictSchema):
    channel: ChannelName
    outcome: OutcomeName
    direction: DirectionName = "in"
    summary: Annotated[str, Field(max_length=10_000)] = ""
    resident_id: RowId | None = None
    case_type: Code | None = None
    started_at: ApiDatetime | None = None
    ended_at: ApiDatetime | None = None
    case_reference: Annotated[str, Field(max_length=24)] | None = Field(
        None, description="The open case to link to (outcome `linked`)."
    )
    subject: Annotated[str, Field(max_length=200)] = Field(
        "", description="Subject of the case opened when the outcome is `forwarded`."
    )
    priority: Annotated[int, Field(ge=1, le=4)] = Priority.NORMAL
    feedback_channel: FeedbackName | None = None
    department: Code | None = Field(None, description="Department code to forward to.")
    articles: Annotated[list[RowId], Field(max_length=20)] = Field(
        default_factory=list,
        description="Knowledge-base articles used in the contact (ids from the search).",
    )
    call_id: Annotated[str, Field(max_length=100)] | None = Field(
        None,
        description=(
            "The exchange's id of the call a phone contact is about: the contact starts when "
            "the call was answered (unless `started_at` is given) and a callback the call "
            "asked for, handed to this agent, is done."
        ),
    )
    work_reference: Annotated[str, Field(max_length=100)] | None = Field(
        None,
        description=(
            "For a `chat` or `email` contact: the reference of the chat or e-mail the router "
            "handed to you (`POST /routing/contacts`); it is done when the contact is logged."
        ),
    )


class ContactOut(Schema):
    id: int
    channel: str
    direction: str
    outcome: str
    started_at: datetime
    ended_at: datetime | None
    agent: str | None
    resident_id: int | None
    case_type: str | None
    summary: str
    case_reference: str | None
    call_id: str | None


class ContactPage(Schema):
    results: list[ContactOut]
    next_offset: int | None


def contact_out(contact: Contact) -> dict[str, object]:
    return {
        "id": contact.pk,
        "channel": contact.channel,
        "direction": contact.direction,
        "outcome": contact.outcome,
        "started_at": contact.started_at,
        "ended_at": contact.ended_at,
        "agent": contact.agent.username if contact.agent else None,
        "resident_id": contact.resident_id,
        "case_type": contact.case_type.code if contact.case_type else None,
        "summary": contact.summary,
        "case_reference": contact.case.reference if contact.case else None,
        "call_id": contact.call_id or None,
    }


@router.post("", response={201: ContactOut, **ERRORS}, summary="Log a contact")
def contact_create(request: StaffApiRequest, payload: ContactIn) -> tuple[int, dict[str, object]]:
    """Log one interaction. `forwarded` opens a case; `linked` joins `case_reference`."""
    case = None
    if payload.case_reference:
        case = case_selectors.case_get(user=request.user, reference=payload.case_reference)
    call = None
    if payload.call_id:
        call = telephony_selectors.call_for_contact(user=request.user, call_id=payload.call_id)
        if call is None:
            raise ValidationError({"call_id": [_("No call has this id.")]})
    work = None
    if payload.work_reference:
        work = telephony_selectors.work_held(
            user=request.user, channel=payload.channel, reference=payload.work_reference
        )
        if work is None:
            raise ValidationError(
                {"work_reference": [_("You hold no chat or e-mail with this reference.")]}
            )
    articles = knowledge_selectors.articles_used(
        user=request.user, ids=[str(article_id) for article_id in payload.articles]
    )
    if len(articles) < len(set(payload.articles)):
        raise ValidationError({"articles": [_("No such article.")]})
    arrival = services.Arrival(
        contact=ContactDraft(
            channel=payload.channel,
            outcome=payload.outcome,
            direction=payload.direction,
            summary=payload.summary,
            resident=resident_by_id(request, payload.resident_id),
            case_type=case_type_by_code(payload.case_type),
            started_at=payload.started_at,
            ended_at=payload.ended_at,
            case=case,
            subject=payload.subject,
            priority=payload.priority,
            feedback_channel=payload.feedback_channel or "",
            department=department_by_code(payload.department),
        ),
        source=services.Source(call=call, work=work),
        articles=articles,
    )
    contact = services.contact_intake(arrival=arrival, by=request.user)
    return 201, contact_out(contact)


class ContactQuery(InputSchema):
    resident_id: RowId | None = None
    agent: Annotated[str, Field(max_length=150)] | None = None
    channel: ChannelName | None = None
    since: ApiDatetime | None = None
    until: ApiDatetime | None = None
    q: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


@router.get("", response={200: ContactPage, **ERRORS}, summary="Search contacts")
def contact_list(request: StaffApiRequest, filters: Query[ContactQuery]) -> dict[str, object]:
    contacts = case_selectors.contact_search(
        user=request.user,
        filters=case_selectors.ContactFilter(
            resident_id=filters.resident_id,
            agent=filters.agent,
            channel=filters.channel,
            since=filters.since,
            until=filters.until,
            text=filters.q,
        ),
    )
    rows = list(contacts[filters.offset : filters.offset + filters.limit + 1])
    rows, next_offset = page_of(rows, filters.limit, filters.offset)
    return {"results": [contact_out(c) for c in rows], "next_offset": next_offset}
