"""API handlers for residents."""

from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from kontakt.web.api import StaffApiRequest
from kontakt.web.schemas import ERRORS, InputSchema

from . import selectors, services
from .models import Resident

router = Router(tags=["residents"])


class ResidentIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    # Not only spaces.
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S[^\x00]*$")]
    kind: Literal["person", "organisation"] = "person"
    identity_number: Annotated[str, Field(max_length=20)] = ""
    phones: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=10)] = []
    emails: Annotated[list[Annotated[str, Field(max_length=254)]], Field(max_length=10)] = []
    street_address: Annotated[str, Field(max_length=200)] = ""
    postal_code: Annotated[str, Field(max_length=20)] = ""
    city: Annotated[str, Field(max_length=100)] = ""
    preferred_language: Annotated[
        str,
        Field(
            max_length=10,
            description="One of the languages residents may prefer (KONTAKT_RESIDENT_LANGUAGES).",
            json_schema_extra={"enum": services.preferred_languages()},
        ),
    ] = "sv"
    preferred_channel: Literal["phone", "email", "sms", "letter", "my_pages"] = "phone"

    @field_validator("preferred_language")
    @classmethod
    def _a_language_of_the_center(cls, value: str) -> str:
        choices = services.preferred_languages()
        if value not in choices:
            raise PydanticCustomError(
                "language_choice",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)},
            )
        return value


class ResidentOut(Schema):
    id: int
    name: str
    kind: str
    identity_number: str = Field(description="Masked unless the caller's role may see it")
    phones: list[str]
    emails: list[str]
    street_address: str
    postal_code: str
    city: str
    preferred_language: str
    preferred_channel: str


class ResidentQuery(InputSchema):
    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, Field(min_length=1, max_length=200)]


def resident_out(request: StaffApiRequest, resident: Resident) -> dict[str, object]:
    return {
        "id": resident.pk,
        "name": resident.name,
        "kind": resident.kind,
        "identity_number": selectors.identity_number_shown(user=request.user, resident=resident),
        "phones": [p.number for p in resident.phones.all()],
        "emails": [e.address for e in resident.emails.all()],
        "street_address": resident.street_address,
        "postal_code": resident.postal_code,
        "city": resident.city,
        "preferred_language": resident.preferred_language,
        "preferred_channel": resident.preferred_channel,
    }


@router.post("", response={201: ResidentOut, **ERRORS}, summary="Register a resident")
def resident_create(request: StaffApiRequest, payload: ResidentIn) -> tuple[int, dict[str, object]]:
    resident = services.resident_create(
        draft=services.ResidentDraft(**payload.dict()), by=request.user
    )
    return 201, resident_out(request, resident)


@router.get("", response={200: list[ResidentOut], **ERRORS}, summary="Find residents")
def resident_list(
    request: StaffApiRequest, filters: Query[ResidentQuery]
) -> list[dict[str, object]]:
    """By name, phone number, e-mail address or identity number."""
    found = selectors.resident_find(user=request.user, query=filters.q)
    return [resident_out(request, r) for r in found]


@router.post(
    "/search", response={200: list[ResidentOut], **ERRORS}, summary="Find residents (posted)"
)
def resident_search(request: StaffApiRequest, payload: ResidentQuery) -> list[dict[str, object]]:
    """As `GET /residents`, with what is searched for in the body: an identity number
    stays out of URLs and so out of access logs."""
    found = selectors.resident_find(user=request.user, query=payload.q)
    return [resident_out(request, r) for r in found]


@router.get("/{resident_id}", response={200: ResidentOut, **ERRORS}, summary="Read a resident")
def resident_detail(
    request: StaffApiRequest, resident_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
) -> dict[str, object]:
    resident = selectors.resident_get(user=request.user, resident_id=resident_id)
    services.resident_access_log(resident=resident, user=request.user, what="api")
    return resident_out(request, resident)
