"""API handlers for contacts and cases: parse, call one service or selector, answer."""

from datetime import datetime
from typing import Annotated, Literal, TypedDict, get_args

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_log_contacts
from kontakt.core.case_status import CaseStatus
from kontakt.directory.models import Department
from kontakt.residents.models import Resident
from kontakt.residents.selectors import resident_get
from kontakt.web.api import StaffApiRequest
from kontakt.web.schemas import ERRORS, ApiDatetime, InputSchema

from . import selectors, services
from .models import Case, CaseEvent, CaseType, Channel, Direction, Outcome, Priority

case_router = Router(tags=["cases"])
meta_router = Router(tags=["configuration"])

# Statuses separated by commas, spaces around each allowed (an empty item is skipped).
_STATUS = "(?:new|open|waiting|forwarded|closed)"
STATUS_LIST_PATTERN = rf"^\s*{_STATUS}?\s*(?:,\s*{_STATUS}?\s*)*$"

ChannelName = Literal["phone", "email", "web_form", "chat", "sms", "letter", "visit", "open311"]
OutcomeName = Literal["closed", "closed_order", "forwarded", "linked", "transferred", "message"]
DirectionName = Literal["in", "out"]
StatusName = Literal["new", "open", "waiting", "forwarded", "closed"]
FeedbackName = Literal["phone", "email", "sms", "letter", "my_pages"]
Code = Annotated[str, Field(min_length=1, max_length=60)]
# A row id: beyond a 64-bit integer the databases raise instead of finding nothing.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]

assert set(get_args(ChannelName)) == set(Channel.values)
assert set(get_args(OutcomeName)) == set(Outcome.values)
assert set(get_args(DirectionName)) == set(Direction.values)


class StrictSchema(InputSchema):
    model_config = ConfigDict(extra="forbid")


class CaseIn(StrictSchema):
    case_type: Code
    subject: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=50_000)] = ""
    resident_id: RowId | None = None
    priority: Annotated[int, Field(ge=1, le=4)] = Priority.NORMAL
    feedback_channel: FeedbackName | None = None
    department: Code | None = None


class CaseOut(Schema):
    reference: str
    case_type: str
    status: str
    priority: int
    department: str
    handler: str | None
    resident_id: int | None
    subject: str
    description: str
    feedback_channel: str
    created_at: datetime
    due_at: datetime | None
    sla_paused_at: datetime | None
    closed_at: datetime | None
    resolution: str
    sla_met: bool | None


class EventOut(Schema):
    kind: str
    at: datetime
    by: str | None
    from_status: str
    to_status: str
    body: str
    channel: str
    delivery: str = Field(
        description=(
            "For a message to the resident: queued, sent, failed, to_post (a letter), said "
            "(by phone or in person) or not_sent; empty for any other entry."
        )
    )


class CaseDetailOut(CaseOut):
    events: list[EventOut]


class CasePage(Schema):
    results: list[CaseOut]
    next_offset: int | None


class NoteIn(StrictSchema):
    body: Annotated[str, Field(min_length=1, max_length=20_000)]


class MessageIn(StrictSchema):
    body: Annotated[str, Field(min_length=1, max_length=20_000)]
    direction: DirectionName
    channel: ChannelName


class StatusIn(StrictSchema):
    status: StatusName
    note: Annotated[str, Field(max_length=20_000)] = ""
    resolution: Annotated[str, Field(max_length=20_000)] = ""


class ForwardIn(StrictSchema):
    department: Code
    note: Annotated[str, Field(max_length=20_000)] = ""


class CaseTypeOut(Schema):
    code: str
    name: str
    department: str
    first_line_may_close: bool
    response_time_hours: float
    routine: str


class DepartmentOut(Schema):
    code: str
    name: str


def case_out(case: Case) -> dict[str, object]:
    return {
        "reference": case.reference,
        "case_type": case.case_type.code,
        "status": case.status,
        "priority": case.priority,
        "department": case.department.code,
        "handler": case.handler.username if case.handler else None,
        "resident_id": case.resident_id,
        "subject": case.subject,
        "description": case.description,
        "feedback_channel": case.feedback_channel,
        "created_at": case.created_at,
        "due_at": case.due_at,
        "sla_paused_at": case.sla_paused_at,
        "closed_at": case.closed_at,
        "resolution": case.resolution,
        "sla_met": case.sla_met,
    }


def event_out(event: CaseEvent) -> dict[str, object]:
    return {
        "kind": event.kind,
        "at": event.at,
        "by": event.by.username if event.by else None,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "body": event.body,
        "channel": event.channel,
        "delivery": event.delivery,
    }


def case_type_by_code(code: str | None, field: str = "case_type") -> CaseType | None:
    """The case type an API caller names by code; an unknown code is a field error."""
    if code is None:
        return None
    found = CaseType.objects.select_related("department").filter(code=code).first()
    if found is None:
        raise ValidationError(
            {field: [_("No case type has the code “%(code)s”.") % {"code": code}]}
        )
    return found


def department_by_code(code: str | None) -> Department | None:
    if code is None:
        return None
    found = Department.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(
            {"department": [_("No department has the code “%(code)s”.") % {"code": code}]}
        )
    return found


def resident_by_id(request: StaffApiRequest, resident_id: int | None) -> Resident | None:
    if resident_id is None:
        return None
    try:
        return resident_get(user=request.user, resident_id=resident_id)
    except Http404:
        raise ValidationError({"resident_id": [_("No such resident.")]}) from None


def page_of[T](items: list[T], limit: int, offset: int) -> tuple[list[T], int | None]:
    more = len(items) > limit
    return items[:limit], (offset + limit if more else None)


@case_router.post("", response={201: CaseOut, **ERRORS}, summary="Open a case")
def case_create(request: StaffApiRequest, payload: CaseIn) -> tuple[int, dict[str, object]]:
    if not may_log_contacts(request.user):
        raise PermissionDenied(_("You may not open cases."))
    case_type = case_type_by_code(payload.case_type)
    assert case_type is not None
    draft = services.CaseDraft(
        case_type=case_type,
        subject=payload.subject,
        description=payload.description,
        resident=resident_by_id(request, payload.resident_id),
        priority=payload.priority,
        feedback_channel=payload.feedback_channel or "",
        department=department_by_code(payload.department),
    )
    case = services.case_create(draft=draft, by=request.user)
    return 201, case_out(case)


class CaseQuery(InputSchema):
    status: (
        Annotated[
            str,
            Field(
                max_length=100,
                pattern=STATUS_LIST_PATTERN,
                description="Comma-separated statuses",
            ),
        ]
        | None
    ) = None
    case_type: Code | None = None
    department: Code | None = None
    handler: Annotated[str, Field(max_length=150)] | None = None
    resident_id: RowId | None = None
    due_before: ApiDatetime | None = None
    due_after: ApiDatetime | None = None
    overdue: bool = False
    q: Annotated[str, Field(max_length=200, description="Words or a case reference")] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


@case_router.get("", response={200: CasePage, **ERRORS}, summary="Search and filter cases")
def case_list(request: StaffApiRequest, filters: Query[CaseQuery]) -> dict[str, object]:
    statuses = (
        [s.strip() for s in filters.status.split(",") if s.strip()] if filters.status else None
    )
    if statuses:
        unknown = [s for s in statuses if s not in {status.value for status in CaseStatus}]
        if unknown:
            raise ValidationError(
                {"status": [_("Unknown status: %(s)s.") % {"s": ", ".join(unknown)}]}
            )
    handler_id = None
    if filters.handler:
        handler_id = (
            User.objects.filter(username=filters.handler).values_list("pk", flat=True).first() or -1
        )
    cases = selectors.case_search(
        user=request.user,
        filters=selectors.CaseFilter(
            status=statuses,
            case_type=filters.case_type,
            department=filters.department,
            handler_id=handler_id,
            resident_id=filters.resident_id,
            due_before=filters.due_before,
            due_after=filters.due_after,
            overdue_at=timezone.now() if filters.overdue else None,
            text=filters.q,
        ),
    )
    rows = list(cases[filters.offset : filters.offset + filters.limit + 1])
    rows, next_offset = page_of(rows, filters.limit, filters.offset)
    return {"results": [case_out(c) for c in rows], "next_offset": next_offset}


@case_router.get(
    "/{reference}", response={200: CaseDetailOut, **ERRORS}, summary="Read a case with its timeline"
)
def case_detail(request: StaffApiRequest, reference: str) -> dict[str, object]:
    case = selectors.case_get(user=request.user, reference=reference[:40])
    return {**case_out(case), "events": [event_out(e) for e in selectors.case_timeline(case=case)]}


@case_router.post(
    "/{reference}/notes", response={201: EventOut, **ERRORS}, summary="Add an internal note"
)
def case_note(
    request: StaffApiRequest, reference: str, payload: NoteIn
) -> tuple[int, dict[str, object]]:
    case = selectors.case_get(user=request.user, reference=reference[:40])
    return 201, event_out(services.case_add_note(case=case, body=payload.body, by=request.user))


@case_router.post(
    "/{reference}/messages", response={201: EventOut, **ERRORS}, summary="Add a message"
)
def case_message(
    request: StaffApiRequest, reference: str, payload: MessageIn
) -> tuple[int, dict[str, object]]:
    """A message to (`out`) or from (`in`) the resident; one from a waiting resident reopens."""
    case = selectors.case_get(user=request.user, reference=reference[:40])
    event = services.case_add_message(
        case=case,
        body=payload.body,
        direction=payload.direction,
        channel=payload.channel,
        by=request.user,
    )
    return 201, event_out(event)


@case_router.post(
    "/{reference}/status", response={200: CaseOut, **ERRORS}, summary="Change the status"
)
def case_status(request: StaffApiRequest, reference: str, payload: StatusIn) -> dict[str, object]:
    """Move along the transition table; `closed` needs a `resolution`."""
    case = selectors.case_get(user=request.user, reference=reference[:40])
    case = services.case_change_status(
        case=case,
        to_status=payload.status,
        by=request.user,
        note=payload.note,
        resolution=payload.resolution,
    )
    return case_out(selectors.case_get(user=request.user, reference=case.reference))


@case_router.post(
    "/{reference}/forward", response={200: CaseOut, **ERRORS}, summary="Forward to a department"
)
def case_forward(request: StaffApiRequest, reference: str, payload: ForwardIn) -> dict[str, object]:
    case = selectors.case_get(user=request.user, reference=reference[:40])
    department = department_by_code(payload.department)
    assert department is not None
    services.case_forward(case=case, department=department, by=request.user, note=payload.note)
    return case_out(
        get_object_or_404(
            Case.objects.select_related("case_type", "department", "handler"), pk=case.pk
        )
    )


@meta_router.get(
    "/case-types", response={200: list[CaseTypeOut], **ERRORS}, summary="Active case types"
)
def case_type_list(request: StaffApiRequest) -> list[dict[str, object]]:
    return [
        {
            "code": t.code,
            "name": t.name,
            "department": t.department.code,
            "first_line_may_close": t.first_line_may_close,
            "response_time_hours": t.response_time.total_seconds() / 3600,
            "routine": t.routine,
        }
        for t in selectors.case_types_active()
    ]


class DepartmentRow(TypedDict):
    code: str
    name: str


@meta_router.get(
    "/departments", response={200: list[DepartmentOut], **ERRORS}, summary="Departments"
)
def department_list(request: StaffApiRequest) -> list[DepartmentRow]:
    return list(Department.objects.filter(active=True).values("code", "name"))
