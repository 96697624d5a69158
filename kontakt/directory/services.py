"""Writes of the directory: employees' entries, each change versioned with who made it, and
their absences."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.web.schemas import in_time_window, time_window_message

from .models import (
    Absence,
    AbsenceReason,
    Availability,
    Employee,
    EmployeeChangeSource,
    EmployeeVersion,
)
from .search import FUNCTIONS_CACHE_KEY, fold, index_employees
from .selectors import may_edit_absence

# The fields of an entry that a change may set, and that its versions record.
EMPLOYEE_FIELDS = (
    "external_id",
    "user_name",
    "given_name",
    "family_name",
    "display_name",
    "title",
    "unit_id",
    "direct_number",
    "mobile",
    "email",
    "languages",
    "keywords",
    "active",
    "user_id",
)


def employee_search_text(employee: Employee) -> str:
    """What search reads of an entry: name, title, unit and "ask me about", folded."""
    unit = employee.unit
    parts = [
        employee.display_name,
        employee.given_name,
        employee.family_name,
        employee.title,
        unit.name if unit is not None else "",
        employee.keywords,
    ]
    return fold(" ".join(part for part in parts if part))


def _value(employee: Employee, field: str) -> Any:
    return getattr(employee, field)


@transaction.atomic
def employee_save(
    *,
    employee: Employee | None,
    values: Mapping[str, Any],
    by: User | None,
    source: str = EmployeeChangeSource.MANUAL,
    now: datetime | None = None,
) -> tuple[Employee, dict[str, list[Any]]]:
    """Create an entry (employee None) or change one; return it and what changed.

    Unchanged values write nothing and record no version, so an import run twice is a no-op.
    Values must be valid already (the caller's form or schema checked them).
    """
    now = now or timezone.now()
    unknown = set(values) - set(EMPLOYEE_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of an employee's entry: {sorted(unknown)}")
    created = employee is None
    target = Employee() if employee is None else employee
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = None if created else _value(target, field)
        if created or old != new:
            setattr(target, field, new)
            changes[field] = [old, new]
    if not changes:
        return target, {}
    if "active" in changes:
        target.left_at = None if target.active else now
    target.search_text = employee_search_text(target)
    target.save()
    EmployeeVersion.objects.create(
        employee=target, at=now, by=by, source=source, changes=_jsonable(changes)
    )
    index_employees([target.pk])
    return target, changes


def employee_deactivate(
    *, employee: Employee, by: User | None, source: str, now: datetime | None = None
) -> Employee:
    """A leaver: kept with their name for history, never offered for calls again."""
    saved, _changes = employee_save(
        employee=employee, values={"active": False}, by=by, source=source, now=now
    )
    return saved


def _jsonable(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {
        field: [
            value if isinstance(value, str | int | float | bool | list | None) else str(value)
            for value in pair
        ]
        for field, pair in changes.items()
    }


def units_reindex(*, unit_ids: list[int]) -> None:
    """After units were renamed, moved or changed kind: their people's search words carry
    the unit's name again, and the shared functions are read afresh."""
    ids = list(
        Employee.objects.filter(unit_id__in=unit_ids, active=True).values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 1000):
        index_employees(ids[start : start + 1000])
    cache.delete(FUNCTIONS_CACHE_KEY)


# Absences ---------------------------------------------------------------------------------


def _absence_check_access(*, user: User, employee: Employee) -> None:
    if not may_edit_absence(user, employee):
        raise PermissionDenied(_("You may not change this person's absences."))


def _absence_check_from_feed(absence: Absence) -> None:
    if absence.feed_id is not None:
        raise ValidationError(
            _("This absence comes from a published calendar: change it in the calendar.")
        )


@transaction.atomic
def absence_create(
    *,
    employee: Employee,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = AbsenceReason.AWAY,
    note: str = "",
    substitute: Employee | None = None,
    by: User,
) -> Absence:
    """Enter an absence of `employee`: PermissionDenied unless `by` may (may_edit_absence),
    ValidationError with field messages when it ends before it starts, lies outside the time
    window, or names a substitute who has left or is the person themselves."""
    _absence_check_access(user=by, employee=employee)
    errors: dict[str, list[str]] = {}
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if timezone.is_naive(value) or not in_time_window(value):
            errors.setdefault(field, []).append(time_window_message())
    if "starts_at" not in errors and "ends_at" not in errors and ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("The end must come after the start."))
    if substitute is not None:
        if substitute.pk == employee.pk:
            errors.setdefault("substitute", []).append(
                _("A person cannot be their own substitute.")
            )
        elif not substitute.active:
            errors.setdefault("substitute", []).append(
                _("%(name)s has left and cannot be a substitute.") % {"name": substitute}
            )
    if errors:
        raise ValidationError(errors)
    absence = Absence(
        employee=employee,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        note=note,
        substitute=substitute,
        created_by=by,
    )
    absence.full_clean()
    absence.save()
    return absence


@transaction.atomic
def absence_end(*, absence: Absence, by: User, now: datetime | None = None) -> Absence:
    """End an absence now (the person is back early); one that has not begun is deleted."""
    now = now or timezone.now()
    _absence_check_access(user=by, employee=absence.employee)
    _absence_check_from_feed(absence)
    if absence.starts_at >= now:
        absence.delete()
        return absence
    if absence.ends_at > now:
        absence.ends_at = now
        absence.save(update_fields=["ends_at"])
    return absence


@transaction.atomic
def absence_delete(*, absence: Absence, by: User) -> None:
    """Delete an absence entered by mistake (one from a calendar is changed there)."""
    _absence_check_access(user=by, employee=absence.employee)
    _absence_check_from_feed(absence)
    absence.delete()


@dataclass(frozen=True)
class LineState:
    """What the exchange says of a person's line at a moment."""

    number: str
    state: str
    at: datetime


def line_states_record(states: Sequence[LineState]) -> dict[str, int]:
    """Follow the exchange's line states (available, on a call, do not disturb) onto the
    people whose direct number it is. Order-tolerant: a state older than the one stored
    changes nothing. Returns how many people changed and how many numbers nobody has."""
    changed = unknown = 0
    latest: dict[str, LineState] = {}
    for line in states:
        if line.state not in Availability.values:
            raise ValueError(f"Not a line state: {line.state!r}")
        kept = latest.get(line.number)
        if kept is None or line.at > kept.at:
            latest[line.number] = line
    with transaction.atomic():
        for number, line in latest.items():
            count = (
                Employee.objects.filter(direct_number=number)
                .filter(Q(phone_state_at__isnull=True) | Q(phone_state_at__lt=line.at))
                .update(phone_state=line.state, phone_state_at=line.at)
            )
            if count:
                changed += count
            elif not Employee.objects.filter(direct_number=number).exists():
                unknown += 1
    return {"changed": changed, "unknown": unknown}
