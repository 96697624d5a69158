"""API of the directory: what the exchange asks before it rings a direct number.

The router is mounted in `kontakt.urls` with the exchange's token beside staff tokens (the
exchange's authentication lives in telephony, a layer above the directory).
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator

from kontakt.web.schemas import ERRORS, InputSchema, storable_text

from .selectors import (
    availability_message,
    employee_by_direct_number,
    phone_number_e164,
    reachability,
)

router = Router(tags=["directory"])

LANGUAGES = ("sv", "nb", "en")


def _storable(value: str) -> str:
    storable_text(value)
    return value


class AvailabilityQuery(InputSchema):
    language: Literal["sv", "nb", "en"] | None = Field(
        None,
        description="The caller's language, where the exchange knows it; else the center's.",
    )


class EmployeeOut(Schema):
    id: int
    name: str
    unit: str = Field(description="The unit's name, or empty.")


class SubstituteOut(Schema):
    id: int
    name: str
    number: str = Field(description="The substitute's direct number (E.164), or empty.")


class AvailabilityOut(Schema):
    number: str = Field(description="The number asked about, in E.164.")
    employee: EmployeeOut
    ring: bool = Field(description="Whether to ring the person now.")
    state: Literal["available", "on_call", "dnd", "absent", "left"]
    until: datetime | None = Field(description="When an absence ends.")
    reason: str = Field(description="Why absent: away, meeting, leave, travel, course, …")
    message: str = Field(
        description="What to play to the caller before falling back (empty: just ring)."
    )
    language: Literal["sv", "nb", "en"]
    substitute: SubstituteOut | None = Field(description="Who answers instead while absent.")
    fallback: str = Field(description="The switchboard's number, to fall back to.")


EXAMPLE = {
    "number": "+46406281234",
    "employee": {"id": 42, "name": "Anna Berg", "unit": "Bygglov"},
    "ring": False,
    "state": "absent",
    "until": "2026-12-14T00:00:00+01:00",
    "reason": "leave",
    "message": "Anna Berg är borta till måndag 14 december. Tryck 0 för växeln.",
    "language": "sv",
    "substitute": {"id": 43, "name": "Per Holm", "number": "+46406281235"},
    "fallback": "+46406280400",
}


def _default_language() -> str:
    code = settings.LANGUAGE_CODE.split("-")[0]
    return code if code in LANGUAGES else "sv"


@router.get(
    "/numbers/{number}/availability",
    response={200: AvailabilityOut, **ERRORS},
    summary="Whether to ring a direct number now, and what to play if not",
    openapi_extra={
        "responses": {
            "200": {
                "description": "OK",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/AvailabilityOut"},
                        "example": EXAMPLE,
                    }
                },
            }
        }
    },
)
def number_availability(
    request: Any,
    number: Annotated[str, Path(..., max_length=40), AfterValidator(_storable)],
    query: Query[AvailabilityQuery],
) -> dict[str, object]:
    """Asked by the exchange before it rings an employee's direct number (in any
    formatting): whether to ring, the absence message to play in the caller's language, the
    substitute, and the switchboard's number to fall back to. An unknown number is 404."""
    e164 = phone_number_e164(number)
    employee = employee_by_direct_number(e164) if e164 else None
    if employee is None:
        raise HttpError(404, _("No one in the directory has this direct number."))
    now = timezone.now()
    found = reachability(employee, at=now)
    language = query.language or _default_language()
    substitute = found.substitute
    return {
        "number": e164,
        "employee": {
            "id": employee.pk,
            "name": employee.display_name,
            "unit": employee.unit.name if employee.unit is not None else "",
        },
        "ring": found.reachable,
        "state": found.state,
        "until": found.until,
        "reason": found.reason,
        "message": availability_message(employee, found, language=language, now=now),
        "language": language,
        "substitute": (
            None
            if substitute is None
            else {
                "id": substitute.pk,
                "name": substitute.display_name,
                "number": substitute.direct_number,
            }
        ),
        "fallback": settings.KONTAKT["SWITCHBOARD"]["NUMBER"],
    }
