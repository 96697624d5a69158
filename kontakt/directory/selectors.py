"""Reads of the organisation: departments, staff who are in, the center's opening hours,
the directory's search, who may change an entry, and whether a person can be reached now."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import is_staff_user, user_roles
from kontakt.core.business_hours import OpeningHours as CoreOpeningHours

from . import search
from .models import (
    Absence,
    Availability,
    CalendarFeed,
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


# Reachability -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reachability:
    """Whether the switchboard should ring a person now, and if not, why, until when and who
    answers instead.

    `state` is "available", "on_call", "dnd" (the exchange's line), "absent" (an absence
    covers the moment) or "left" (deactivated). `until` is the end of the absence, with the
    absences that follow it back to back or overlapping it: when the person is back.
    `substitute` is the absence's substitute as entered, who may be absent too: ask their
    reachability before offering them.
    """

    reachable: bool
    state: str
    until: datetime | None = None
    reason: str = ""
    note: str = ""
    substitute: Employee | None = None


AVAILABLE = Reachability(reachable=True, state=Availability.AVAILABLE)
LEFT = Reachability(reachable=False, state="left")
ABSENT = "absent"


def reachability(employee: Employee, *, at: datetime | None = None) -> Reachability:
    """Whether `employee` can be reached at `at` (now by default): one query, two when
    absent."""
    return reachabilities([employee], at=at)[employee.pk]


def reachabilities(
    employees: Iterable[Employee], *, at: datetime | None = None
) -> dict[int, Reachability]:
    """Reachability of each employee by id, in at most two queries for any number of them:
    the absences covering `at`, then, for those absent only, when the absences that follow
    begin and end (none for an empty list)."""
    at = at or timezone.now()
    people = list(employees)
    if not people:
        return {}
    ids = [person.pk for person in people if person.active]
    covering: dict[int, list[Absence]] = {}
    following: dict[int, list[tuple[datetime, datetime]]] = {}
    if ids:
        # Unordered (ordering is sorted here, cheaper than compiling it for each query).
        for absence in Absence.objects.filter(
            employee_id__in=ids, starts_at__lte=at, ends_at__gt=at
        ).select_related("substitute"):
            covering.setdefault(absence.employee_id, []).append(absence)
    if covering:
        # Only when and until: a calendar holds many, and they only extend the run.
        for employee_id, starts_at, ends_at in Absence.objects.filter(
            employee_id__in=list(covering), starts_at__gt=at
        ).values_list("employee_id", "starts_at", "ends_at"):
            following.setdefault(employee_id, []).append((starts_at, ends_at))
        for spans in following.values():
            spans.sort()
    return {
        person.pk: _reachability(person, covering.get(person.pk, []), following.get(person.pk, []))
        for person in people
    }


def _reachability(
    employee: Employee, covering: list[Absence], following: list[tuple[datetime, datetime]]
) -> Reachability:
    if not employee.active:
        return LEFT
    if covering:
        # The absence that lasts longest says why; the run ends where no absence continues
        # it (`following` is in order of start).
        covering = sorted(covering, key=lambda absence: (absence.starts_at, absence.pk))
        main = max(covering, key=lambda absence: (absence.ends_at, absence.starts_at))
        until = main.ends_at
        for starts_at, ends_at in following:
            if starts_at > until:
                break
            until = max(until, ends_at)
        substitute = main.substitute or next(
            (absence.substitute for absence in covering if absence.substitute is not None),
            None,
        )
        return Reachability(
            reachable=False,
            state=ABSENT,
            until=until,
            reason=main.reason,
            note=main.note,
            substitute=substitute,
        )
    if employee.phone_state == Availability.DO_NOT_DISTURB:
        return Reachability(reachable=False, state=Availability.DO_NOT_DISTURB)
    if employee.phone_state == Availability.ON_CALL:
        return Reachability(reachable=False, state=Availability.ON_CALL)
    return AVAILABLE


# Who may change what -----------------------------------------------------------------------


# Roles that enter anyone's absences: the operators who hear of them first, and those who
# oversee.
EDITS_ANY_ABSENCE = frozenset({Role.SWITCHBOARD, Role.SUPERVISOR, Role.ADMINISTRATOR})


def may_edit_absence(user: User, employee: Employee) -> bool:
    """Whether `user` may enter, end or delete `employee`'s absences: the person themselves,
    the department contact of the person's department, switchboard operators, supervisors
    and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if employee.user_id is not None and employee.user_id == user.pk:
        return True
    held = user_roles(user)
    if held & EDITS_ANY_ABSENCE:
        return True
    unit = employee.unit
    return (
        Role.DEPARTMENT_CONTACT in held
        and unit is not None
        and user.department_id is not None
        and unit.department_id == user.department_id
    )


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


# Direct numbers ---------------------------------------------------------------------------


def phone_region() -> str:
    """The region a number without a country code is read in: the municipality's country."""
    return settings.KONTAKT["HOLIDAY_COUNTRY"]


def phone_number_e164(raw: str) -> str | None:
    """A number in any formatting ("040-628 12 34", "+46 40 628 12 34", "0046…") in E.164,
    or None when it is no possible number."""
    if not raw or len(raw) > 40:
        return None
    try:
        parsed = phonenumbers.parse(raw, phone_region())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def employee_by_direct_number(number: str) -> Employee | None:
    """Whose direct number it is (E.164): the active holder, else the last one who left.

    A slim entry for the exchange's question, which is asked before every direct call: its
    name, unit's name, line state and whether active (other fields load when read)."""
    holders = list(
        Employee.objects.filter(direct_number=number)
        .select_related("unit")
        .only("display_name", "active", "phone_state", "direct_number", "unit__name")
        .order_by()[:20]
    )
    if not holders:
        return None
    return max(holders, key=lambda holder: (holder.active, holder.pk))


# How a day and a time are said in each language the exchange plays.
DAY_FORMATS = {"sv": "l j F", "nb": "l j. F", "en": "l j F"}
TIME_FORMATS = {"sv": "H.i", "nb": "H.i", "en": "H:i"}
# Languages whose names of days and months are lower case inside a sentence (the weekday
# names of the translations are capitalised for lists and headings).
LOWER_CASE_DAYS = frozenset({"sv", "nb"})


def _when(until: datetime, now: datetime, language: str) -> str:
    """When an absence ends, as said to a caller: the time when it is today, the day when
    it ends at midnight (back that day), else the day and the time."""
    local = timezone.localtime(until)
    today = timezone.localtime(now).date()
    day_format = DAY_FORMATS.get(language, DAY_FORMATS["en"])
    time_format = TIME_FORMATS.get(language, TIME_FORMATS["en"])
    if local.date() == today:
        return dateformat.format(local, time_format)
    day = dateformat.format(local, day_format)
    if language in LOWER_CASE_DAYS:
        day = day.lower()
    if local.time() == clock_time(0):
        return day
    return f"{day} {dateformat.format(local, time_format)}"


def availability_message(
    employee: Employee, found: Reachability, *, language: str, now: datetime
) -> str:
    """What the exchange plays to a caller of the person's direct number, in `language`;
    empty when it should simply ring."""
    with translation.override(language):
        name = employee.display_name
        if found.state == ABSENT and found.until is not None:
            when = _when(found.until, now, language)
            text = _("%(name)s is away until %(when)s.") % {"name": name, "when": when}
        elif found.state == "left":
            text = _("%(name)s can no longer be reached on this number.") % {"name": name}
        elif found.state == Availability.ON_CALL:
            text = _("%(name)s is on another call.") % {"name": name}
        elif found.state == Availability.DO_NOT_DISTURB:
            text = _("%(name)s cannot take calls right now.") % {"name": name}
        else:
            return ""
        # (Not inside the f-string: xgettext does not read calls in f-strings.)
        press = _("Press 0 for the switchboard.")
        return f"{text} {press}"


# Calendar feeds ---------------------------------------------------------------------------

# Roles that see every feed's state (to help a department whose feed fails).
SEES_ALL_FEEDS = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def may_see_calendar_feeds(user: User) -> bool:
    """Department contacts see their department's feeds; supervisors and administrators all."""
    held = user_roles(user)
    return bool(held & SEES_ALL_FEEDS) or (
        Role.DEPARTMENT_CONTACT in held and user.department_id is not None
    )


def calendar_feeds_visible(user: User) -> QuerySet[CalendarFeed]:
    """The feeds whose state `user` sees: of their department's units and people, or all."""
    feeds = CalendarFeed.objects.select_related("employee__unit", "unit").order_by(
        "-active", "unit__name", "employee__display_name", "id"
    )
    held = user_roles(user)
    if held & SEES_ALL_FEEDS:
        return feeds
    if Role.DEPARTMENT_CONTACT in held and user.department_id is not None:
        return feeds.filter(
            Q(unit__department_id=user.department_id)
            | Q(employee__unit__department_id=user.department_id)
        )
    return feeds.none()


def substitute_choices(employee: Employee) -> QuerySet[Employee]:
    """Whom an absence's form offers as substitute: the active people of the person's unit."""
    if employee.unit_id is None:
        return Employee.objects.none()
    return Employee.objects.filter(unit_id=employee.unit_id, active=True).exclude(pk=employee.pk)
