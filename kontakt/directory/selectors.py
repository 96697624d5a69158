"""Reads of the organisation: departments, staff who are in, the center's opening hours,
the directory's search and who may change an entry."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import is_staff_user, user_roles
from kontakt.core.business_hours import OpeningHours as CoreOpeningHours

from . import search
from .models import (
    Absence,
    Availability,
    ClosedDay,
    Employee,
    EmployeeVersion,
    OpeningHours,
    Unit,
    UnitKind,
)

OPENING_HOURS_CACHE_KEY = "directory:opening-hours:v1"


def public_holidays(*, country: str, years: range) -> dict[date, str]:
    """Public holidays of Sweden or Norway for the given years, from the holidays package."""
    return dict(holidays.country_holidays(country, years=list(years)).items())


def opening_hours(*, today: date | None = None) -> CoreOpeningHours:
    """The center's opening hours as the core reads them, holidays and closed days included."""
    cached = cache.get(OPENING_HOURS_CACHE_KEY)
    if cached is not None:
        return cached
    today = today or date.today()
    weekly: dict[int, list[tuple]] = {}
    for period in OpeningHours.objects.order_by("weekday", "opens"):
        weekly.setdefault(period.weekday, []).append((period.opens, period.closes))
    closed = set(ClosedDay.objects.values_list("date", flat=True))
    country = settings.KONTAKT["HOLIDAY_COUNTRY"]
    # Cases live for months and demo data goes back in time: cover a generous window.
    closed |= set(public_holidays(country=country, years=range(today.year - 2, today.year + 3)))
    hours = CoreOpeningHours(
        weekly=weekly, closed_dates=frozenset(closed), tz=ZoneInfo(settings.TIME_ZONE)
    )
    cache.set(OPENING_HOURS_CACHE_KEY, hours, timeout=3600)
    return hours


def opening_hours_changed() -> None:
    """Forget the cached opening hours after an administrator changed them."""
    cache.delete(OPENING_HOURS_CACHE_KEY)


# --- The directory ------------------------------------------------------------------------


class HitKind:
    EMPLOYEE = "employee"
    FUNCTION = "function"


@dataclass(frozen=True)
class EmployeeHit:
    """One search hit: a person, or a shared function (a unit of kind "function" with a
    telephone number: reception, on-call numbers, a school's office), which is callable too.

    `matched` is the field of the query word that counted most: name, number, keywords,
    title or unit. `available`: no absence covers now and the line is free (a function is
    always available here).
    """

    kind: str
    score: int
    matched: str
    available: bool
    employee: Employee | None = None
    unit: Unit | None = None

    @property
    def name(self) -> str:
        if self.employee is not None:
            return self.employee.display_name
        return self.unit.name if self.unit is not None else ""


# Fields of an employee a search hit leaves unread (read on access, one query each).
HIT_DEFERRED = ("search_text", "scim_id", "external_id", "user_name", "created_at", "updated_at")


def employee_search(
    query: str,
    *,
    limit: int = 20,
    unit: Unit | int | None = None,
    department: int | None = None,
    now: datetime | None = None,
) -> list[EmployeeHit]:
    """Active employees and shared functions matching the query, best first.

    By name with a typo, a beginning, a double name, with or without Nordic letters; by
    unit, title or "ask me about"; by a number in any formatting or its ending. Exact and
    beginning matches of a name rank above typos; among equal scores, available people
    first. See kontakt/directory/search.py for how.
    """
    now = now or timezone.now()
    terms = search.parse_query(query)
    if not terms:
        return []
    terms = search.with_typos(terms)
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    ranked = search.ranked_employees(
        terms, now=now, limit=limit, unit_id=unit_id, department_id=department
    )
    ids = [pk for pk, _score, _available, _matched in ranked]
    # What a hit shows and a console asks of it; the rest stays in the database.
    employees = Employee.objects.select_related("unit").defer(*HIT_DEFERRED).in_bulk(ids)
    hits = [
        EmployeeHit(
            kind=HitKind.EMPLOYEE,
            score=score,
            matched=matched,
            available=available,
            employee=employees[pk],
            unit=employees[pk].unit,
        )
        for pk, score, available, matched in ranked
    ]
    hits += _function_hits(terms, unit_id=unit_id, department_id=department)
    # Among equal scores and availability: people by name, then the shared functions.
    hits.sort(
        key=lambda hit: (
            -hit.score,
            not hit.available,
            hit.kind != HitKind.EMPLOYEE,
            search.fold(hit.name),
        )
    )
    return hits[:limit]


def _function_hits(
    terms: list[search.Term], *, unit_id: int | None, department_id: int | None
) -> list[EmployeeHit]:
    """Shared functions with a number that match the terms (a municipality has a few
    hundred at most: they are scored here, not indexed)."""
    hits = []
    for function_id, department, tokens in _functions():
        if (unit_id is not None and function_id != unit_id) or (
            department_id is not None and department != department_id
        ):
            continue
        score, matched = search.best_match(terms, tokens, any_typo=True)
        if score:
            hits.append((function_id, score, matched))
    if not hits:
        return []
    units = Unit.objects.select_related("department").in_bulk([pk for pk, _s, _m in hits])
    found = [
        EmployeeHit(
            kind=HitKind.FUNCTION, score=score, matched=matched, available=True, unit=units[pk]
        )
        for pk, score, matched in hits
    ]
    found.sort(key=lambda hit: (-hit.score, search.fold(hit.name)))
    return found


FUNCTIONS_CACHE_KEY = search.FUNCTIONS_CACHE_KEY
FUNCTIONS_CACHE_SECONDS = 60


def _functions() -> list[tuple[int, int, list[tuple[str, str]]]]:
    """(id, department id, (word, field) pairs) of the active shared functions with a number,
    kept a minute in the cache (a new or changed one is found within it; `functions_changed`
    forgets at once)."""
    cached = cache.get(FUNCTIONS_CACHE_KEY)
    if cached is not None:
        return cached
    found = []
    functions = Unit.objects.filter(kind=UnitKind.FUNCTION, active=True).exclude(phone="")
    for function in functions.select_related("department"):
        tokens = [(word, search.Field.NAME.value) for word in search.fold(function.name).split()]
        tokens += [
            (word, search.Field.KEYWORDS.value) for word in search.fold(function.keywords).split()
        ]
        tokens += [
            (word, search.Field.UNIT.value)
            for word in search.fold(function.department.name).split()
        ]
        tokens.append((search.digits_key(function.phone), search.Field.NUMBER.value))
        found.append((function.pk, function.department_id, tokens))
    cache.set(FUNCTIONS_CACHE_KEY, found, timeout=FUNCTIONS_CACHE_SECONDS)
    return found


def functions_changed() -> None:
    """Forget the cached shared functions after one was added or changed."""
    cache.delete(FUNCTIONS_CACHE_KEY)


def employees_with_availability(
    employees: QuerySet[Employee], *, now: datetime | None = None
) -> QuerySet[Employee]:
    """The employees annotated `absent_now` (an absence covers now), for lists."""
    now = now or timezone.now()
    return employees.annotate(
        absent_now=Exists(
            Absence.objects.filter(employee=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now)
        )
    )


def absent_now(employee_ids: list[int], *, now: datetime | None = None) -> dict[int, Absence]:
    """The absence covering now of each of these employees who has one (one query)."""
    now = now or timezone.now()
    found: dict[int, Absence] = {}
    for absence in Absence.objects.filter(
        employee_id__in=employee_ids, starts_at__lte=now, ends_at__gt=now
    ).order_by("employee_id", "ends_at"):
        found.setdefault(absence.employee_id, absence)
    return found


def is_available(employee: Employee, absence: Absence | None) -> bool:
    return absence is None and employee.phone_state == Availability.AVAILABLE


def may_edit_employee(user: User, target: Employee | Unit | None = None) -> bool:
    """Whether the user may create or change an entry: an administrator any; a department
    contact those in units of their own department (for None: some unit of theirs)."""
    if not is_staff_user(user):
        return False
    roles = user_roles(user)
    if Role.ADMINISTRATOR in roles:
        return True
    if Role.DEPARTMENT_CONTACT not in roles or not user.department_id:
        return False
    if target is None:
        return True
    unit = target.unit if isinstance(target, Employee) else target
    return unit is not None and unit.department_id == user.department_id


def units_editable_by(user: User) -> QuerySet[Unit]:
    """The units an entry may be put in by the user."""
    units = Unit.objects.filter(active=True).select_related("department")
    if Role.ADMINISTRATOR in user_roles(user):
        return units
    if may_edit_employee(user) and user.department_id:
        return units.filter(department_id=user.department_id)
    return units.none()


def employee_get(*, employee_id: int) -> Employee:
    """An entry for a staff page (leavers included: their history stays readable)."""
    return Employee.objects.select_related("unit__department", "user").get(pk=employee_id)


def employee_versions(*, employee: Employee) -> QuerySet[EmployeeVersion]:
    return employee.versions.select_related("by").order_by("-at", "-id")


def unit_get(*, unit_id: int) -> Unit:
    return Unit.objects.select_related("department", "contact").get(pk=unit_id)


def unit_names(unit_ids: list[int]) -> dict[int, str]:
    """Names of units by id (for a history that recorded ids)."""
    return dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "name"))


def unit_people(*, unit: Unit) -> QuerySet[Employee]:
    return unit.employees.filter(active=True).order_by("display_name", "id")
