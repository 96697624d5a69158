"""Reads of the switchboard: its figures per department and unit, and who may see them.

A transfer or a direct call counts in the unit of the person rung: the employee of the
operator's Transfer row for that call and number, else the employee whose direct number
(or else mobile) is the event's target, in any formatting. Their unit today decides, not
the unit they were in then. Calls to a number the directory does not know count in the
center's total only. Messages count in the unit of the person they were taken for.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import may_watch_queues, user_roles
from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.call_events import EventType
from kontakt.core.switchboard_stats import (
    MessageFact,
    SwitchboardFigures,
    switchboard_figures,
    transfers_of,
)
from kontakt.directory.models import Absence, AbsenceReason, Department, Employee, Unit
from kontakt.directory.selectors import (
    HitKind,
    Reachability,
    employee_search,
    reachabilities,
)
from kontakt.residents.selectors import normalize_phone
from kontakt.telephony.models import CallEvent

from .models import Message, Transfer

SWITCHBOARD_TYPES = [
    EventType.TRANSFERRED,
    EventType.TRANSFER_STARTED,
    EventType.TRANSFER_ANSWERED,
    EventType.TRANSFER_RETURNED,
    EventType.DIRECT_OFFERED,
    EventType.DIRECT_ANSWERED,
    EventType.DIRECT_FALLBACK,
]
# Events read around the period, so that an outcome finds its start across the period's edge.
MARGIN = timedelta(hours=1)
LONGEST_PERIOD = timedelta(days=400)


def may_see_switchboard_statistics(user: User) -> bool:
    """Supervisors and administrators see every department's figures; department contacts
    their own department's."""
    if may_watch_queues(user):
        return True
    return Role.DEPARTMENT_CONTACT in user_roles(user) and bool(user.department_id)


def statistics_department(user: User, department: Department | None) -> Department | None:
    """The department whose figures the user asks for and may see (None: the whole center);
    a department contact who names none gets their own."""
    if may_watch_queues(user):
        return department
    if may_see_switchboard_statistics(user):
        if department is None:
            return user.department
        if department.pk == user.department_id:
            return department
        raise PermissionDenied(_("You see the switchboard figures of your own department only."))
    raise PermissionDenied(
        _("Only supervisors and department contacts see the switchboard figures.")
    )


def statistics_departments(user: User) -> list[Department]:
    """The departments whose switchboard figures the user may see."""
    if may_watch_queues(user):
        return list(Department.objects.order_by("name"))
    if may_see_switchboard_statistics(user):
        return [user.department] if user.department else []
    return []


@dataclass
class SwitchboardReport:
    """The figures of a period: of the whole selection (`total`), per department, per unit
    (of the chosen department, or of all), transfers per day, wrong transfers per unit."""

    start: datetime
    end: datetime
    department: Department | None
    unit: Unit | None
    total: SwitchboardFigures
    departments: list[tuple[Department, SwitchboardFigures]] = field(default_factory=list)
    units: list[tuple[Unit, SwitchboardFigures]] = field(default_factory=list)
    # (day, transfers answered, transfers returned) for each day of the period.
    days: list[tuple[date, int, int]] = field(default_factory=list)

    @property
    def wrong_by_unit(self) -> list[tuple[Unit, int]]:
        """Units with wrong transfers ("not mine"), the worst first."""
        wrong = [(unit, f.wrong_transfers) for unit, f in self.units if f.wrong_transfers]
        return sorted(wrong, key=lambda row: (-row[1], row[0].name))


def _core(row: CallEvent) -> CoreEvent:
    return CoreEvent(
        event_id=row.event_id,
        call_id=row.call_id,
        type=EventType(row.type),
        at=row.at,
        target=row.target,
        reason=row.reason,
    )


def _employees_by_number(numbers: set[str]) -> dict[str, Employee]:
    """The employee of each number: the one with it as direct number before one with it as
    mobile, an active one before a leaver, the oldest entry first."""
    found: dict[str, Employee] = {}
    if not numbers:
        return found
    rows = list(
        Employee.objects.filter(Q(direct_number__in=numbers) | Q(mobile__in=numbers))
        .only("id", "unit_id", "direct_number", "mobile", "active")
        .order_by("-active", "id")
    )
    for kind in ("direct_number", "mobile"):
        for employee in rows:
            found.setdefault(getattr(employee, kind), employee)
    return {number: employee for number, employee in found.items() if number in numbers}


def switchboard_statistics(
    user: User,
    *,
    start: datetime,
    end: datetime,
    department: Department | None = None,
    unit: Unit | None = None,
) -> SwitchboardReport:
    """The switchboard's figures of [start, end) for the user's view: the center, one
    department, or one unit (whose department the user must see)."""
    if unit is not None:
        if department is not None and unit.department_id != department.pk:
            raise ValidationError({"unit": [_("The unit is not in that department.")]})
        department = department or unit.department
    department = statistics_department(user, department)
    if end <= start:
        raise ValidationError({"end": [_("The end must come after the start.")]})
    if end - start > LONGEST_PERIOD:
        raise ValidationError({"end": [_("A period can be at most 400 days long.")]})

    rows = CallEvent.objects.filter(
        type__in=SWITCHBOARD_TYPES, at__gte=start - MARGIN, at__lt=end + MARGIN
    ).only("event_id", "call_id", "type", "at", "target", "reason")
    events = [_core(row) for row in rows.iterator()]
    call_ids = {e.call_id for e in events}
    transfer_rows = Transfer.objects.filter(call_id__in=call_ids).select_related("employee")
    by_transfer = {
        (t.call_id, normalize_phone(t.target)): t.employee for t in transfer_rows.iterator()
    }
    numbers = {normalize_phone(e.target) for e in events if e.target}
    by_number = _employees_by_number(numbers)

    def employee_of(event: CoreEvent) -> Employee | None:
        number = normalize_phone(event.target) if event.target else ""
        return by_transfer.get((event.call_id, number)) or by_number.get(number)

    unit_events: dict[int | None, list[CoreEvent]] = defaultdict(list)
    employee_of_pair: dict[tuple[str, str], Employee] = {}
    for event in events:
        employee = employee_of(event)
        unit_events[employee.unit_id if employee else None].append(event)
        if employee is not None:
            employee_of_pair[(event.call_id, event.target)] = employee
    absent = _absent_transfers(events, employee_of_pair, start=start, end=end)

    messages: dict[int | None, list[MessageFact]] = defaultdict(list)
    taken = Message.objects.filter(taken_at__gte=start, taken_at__lt=end)
    for message in taken.values("employee__unit_id", "taken_at", "state", "done_at"):
        messages[message["employee__unit_id"]].append(
            MessageFact(
                taken_at=message["taken_at"], state=message["state"], done_at=message["done_at"]
            )
        )
    not_mine: dict[int | None, int] = defaultdict(int)
    wrong = Transfer.objects.filter(
        requested_at__gte=start, requested_at__lt=end, not_mine_at__isnull=False
    )
    for unit_id in wrong.values_list("employee__unit_id", flat=True):
        not_mine[unit_id] += 1

    period = (start, end)

    def figures_of(unit_id: int | None) -> SwitchboardFigures:
        return switchboard_figures(
            unit_events.get(unit_id, ()),
            messages.get(unit_id, ()),
            period=period,
            absent_transfers=absent,
            transfers_not_mine=not_mine.get(unit_id, 0),
        )

    all_units = list(Unit.objects.select_related("department").order_by("department__name", "name"))
    per_unit = {u.pk: figures_of(u.pk) for u in all_units}
    chosen_units = [
        u
        for u in all_units
        if (department is None or u.department_id == department.pk)
        and (unit is None or u.pk == unit.pk)
    ]
    departments: dict[int, SwitchboardFigures] = defaultdict(SwitchboardFigures)
    for u in all_units:
        departments[u.department_id] += per_unit[u.pk]
    if department is None:
        total = sum(per_unit.values(), figures_of(None))
        shown_departments = [
            (d, departments[d.pk])
            for d in Department.objects.order_by("name")
            if d.pk in departments
        ]
    else:
        total = sum((per_unit[u.pk] for u in chosen_units), SwitchboardFigures())
        shown_departments = [(department, departments[department.pk])]
    if department is None:
        chosen_events = events
    else:
        chosen_events = [e for u in chosen_units for e in unit_events.get(u.pk, ())]
    return SwitchboardReport(
        start=start,
        end=end,
        department=department,
        unit=unit,
        total=total,
        departments=shown_departments,
        units=[(u, per_unit[u.pk]) for u in chosen_units],
        days=_per_day(chosen_events, start=start, end=end),
    )


def _absent_transfers(
    events: Iterable[CoreEvent],
    employee_of_pair: dict[tuple[str, str], Employee],
    *,
    start: datetime,
    end: datetime,
) -> set[tuple[str, str]]:
    """(call id, target) of the transfers started while their person was marked absent."""
    starts = [
        e
        for e in events
        if e.type in (EventType.TRANSFER_STARTED, EventType.TRANSFERRED)
        and (e.call_id, e.target) in employee_of_pair
    ]
    employee_ids = {employee_of_pair[(e.call_id, e.target)].pk for e in starts}
    absences: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    overlapping = Absence.objects.filter(
        employee_id__in=employee_ids, starts_at__lt=end + MARGIN, ends_at__gt=start - MARGIN
    )
    for employee_id, starts_at, ends_at in overlapping.values_list(
        "employee_id", "starts_at", "ends_at"
    ):
        absences[employee_id].append((starts_at, ends_at))
    return {
        (e.call_id, e.target)
        for e in starts
        if any(
            a <= e.at < b for a, b in absences.get(employee_of_pair[(e.call_id, e.target)].pk, ())
        )
    }


def _per_day(
    events: list[CoreEvent], *, start: datetime, end: datetime
) -> list[tuple[date, int, int]]:
    """Transfers answered and returned per local day of their start, every day of the period."""
    answered: dict[date, int] = defaultdict(int)
    returned: dict[date, int] = defaultdict(int)
    for transfer in transfers_of(events):
        if not start <= transfer.at < end:
            continue
        day = timezone.localdate(transfer.at)
        if transfer.answered:
            answered[day] += 1
        elif transfer.returned:
            returned[day] += 1
    first, last = timezone.localdate(start), timezone.localdate(end - timedelta(microseconds=1))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, answered[day], returned[day]) for day in days]


# The operator's console ------------------------------------------------------------------


def console_hits(query: str, *, limit: int = 15) -> list[dict[str, Any]]:
    """Search hits with what the operator needs at a glance: in or not, until when, who
    instead, and others in the unit who are asked about the same."""
    results = employee_search(query, limit=limit)
    found = [hit.employee for hit in results if hit.employee is not None]
    functions = [hit.unit for hit in results if hit.kind == HitKind.FUNCTION]
    substitutes = {}
    reach = reachabilities(found)
    for employee in found:
        sub = reach[employee.pk].substitute
        if sub is not None:
            substitutes[sub.pk] = sub
    sub_reach = reachabilities(list(substitutes.values()))
    absent = [e for e in found if not reach[e.pk].reachable]
    leave_out = {e.pk: {s.pk} for e in absent if (s := reach[e.pk].substitute) is not None}
    alternatives = _alternatives(absent, leave_out=leave_out)
    hits: list[dict[str, Any]] = [{"function": unit} for unit in functions]
    for employee in found:
        r = reach[employee.pk]
        sub = r.substitute
        hits.append(
            {
                "employee": employee,
                "reach": r,
                "substitute": sub,
                "substitute_reach": sub_reach.get(sub.pk) if sub else None,
                "reason_label": _reason_label(r.reason),
                "until_text": _until_text(r.until),
                "alternatives": alternatives.get(employee.pk, []),
            }
        )
    return hits


def _until_text(until: Any) -> str:
    """When an absence ends, as the operator reads it: an absence that ends at midnight is
    said by its last day ("away through Monday 14 December")."""
    if until is None:
        return ""
    local = timezone.localtime(until)
    if local.hour == 0 and local.minute == 0:
        day = formats.date_format(local - timedelta(days=1), "l j F")
        return _("Away through %(day)s") % {"day": day}
    return _("Away until %(when)s") % {"when": formats.date_format(local, "l j F H:i")}


def _reason_label(reason: str) -> str:
    return str(AbsenceReason(reason).label) if reason in AbsenceReason.values else reason


def _keywords(employee: Employee) -> set[str]:
    return {w.strip().lower() for w in employee.keywords.split(",") if w.strip()}


def _alternatives(
    absent: list[Employee], *, leave_out: dict[int, set[int]], limit: int = 3
) -> dict[int, list[tuple[Employee, Reachability]]]:
    """For each absent person, others of the same unit who are asked about something they
    are, and are in: one query for the candidates of every hit, one reachability read."""
    wanted = {e.pk: _keywords(e) for e in absent if e.unit_id is not None}
    wanted = {pk: words for pk, words in wanted.items() if words}
    if not wanted:
        return {}
    people = {e.pk: e for e in absent}
    match = Q()
    for pk, words in wanted.items():
        words_match = Q()
        for word in sorted(words)[:8]:
            words_match |= Q(keywords__icontains=word)
        match |= Q(unit_id=people[pk].unit_id) & words_match
    candidates = list(
        Employee.objects.filter(match, active=True).select_related("unit")[: 20 * len(wanted)]
    )
    reach = reachabilities(candidates)
    found: dict[int, list[tuple[Employee, Reachability]]] = {}
    for pk, words in wanted.items():
        person = people[pk]
        skip = {pk, *leave_out.get(pk, set())}
        found[pk] = [
            (other, reach[other.pk])
            for other in candidates
            if other.unit_id == person.unit_id
            and other.pk not in skip
            and reach[other.pk].reachable
            and any(word in other.keywords.lower() for word in words)
        ][:limit]
    return found
