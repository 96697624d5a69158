"""API of telephony: what an exchange posts (call events, the generic CTI webhook, agents'
states), what it asks (the IVR menu of a number, whom to ring), and the live and historical
service level for supervisors and reports.

An exchange authenticates with its own token (`kontakt exchange_create NAME`), which opens
these endpoints and nothing else; an administrator's API token opens them too.
"""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    StrictStr,
    TypeAdapter,
)
from pydantic import ValidationError as PydanticValidationError

from kontakt.accounts.models import User
from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.call_events import EventType, TransferReason
from kontakt.core.generic_cti import CtiError, cti_events
from kontakt.directory.models import AnswerGroup
from kontakt.web.api import StaffApiRequest, TokenAuth, parse_json_body
from kontakt.web.schemas import (
    ERRORS,
    ApiDatetime,
    ErrorOut,
    InputSchema,
    documented,
    storable_text,
)

from . import selectors, services
from .models import (
    MAX_EXTERNAL_ID,
    EventSource,
    Exchange,
    QueuedContact,
    external_id,
    looks_scoped,
    scoped_id,
)

router = Router(tags=["telephony"])
routing_router = Router(tags=["telephony"])
agents_router = Router(tags=["telephony"])
stats_router = Router(tags=["statistics"])

MAX_BATCH = 1000


def _storable(value: str) -> str:
    storable_text(value)
    return value


def PathText(max_length: int) -> Any:
    """A text path parameter: at most `max_length` characters, none the databases refuse."""
    return Annotated[str, Path(..., max_length=max_length), AfterValidator(_storable)]


class ExchangeAuth(HttpBearer):
    """A telephone exchange's bearer token (create one with `kontakt exchange_create`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Exchange | None:
        if not token.startswith("kx_") or len(token) > 200:
            return None
        return exchange_by_key(token)


def exchange_by_key(key: str) -> Exchange | None:
    return Exchange.objects.filter(key_hash=Exchange.hash_key(key), revoked_at__isnull=True).first()


class ExchangeApiRequest(HttpRequest):
    """The request of a handler behind `_exchange_auth()`: `auth` is the exchange, or the
    staff user of an API token."""

    auth: Exchange | User


def _feeder(request: ExchangeApiRequest) -> Exchange | None:
    return selectors.require_feeder(request.auth)


def _exchange_auth() -> list[Any]:
    return [ExchangeAuth(), TokenAuth()]


def exchange_operation(schema: str, description: str = "OK", **example: Any) -> dict[str, Any]:
    """openapi_extra of an operation: an example (`example=`) or named examples (`examples=`)
    of its 200 answer. (Its security follows from its auth.)"""
    content = {"schema": {"$ref": f"#/components/schemas/{schema}"}, **example}
    return {
        "responses": {
            "200": {"description": description, "content": {"application/json": content}}
        },
    }


# Call events ------------------------------------------------------------------------------


# Transfers and direct calls name the person's number; a return or a fallback says why.
TARGETED_TYPES = frozenset(
    {
        EventType.TRANSFER_STARTED,
        EventType.TRANSFER_ANSWERED,
        EventType.TRANSFER_RETURNED,
        EventType.DIRECT_OFFERED,
        EventType.DIRECT_ANSWERED,
        EventType.DIRECT_FALLBACK,
    }
)
REASONED_TYPES = frozenset({EventType.TRANSFER_RETURNED, EventType.DIRECT_FALLBACK})


def _event_rules() -> dict[str, Any]:
    """The rules across an event's fields, as JSON Schema (the handler checks them too)."""
    targeted = sorted(t.value for t in TARGETED_TYPES)
    reasoned = sorted(t.value for t in REASONED_TYPES)
    return {
        "allOf": [
            {
                "if": {"properties": {"type": {"enum": targeted}}, "required": ["type"]},
                "then": {"properties": {"target": {"pattern": r"\S"}}, "required": ["target"]},
            },
            {
                "if": {"properties": {"type": {"enum": reasoned}}, "required": ["type"]},
                "then": {
                    "properties": {"reason": {"enum": [r.value for r in TransferReason]}},
                    "required": ["reason"],
                },
                "else": {"properties": {"reason": {"const": ""}}},
            },
        ]
    }


class EventIn(InputSchema):
    model_config = ConfigDict(extra="forbid", json_schema_extra=documented(**_event_rules()))

    event_id: Annotated[str, Field(min_length=1, max_length=MAX_EXTERNAL_ID)] = Field(
        description=(
            "Unique per event within the exchange: the same id with the same data changes "
            "nothing; with other data it is refused (409)."
        )
    )
    call_id: Annotated[str, Field(min_length=1, max_length=MAX_EXTERNAL_ID)] = Field(
        description="The exchange's id of the call; each exchange has its own call ids."
    )
    type: EventType
    at: ApiDatetime = Field(description="When it happened, ISO 8601 with its UTC offset.")
    number: Annotated[str, Field(max_length=40)] = Field("", description="The number dialled.")
    caller: Annotated[str, Field(max_length=40)] = ""
    answer_group: Annotated[str, Field(max_length=40)] = Field(
        "", description="Code of the answer group; else found from number and digit."
    )
    agent: Annotated[str, Field(max_length=150)] = Field(
        "", description="The agent's username or phone extension."
    )
    digit: Annotated[str, Field(pattern=r"^[0-9*#]?$")] = Field(
        "", description="The tone choice made in the IVR menu."
    )
    target: Annotated[str, Field(max_length=40)] = Field(
        "",
        description=(
            "The person's number a transfer or a direct call rings; required for "
            "transfer_started, transfer_answered, transfer_returned, direct_offered, "
            "direct_answered and direct_fallback."
        ),
    )
    reason: Literal["", "no_answer", "busy", "absent"] = Field(
        "",
        description=(
            "Why a transfer came back or a direct call fell back to the center: required "
            "for transfer_returned and direct_fallback, refused on other types."
        ),
    )


class BatchIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    events: Annotated[list[EventIn], Field(min_length=1, max_length=MAX_BATCH)]


class RecordedOut(Schema):
    accepted: int = Field(description="Events stored now.")
    duplicates: int = Field(
        description="Events already stored (same event_id, same data): unchanged."
    )


EVENT_EXAMPLE = {
    "event_id": "pbx1-7f3a-0003",
    "call_id": "pbx1-7f3a",
    "type": "answered",
    "at": "2026-03-02T09:15:41+01:00",
    "number": "+46406280400",
    "caller": "+46701234567",
    "answer_group": "avfall",
    "agent": "agent1",
    "digit": "1",
}
BATCH_EXAMPLE = {
    "events": [
        {
            **EVENT_EXAMPLE,
            "event_id": "pbx1-7f3a-0001",
            "type": "offered",
            "agent": "",
            "at": "2026-03-02T09:15:02+01:00",
        },
        {
            **EVENT_EXAMPLE,
            "event_id": "pbx1-7f3a-0002",
            "type": "queued",
            "agent": "",
            "at": "2026-03-02T09:15:20+01:00",
        },
        EVENT_EXAMPLE,
    ]
}

TRANSFER_EXAMPLE = {
    "events": [
        {
            "event_id": "pbx1-8c2d-0004",
            "call_id": "pbx1-8c2d",
            "type": "transfer_started",
            "at": "2026-03-02T09:20:05+01:00",
            "target": "+46406281234",
        },
        {
            "event_id": "pbx1-8c2d-0005",
            "call_id": "pbx1-8c2d",
            "type": "transfer_returned",
            "at": "2026-03-02T09:20:25+01:00",
            "target": "+46406281234",
            "reason": "no_answer",
        },
    ]
}


def inline_schema(model: type[Schema]) -> dict[str, Any]:
    """A model's JSON Schema with its definitions in place, for a hand-written body."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


_single = TypeAdapter(EventIn)
_batch = TypeAdapter(BatchIn)


def _parse_events(body: bytes) -> list[EventIn]:
    """One event, a list of events, or {"events": [...]}; errors point at the field."""
    data = parse_json_body(body or b"null")
    try:
        if isinstance(data, list):
            data = {"events": data}
        if isinstance(data, dict) and "events" in data:
            return _batch.validate_python(data).events
        return [_single.validate_python(data)]
    except PydanticValidationError as error:
        raise SchemaValidationError(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in error.errors()]
        ) from None


def _core_events(items: list[EventIn], exchange: Exchange | None) -> list[CoreEvent]:
    groups = set(AnswerGroup.objects.values_list("code", flat=True))
    menu: dict[tuple[str, str], str] = {}  # (number, digit) -> group, once per request
    errors: dict[str, list[str]] = {}
    events = []
    for index, item in enumerate(items):
        group = item.answer_group
        if group and group not in groups:
            errors[f"events.{index}.answer_group"] = [
                _("No answer group has the code “%(code)s”.") % {"code": group}
            ]
            continue
        if not group and item.number and item.type == EventType.QUEUED:
            key = (item.number, item.digit)
            if key not in menu:
                found = selectors.answer_group_for(number=item.number, digit=item.digit)
                menu[key] = found.code if found else ""
            group = menu[key]
        local = exchange is None
        for name in ("event_id", "call_id"):
            if local and looks_scoped(getattr(item, name)):
                errors[f"events.{index}.{name}"] = [
                    _("An id “N|…” belongs to exchange N: post it with that exchange's token.")
                ]
        errors.update(_field_rules(item, index))
        if errors:
            continue
        events.append(
            CoreEvent(
                event_id=scoped_id(exchange, item.event_id),
                call_id=scoped_id(exchange, item.call_id),
                type=item.type,
                at=item.at.astimezone(UTC),
                number=item.number,
                caller=item.caller,
                answer_group=group,
                agent=item.agent,
                digit=item.digit,
                target=item.target,
                reason=item.reason,
            )
        )
    if errors:
        if len(items) == 1:
            errors = {k.split(".", 2)[2]: v for k, v in errors.items()}
        raise ValidationError(errors)
    return events


def _field_rules(item: EventIn, index: int) -> dict[str, list[str]]:
    """The rules across one event's fields: a target where a person is rung, a reason where
    a call came back and nowhere else."""
    errors: dict[str, list[str]] = {}
    if item.type in TARGETED_TYPES and not item.target.strip():
        errors[f"events.{index}.target"] = [
            _("A %(type)s event needs the target: the number rung.") % {"type": item.type.value}
        ]
    if item.type in REASONED_TYPES and not item.reason:
        errors[f"events.{index}.reason"] = [
            _("A %(type)s event needs a reason: no_answer, busy or absent.")
            % {"type": item.type.value}
        ]
    elif item.type not in REASONED_TYPES and item.reason:
        errors[f"events.{index}.reason"] = [
            _("Only transfer_returned and direct_fallback events have a reason.")
        ]
    return errors


def _conflict(event_ids: list[str], exchange: Exchange | None) -> tuple[int, dict[str, object]]:
    shown = [external_id(exchange, event_id) for event_id in event_ids]
    return 409, {
        "message": _(
            "An event id was stored before with other data: nothing of this request is stored."
        ),
        "errors": {"event_id": [", ".join(shown)]},
    }


@router.post(
    "/events",
    response={200: RecordedOut, 409: ErrorOut, **ERRORS},
    auth=_exchange_auth(),
    summary="Post call events",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            inline_schema(EventIn),
                            {"type": "array", "items": inline_schema(EventIn)},
                            inline_schema(BatchIn),
                        ]
                    },
                    "examples": {
                        "one event": {"value": EVENT_EXAMPLE},
                        "a batch": {"value": BATCH_EXAMPLE},
                        "a transfer that came back": {"value": TRANSFER_EXAMPLE},
                    },
                }
            },
        },
        **exchange_operation(
            "RecordedOut",
            "Stored (or known already) before this answer.",
            example={"accepted": 3, "duplicates": 0},
        ),
    },
)
def telephony_events(request: ExchangeApiRequest) -> Any:
    """What happened on calls: `offered` (the call reached the center), `queued` (it entered
    an answer group's queue), `ringing`, `answered`, `abandoned` (the caller hung up),
    `ended`, `callback_requested`; the switchboard's transfers to a person
    (`transfer_started`, then `transfer_answered` or `transfer_returned` with its `reason`:
    `no_answer`, `busy` or `absent`; the older `transferred` counts as a start) and calls to
    a person's direct number (`direct_offered`, then `direct_answered` or `direct_fallback`
    to the center with its `reason`). These six name the person's number in `target`.

    Post one event, a list, or `{"events": [...]}` (up to 1,000). Every event is stored
    before the answer; an `event_id` seen before with the same data changes nothing and
    still answers 200, so an exchange may resend whatever it is unsure of; seen before with
    other data it is refused with 409 and nothing of the request is stored. Each exchange
    has its own call ids and event ids: another exchange's call of the same id is another
    call. Events may come in any order: each call is rebuilt from all its events. One
    invalid event refuses the whole batch, with the field named (`events.3.at`), and
    nothing of it is stored."""
    exchange = _feeder(request)
    events = _core_events(_parse_events(request.body), exchange)
    recorded = services.call_events_record(events=events, exchange=exchange)
    if recorded.conflicts:
        return _conflict(recorded.conflicts, exchange)
    return {"accepted": recorded.accepted, "duplicates": recorded.duplicates}


# The generic CTI webhook --------------------------------------------------------------------


class CtiOut(Schema):
    accepted: int
    ignored: str = ""


def _one_text(value: object) -> object:
    # A form field given twice counts by its last value (the core's rule for all but user).
    return value[-1] if isinstance(value, list) and value and _all_text(value) else value


def _all_text(values: list[object]) -> bool:
    return all(isinstance(v, str) for v in values)


def _text_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _cti_text(max_length: int) -> Any:
    return Annotated[StrictStr, Field(max_length=max_length), BeforeValidator(_one_text)]


CtiUser = Annotated[StrictStr, Field(max_length=150)]


class CtiIn(InputSchema):
    """The webhook's fields, checked for type, length and storable text before anything
    else; fields the webhook does not know are ignored, as Zammad does."""

    model_config = ConfigDict(extra="ignore", populate_by_name=False)

    event: _cti_text(20) = ""  # type: ignore[valid-type]
    callId: _cti_text(MAX_EXTERNAL_ID) = ""  # type: ignore[valid-type]
    from_: _cti_text(40) = Field("", alias="from")  # type: ignore[valid-type]
    to: _cti_text(40) = ""  # type: ignore[valid-type]
    direction: _cti_text(10) = ""  # type: ignore[valid-type]
    user: Annotated[list[CtiUser], BeforeValidator(_text_list), Field(max_length=50)] = []
    user_list: Annotated[
        list[CtiUser], BeforeValidator(_text_list), Field(max_length=50, alias="user[]")
    ] = []
    answeringNumber: _cti_text(150) = ""  # type: ignore[valid-type]
    cause: _cti_text(40) = ""  # type: ignore[valid-type]
    queue: _cti_text(40) = ""  # type: ignore[valid-type]

    def fields(self) -> dict[str, str | list[str]]:
        """The fields as the core's `cti_events` reads them."""
        return {k: v for k, v in self.model_dump(by_alias=True).items() if v not in ("", [])}


_cti_adapter = TypeAdapter(CtiIn)


@router.post(
    "/cti/{token}",
    response={200: CtiOut, 409: ErrorOut, **ERRORS},
    auth=None,
    summary="Generic CTI webhook (newCall, answer, hangup)",
    openapi_extra={
        # No header: the exchange's token is part of the URL, as PBX vendors configure it.
        "security": [{}],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "event": {"type": "string", "enum": ["newCall", "answer", "hangup"]},
                            "callId": {"type": "string", "maxLength": MAX_EXTERNAL_ID},
                            "from": {"type": "string", "maxLength": 40},
                            "to": {"type": "string", "maxLength": 40},
                            "direction": {"type": "string", "enum": ["in", "out"]},
                            "user": {"type": "string", "maxLength": 150},
                            "answeringNumber": {"type": "string", "maxLength": 150},
                            "cause": {"type": "string", "maxLength": 40},
                            "queue": {"type": "string", "maxLength": 40},
                        },
                        "required": ["event", "callId"],
                    },
                    "example": {
                        "event": "newCall",
                        "from": "46701234567",
                        "to": "46406280400",
                        "direction": "in",
                        "callId": "e1f0c3",
                    },
                },
                "application/json": {"schema": {"type": "object"}},
            },
        },
    },
)
def telephony_cti(
    request: HttpRequest,
    token: PathText(200),  # type: ignore[valid-type]
) -> Any:
    """The webhook PBX vendors already speak for Zammad's generic CTI: configure
    `…/api/v1/telephony/cti/<exchange token>` as the URL. A new inbound call is queued in
    the answer group of the dialled number (no tone choice is known here). Every field is a
    text (`callId` at most 90 characters, `from` and `to` 40, `user` and `answeringNumber`
    150); a wrong type, an over-long value or a NUL character is refused with 400. The
    call ids are the exchange's own: another exchange's call of the same id is another
    call."""
    exchange = exchange_by_key(token) if token.startswith("kx_") else None
    if exchange is None:
        raise AuthenticationError
    if request.content_type == "application/json":
        fields = parse_json_body(request.body or b"{}")
        if not isinstance(fields, dict):
            raise ValidationError({"__all__": [_("Give a JSON object.")]})
    else:
        fields = {k: v if len(v) > 1 else v[0] for k, v in request.POST.lists()}
    try:
        checked = _cti_adapter.validate_python(fields).fields()
    except PydanticValidationError as error:
        raise SchemaValidationError(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in error.errors()]
        ) from None
    dialled = str(checked.get("to", ""))
    group = selectors.answer_group_for(number=dialled, digit="") if dialled else None
    try:
        result = cti_events(checked, at=timezone.now(), answer_group=group.code if group else "")
    except CtiError as error:
        raise ValidationError({k: [v] for k, v in error.errors.items()}) from None
    if not result.events:
        return {"accepted": 0, "ignored": result.ignored_reason}
    events = [
        replace(e, event_id=scoped_id(exchange, e.event_id), call_id=scoped_id(exchange, e.call_id))
        for e in result.events
    ]
    # The webhook's time is when it arrived: a resent request is the same event.
    recorded = services.call_events_record(
        events=events, source=EventSource.CTI, exchange=exchange, compare_time=False
    )
    if recorded.conflicts:
        return _conflict(recorded.conflicts, exchange)
    return {"accepted": recorded.accepted, "ignored": ""}


# IVR ----------------------------------------------------------------------------------------


class MenuOptionOut(Schema):
    digit: str
    label: str
    answer_group: str


class MenuOut(Schema):
    number: str
    name: str
    open: bool = Field(description="Whether the center is open now (opening hours, holidays).")
    crisis: bool = Field(description="Crisis mode: the greeting is the crisis message.")
    greeting: str = Field(description="What to play first.")
    closed_message: str
    options: list[MenuOptionOut] = Field(description="One level of tone choice; empty when closed.")
    default_answer_group: str = Field(description="Where to queue without a (valid) choice.")
    next_opening: datetime | None


@router.get(
    "/numbers/{number}/menu",
    response={200: MenuOut, **ERRORS},
    auth=_exchange_auth(),
    summary="The IVR menu of a number, now",
    openapi_extra=exchange_operation(
        "MenuOut",
        example={
            "number": "+46406280400",
            "name": "Kontaktcenter",
            "open": True,
            "crisis": False,
            "greeting": "Välkommen till Sjöstad kommun.",
            "closed_message": "",
            "options": [
                {
                    "digit": "1",
                    "label": "Avfall och vatten",
                    "answer_group": "avfall",
                },
                {"digit": "2", "label": "Bygglov", "answer_group": "bygg"},
            ],
            "default_answer_group": "vaxel",
            "next_opening": None,
        },
    ),
)
def telephony_menu(
    request: ExchangeApiRequest,
    number: PathText(40),  # type: ignore[valid-type]
) -> dict[str, object]:
    """The greeting (or the closed or crisis message) and the digits → answer groups."""
    _feeder(request)
    return selectors.ivr_menu(number=number)


# Routing --------------------------------------------------------------------------------------


class OfferIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    call_id: Annotated[str, Field(min_length=1, max_length=MAX_EXTERNAL_ID)] = Field(
        description="The exchange's id of the call, as in its events."
    )
    answer_group: Annotated[str, Field(max_length=40)] = Field(
        "", description="Code of the group; else found from number and digit."
    )
    number: Annotated[str, Field(max_length=40)] = ""
    digit: Annotated[str, Field(pattern=r"^[0-9]?$")] = ""
    language: Annotated[str, Field(max_length=10)] = Field(
        "", description="A language the caller asked for (ar, so, fi, …)."
    )
    caller: Annotated[str, Field(max_length=40)] = ""
    priority: Annotated[int, Field(ge=0, le=9)] = Field(1, description="Lower is more urgent.")


class AgentOut(Schema):
    username: str
    name: str
    phone: str


class OfferOut(Schema):
    action: Literal["ring", "queue"]
    agent: AgentOut | None
    estimated_wait_seconds: float
    position: int = Field(description="Place in the group's queue (0 when ringing).")
    offer_callback: bool = Field(description="The wait is long: offer the caller a callback.")


@routing_router.post(
    "/offers",
    response={200: OfferOut, **ERRORS},
    auth=_exchange_auth(),
    summary="Whom to ring for a waiting call",
    openapi_extra=exchange_operation(
        "OfferOut",
        examples={
            "ring": {
                "value": {
                    "action": "ring",
                    "agent": {
                        "username": "agent1",
                        "name": "Anna Berg",
                        "phone": "1001",
                    },
                    "estimated_wait_seconds": 0,
                    "position": 0,
                    "offer_callback": False,
                }
            },
            "queue": {
                "value": {
                    "action": "queue",
                    "agent": None,
                    "estimated_wait_seconds": 95.0,
                    "position": 4,
                    "offer_callback": True,
                }
            },
        },
    ),
)
def routing_offer(request: ExchangeApiRequest, payload: OfferIn) -> dict[str, object]:
    """Ask again whenever the answer was "queue" (every few seconds): the agent chosen has
    the group's skill (and the caller's language), the highest proficiency, and has been
    idle longest; a call that waited past an overflow step is offered to more groups. The
    agent is held for the ring time; the events `ringing`/`answered` confirm it."""
    exchange = _feeder(request)
    if exchange is None and looks_scoped(payload.call_id):
        raise ValidationError(
            {
                "call_id": [
                    _("An id “N|…” belongs to exchange N: post it with that exchange's token.")
                ]
            }
        )
    group = None
    if payload.answer_group:
        group = _group_by_code(payload.answer_group)
    elif payload.number:
        group = selectors.answer_group_for(number=payload.number, digit=payload.digit)
    if group is None:
        raise ValidationError(
            {"answer_group": [_("Give an answer group, or a number with a menu.")]}
        )
    answer = services.routing_decide(
        call_id=scoped_id(exchange, payload.call_id),
        answer_group=group,
        language=payload.language,
        priority=payload.priority,
    )
    agent = answer.agent
    return {
        "action": answer.action,
        "agent": {"username": agent.username, "name": str(agent), "phone": agent.phone}
        if agent
        else None,
        "estimated_wait_seconds": answer.estimated_wait_seconds,
        "position": answer.position,
        "offer_callback": answer.offer_callback,
    }


class QueuedIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["chat", "email"]
    reference: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The chat's or e-mail's id in its system: posting it again changes nothing."
    )
    answer_group: Annotated[str, Field(min_length=1, max_length=40)]
    subject: Annotated[str, Field(max_length=200)] = ""
    url: Annotated[str, Field(max_length=500)] = Field(
        "", description="Where the agent opens it (the chat window, the e-mail)."
    )
    sender: Annotated[str, Field(max_length=254)] = Field("", description="Address or number.")
    language: Annotated[str, Field(max_length=10)] = ""
    priority: Annotated[int, Field(ge=0, le=9)] = 1


class QueuedOut(Schema):
    channel: str
    reference: str
    state: str = Field(description="waiting, assigned, done or withdrawn.")
    agent: AgentOut | None
    queued_at: datetime
    assigned_at: datetime | None


class DoneIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    withdrawn: bool = Field(False, description="The resident left before an agent took it.")


def queued_out(queued: QueuedContact) -> dict[str, object]:
    agent = queued.agent
    return {
        "channel": queued.channel,
        "reference": queued.reference,
        "state": queued.state,
        "agent": {"username": agent.username, "name": str(agent), "phone": agent.phone}
        if agent
        else None,
        "queued_at": queued.queued_at,
        "assigned_at": queued.assigned_at,
    }


def _group_by_code(code: str, *, active_only: bool = True) -> AnswerGroup:
    """The answer group an API caller names by code; an unknown code is a field error."""
    groups = AnswerGroup.objects.filter(active=True) if active_only else AnswerGroup.objects
    group = groups.filter(code=code).first()
    if group is None:
        raise ValidationError(
            {"answer_group": [_("No answer group has the code “%(code)s”.") % {"code": code}]}
        )
    return group


@routing_router.post(
    "/contacts",
    response={200: QueuedOut, 201: QueuedOut, **ERRORS},
    auth=_exchange_auth(),
    summary="Queue a chat or an e-mail for an agent",
)
def routing_contact_add(
    request: ExchangeApiRequest, payload: QueuedIn
) -> tuple[int, dict[str, object]]:
    """Chats and e-mails are routed by the same rules as calls: the group's skill, the
    language, the most proficient and longest idle agent, with a capacity per channel (three
    chats, five e-mails at once; none beside a call). The agent's desktop is told at once;
    a contact nobody may take yet waits in its group's queue."""
    _feeder(request)
    queued, created = services.queued_contact_add(
        draft=services.WorkDraft(
            channel=payload.channel,
            reference=payload.reference,
            answer_group=_group_by_code(payload.answer_group),
            subject=payload.subject,
            url=payload.url,
            caller=payload.sender,
            language=payload.language,
            priority=payload.priority,
        )
    )
    return (201 if created else 200), queued_out(queued)


@routing_router.post(
    "/contacts/{channel}/{reference}/done",
    response={200: QueuedOut, **ERRORS},
    auth=_exchange_auth(),
    summary="A chat or an e-mail is done",
)
def routing_contact_done(
    request: ExchangeApiRequest,
    channel: Literal["chat", "email"],
    reference: PathText(100),  # type: ignore[valid-type]
    payload: DoneIn,
) -> dict[str, object]:
    """The agent closed it, or the resident left (`withdrawn`): the agent may take the next."""
    _feeder(request)
    queued = get_object_or_404(QueuedContact, channel=channel, reference=reference)
    return queued_out(services.queued_contact_done(queued=queued, withdrawn=payload.withdrawn))


# Agents' states ---------------------------------------------------------------------------


class StateIn(InputSchema):
    model_config = ConfigDict(
        extra="forbid",
        # A pause needs its reason (the service refuses one of only spaces).
        json_schema_extra=documented(
            **{
                "if": {"properties": {"state": {"const": "paused"}}, "required": ["state"]},
                "then": {"properties": {"reason": {"pattern": r"\S"}}, "required": ["reason"]},
            }
        ),
    )

    state: Literal["ready", "paused", "logged_out"]
    reason: Annotated[str, Field(max_length=100)] = Field("", description="Why paused.")


class StateOut(Schema):
    state: str
    label: str
    reason: str
    since: datetime | None = Field(description="Since when; none before the first state.")
    until: datetime | None = Field(description="When a wrap-up or a ringing offer ends.")
    call_id: str


def _user_named(username: str) -> User:
    return get_object_or_404(User, username=username, is_active=True)


@agents_router.get("/me/state", response={200: StateOut, **ERRORS}, summary="Your state")
def agent_state(request: StaffApiRequest) -> dict[str, object]:
    return selectors.presence_of(request.auth)


@agents_router.post("/me/state", response={200: StateOut, **ERRORS}, summary="Set your state")
def agent_state_set(request: StaffApiRequest, payload: StateIn) -> dict[str, object]:
    """Ready for calls, paused (with a reason) or logged out; busy, ringing and wrap-up
    follow from calls."""
    selectors.require_call_taker(request.auth)
    services.presence_change(
        agent=request.auth, state=payload.state, reason=payload.reason, by=request.auth
    )
    return selectors.presence_of(request.auth)


@agents_router.post(
    "/{username}/state",
    response={200: StateOut, **ERRORS},
    auth=_exchange_auth(),
    summary="Set an agent's state from the exchange",
)
def agent_state_from_exchange(
    request: ExchangeApiRequest,
    username: PathText(150),  # type: ignore[valid-type]
    payload: StateIn,
) -> dict[str, object]:
    """An agent logged in, paused or logged out on their phone."""
    _feeder(request)
    agent = _user_named(username)
    presence = services.presence_change(agent=agent, state=payload.state, reason=payload.reason)
    return selectors.presence_message(presence)


# Statistics -------------------------------------------------------------------------------


class FiguresOut(Schema):
    offered: int = Field(description="Calls that entered a queue, short abandons left out.")
    answered: int
    abandoned: int = Field(description="Hung up after waiting 5 s or more.")
    short_abandoned: int = Field(description="Hung up within 5 s: counted apart.")
    left_queue: int = Field(description="Left the queue unanswered (timeout, a key).")
    callbacks: int = Field(description="Asked to be called back; counted apart.")
    answer_rate: float | None
    asa_seconds: float | None = Field(description="Mean wait of answered calls.")
    service_level_20: float | None = Field(description="Answered within 20 s / offered.")
    service_level_30: float | None = Field(description="Answered within 30 s / offered.")
    service_level_20_of_answered: float | None = Field(
        description="Answered within 20 s / answered: the figure Asterisk and Wazo report."
    )
    service_level_30_of_answered: float | None


class GroupLiveOut(FiguresOut):
    code: str
    name: str
    waiting: int
    longest_wait_seconds: float
    agents: dict[str, int] = Field(description="Agents who can take the group, by state.")


class CenterLiveOut(FiguresOut):
    waiting: int
    longest_wait_seconds: float
    agents: dict[str, int]


class CrisisOut(Schema):
    on: bool
    message: str
    article: dict[str, Any] | None


class LiveOut(Schema):
    at: datetime
    groups: list[GroupLiveOut]
    center: CenterLiveOut
    crisis: CrisisOut


@stats_router.get("/live", response={200: LiveOut, **ERRORS}, summary="The queues now")
def stats_live(request: StaffApiRequest) -> dict[str, object]:
    """Per answer group: contacts waiting, the longest wait, agents by state, and today's
    offered, answered, abandoned, service level at 20 and 30 s and ASA."""
    return selectors.live_figures(request.auth)


class PeriodQuery(InputSchema):
    start: ApiDatetime
    end: ApiDatetime
    answer_group: Annotated[str, Field(max_length=40)] | None = None


class ServiceLevelOut(FiguresOut):
    start: datetime
    end: datetime
    answer_group: str | None


@stats_router.get(
    "/service-level", response={200: ServiceLevelOut, **ERRORS}, summary="Service level of a period"
)
def stats_service_level(request: StaffApiRequest, filters: Query[PeriodQuery]) -> dict[str, object]:
    """Calls queued in [start, end), all groups or one: offered, answered, abandoned, short
    abandons apart, service level over offered at 20 and 30 s (and, labelled, over answered)
    and ASA."""
    if filters.end <= filters.start:
        raise ValidationError({"end": [_("The end must come after the start.")]})
    group = None
    if filters.answer_group is not None:
        group = _group_by_code(filters.answer_group, active_only=False)
    figures = selectors.service_level_between(
        request.auth, start=filters.start, end=filters.end, group=group
    )
    return {
        "start": filters.start,
        "end": filters.end,
        "answer_group": group.code if group else None,
        **selectors.figures_json(figures, selectors.thresholds()),
    }
