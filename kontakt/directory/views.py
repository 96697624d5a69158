"""Staff pages of the directory: search, an employee's entry with its history, writing an
entry, a unit with its people and hours.

Each view parses, calls one selector or service, and renders. Who may change an entry is
decided by `selectors.may_edit_employee`.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.web.pages import StaffRequest, staff_required

from . import forms, selectors, services
from .models import Employee, EmployeeChangeSource, Unit, UnitHours

# The fields of a version shown in the history, by their labels.
FIELD_LABELS = {field.attname: field.verbose_name for field in Employee._meta.concrete_fields}


@staff_required
def search(request: StaffRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    hits: list[selectors.EmployeeHit] = []
    absences: dict[int, Any] = {}
    if query.strip():
        hits = selectors.employee_search(query, limit=30)
        absences = selectors.absent_now(
            [hit.employee.pk for hit in hits if hit.employee is not None]
        )
    rows = [
        {
            "hit": hit,
            "absence": absences.get(hit.employee.pk) if hit.employee is not None else None,
        }
        for hit in hits
    ]
    context = {
        "form": form,
        "query": query,
        "rows": rows,
        "may_add": selectors.may_edit_employee(request.user),
    }
    return render(request, "directory/search.html", context, status=200 if form.is_valid() else 400)


def _employee(employee_id: int) -> Employee:
    try:
        return selectors.employee_get(employee_id=employee_id)
    except Employee.DoesNotExist:
        raise Http404("No such employee.") from None


@staff_required
def employee_detail(request: StaffRequest, employee_id: int) -> HttpResponse:
    employee = _employee(employee_id)
    absence = selectors.absent_now([employee.pk]).get(employee.pk)
    history = list(selectors.employee_versions(employee=employee)[:50])
    unit_names = selectors.unit_names(
        [
            value
            for version in history
            for value in version.changes.get("unit_id", [])
            if isinstance(value, int)
        ]
    )
    versions = [
        {
            "version": version,
            "changes": [
                {
                    "field": FIELD_LABELS.get(name, name),
                    "old": _shown(name, pair[0], unit_names),
                    "new": _shown(name, pair[1], unit_names),
                }
                for name, pair in sorted(version.changes.items())
            ],
        }
        for version in history
    ]
    context = {
        "employee": employee,
        "absence": absence,
        "available": selectors.is_available(employee, absence),
        "versions": versions,
        "may_edit": selectors.may_edit_employee(request.user, employee),
    }
    return render(request, "directory/employee.html", context)


def _shown(field: str, value: Any, unit_names: dict[int, str]) -> Any:
    """A recorded value as the history shows it: a unit by its name, a list joined."""
    if field == "unit_id" and isinstance(value, int):
        return unit_names.get(value, value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


def _edit(request: StaffRequest, employee: Employee | None) -> HttpResponse:
    if not selectors.may_edit_employee(request.user, employee):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if employee is not None:
        initial = forms.employee_initial(employee)
    elif (unit_id := request.GET.get("unit", "")).isdigit():
        initial = {"unit": int(unit_id)}
    form = forms.EmployeeForm(
        request.POST or None, initial=initial, units=selectors.units_editable_by(request.user)
    )
    if request.method == "POST" and form.is_valid():
        saved, changes = services.employee_save(
            employee=employee,
            values=form.values(),
            by=request.user,
            source=EmployeeChangeSource.MANUAL,
        )
        if changes:
            messages.success(request, _("The entry is saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("directory:employee", employee_id=saved.pk)
    status = 400 if form.errors else 200
    return render(
        request, "directory/employee_form.html", {"form": form, "employee": employee}, status=status
    )


@staff_required
def employee_new(request: StaffRequest) -> HttpResponse:
    return _edit(request, None)


@staff_required
def employee_edit(request: StaffRequest, employee_id: int) -> HttpResponse:
    return _edit(request, _employee(employee_id))


@staff_required
def unit_detail(request: StaffRequest, unit_id: int) -> HttpResponse:
    try:
        unit = selectors.unit_get(unit_id=unit_id)
    except Unit.DoesNotExist:
        raise Http404("No such unit.") from None
    people = list(selectors.unit_people(unit=unit))
    absences = selectors.absent_now([person.pk for person in people])
    hours: dict[str, list[UnitHours]] = {}
    for period in unit.hours.all():
        hours.setdefault(period.get_kind_display(), []).append(period)
    context = {
        "unit": unit,
        "rows": [
            {
                "employee": person,
                "absence": absences.get(person.pk),
                "available": selectors.is_available(person, absences.get(person.pk)),
            }
            for person in people
        ],
        "hours": hours,
        "may_add": selectors.may_edit_employee(request.user, unit),
        "now": timezone.now(),
    }
    return render(request, "directory/unit.html", context)
