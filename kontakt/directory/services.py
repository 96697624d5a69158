"""Writes of the directory: employees' entries, each change versioned with who made it."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from kontakt.accounts.models import User

from .models import Employee, EmployeeChangeSource, EmployeeVersion
from .search import FUNCTIONS_CACHE_KEY, fold, index_employees

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
