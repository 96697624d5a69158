"""The directory's pages of availability: entering an absence, the calendar feeds' state."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.web.pages import StaffRequest, apply_errors, staff_required

from . import selectors, services
from .absence_forms import AbsenceForm
from .models import Employee


@staff_required
def absence_new(request: StaffRequest, employee_id: int) -> HttpResponse:
    """Enter an absence of a person: themselves, their department's contact, operators."""
    employee = get_object_or_404(Employee.objects.select_related("unit"), pk=employee_id)
    if not selectors.may_edit_absence(request.user, employee):
        raise PermissionDenied
    form = AbsenceForm(request.POST or None, substitutes=selectors.substitute_choices(employee))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.absence_create(
                employee=employee,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
                note=data["note"],
                substitute=data["substitute"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Absence saved."))
            return redirect("directory:absence_new", employee_id=employee.pk)
    absences = employee.absences.filter(ends_at__gt=timezone.now()).select_related("substitute")[
        :20
    ]
    return render(
        request,
        "directory/absence_new.html",
        {"employee": employee, "form": form, "absences": absences},
        status=400 if form.errors else 200,
    )


@staff_required
def calendar_feeds(request: StaffRequest) -> HttpResponse:
    """The published calendars of the user's department, and whether they read well."""
    if not selectors.may_see_calendar_feeds(request.user):
        raise PermissionDenied
    feeds = selectors.calendar_feeds_visible(request.user)[:500]
    return render(request, "directory/calendar_feeds.html", {"feeds": feeds})
