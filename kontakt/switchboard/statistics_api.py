"""API of the switchboard's statistics: transfers, direct calls and messages of a period."""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from kontakt.directory.models import Department, Unit
from kontakt.web.api import StaffApiRequest
from kontakt.web.schemas import ERRORS, ApiDatetime, InputSchema

from . import selectors

stats_router = Router(tags=["statistics"])


class SwitchboardQuery(InputSchema):
    start: ApiDatetime
    end: ApiDatetime
    department: Annotated[str, Field(max_length=40)] | None = Field(
        None, description="A department's code; a department contact gets their own without."
    )
    unit: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = Field(
        None, description="A unit's id."
    )


class SwitchboardOut(Schema):
    start: datetime
    end: datetime
    department: str | None
    unit: int | None
    transfers: int = Field(description="Transfers to a person started in the period.")
    transfers_answered: int
    returned_no_answer: int = Field(description="Came back unanswered after the ring time.")
    returned_busy: int
    transferred_to_absent: int = Field(
        description="Came back because the person was absent, or went to someone marked absent."
    )
    direct_calls: int = Field(description="Calls to a person's direct number.")
    direct_reached: int
    direct_fallback_no_answer: int
    direct_fallback_busy: int
    direct_fallback_absent: int
    messages_taken: int
    messages_done_within_day: int = Field(description="Marked done within 24 hours.")


@stats_router.get(
    "/switchboard",
    response={200: SwitchboardOut, **ERRORS},
    summary="The switchboard's figures of a period",
)
def stats_switchboard(
    request: StaffApiRequest, filters: Query[SwitchboardQuery]
) -> dict[str, object]:
    """Transfers (answered, returned unanswered or busy, to someone absent), calls to
    direct numbers (reached, fallen back to the center by reason) and messages (taken,
    done within 24 hours) in [start, end): of the center, one department or one unit.
    Supervisors and administrators see any; a department contact their own department."""
    department = None
    if filters.department is not None:
        department = Department.objects.filter(code=filters.department).first()
        if department is None:
            raise ValidationError(
                {
                    "department": [
                        _("No department has the code “%(code)s”.") % {"code": filters.department}
                    ]
                }
            )
    unit = None
    if filters.unit is not None:
        unit = Unit.objects.filter(pk=filters.unit).select_related("department").first()
        if unit is None:
            raise ValidationError({"unit": [_("No such unit.")]})
    report = selectors.switchboard_statistics(
        request.auth, start=filters.start, end=filters.end, department=department, unit=unit
    )
    figures = report.total.as_dict()
    del figures["wrong_transfers"]
    return {
        "start": filters.start,
        "end": filters.end,
        "department": report.department.code if report.department else None,
        "unit": report.unit.pk if report.unit else None,
        **figures,
    }
