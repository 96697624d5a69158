"""The switchboard's statistics page: a period's figures per department and, drilled into a
department, per unit; transfers answered and returned per day; wrong transfers per unit.

Access is decided in the selectors; the view parses the period, calls one selector, renders.
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontakt.directory.models import Department
from kontakt.web import charts
from kontakt.web.forms import StyledForm, WindowedDateField
from kontakt.web.pages import StaffRequest, apply_errors, staff_required

from . import selectors

# The figures in the tables' columns, with their headings.
COLUMNS = [
    ("transfers", gettext_lazy("Transfers")),
    ("transfers_answered", gettext_lazy("Answered")),
    ("returned_no_answer", gettext_lazy("Back: no answer")),
    ("returned_busy", gettext_lazy("Back: busy")),
    ("transferred_to_absent", gettext_lazy("To someone absent")),
    ("direct_calls", gettext_lazy("Direct calls")),
    ("direct_reached", gettext_lazy("Reached")),
    ("direct_fallback_no_answer", gettext_lazy("Fallback: no answer")),
    ("direct_fallback_busy", gettext_lazy("Fallback: busy")),
    ("direct_fallback_absent", gettext_lazy("Fallback: absent")),
    ("messages_taken", gettext_lazy("Messages")),
    ("messages_done_within_day", gettext_lazy("Done within 24 h")),
    ("wrong_transfers", gettext_lazy("Not mine")),
]


class PeriodForm(StyledForm):
    """A period of whole days, both included, and maybe one department."""

    start = WindowedDateField(label=gettext_lazy("From"), widget=forms.DateInput({"type": "date"}))
    end = WindowedDateField(label=gettext_lazy("To"), widget=forms.DateInput({"type": "date"}))
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)

    def __init__(
        self,
        *args: object,
        departments: list[Department],
        all_departments: bool,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        every = [("", _("All"))] if all_departments else []
        field.choices = [*every, *((d.code, d.name) for d in departments)]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", _("The end must not come before the start."))
        return data


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


@staff_required
def statistics(request: StaffRequest) -> HttpResponse:
    """The figures of a period (the last 30 days unless chosen)."""
    if not selectors.may_see_switchboard_statistics(request.user):
        raise PermissionDenied(_("Only supervisors and department contacts see these figures."))
    departments = selectors.statistics_departments(request.user)
    today = timezone.localdate()
    given = request.GET.copy()
    given.setdefault("start", (today - timedelta(days=29)).isoformat())
    given.setdefault("end", today.isoformat())
    form = PeriodForm(
        given,
        departments=departments,
        all_departments=selectors.statistics_department(request.user, None) is None,
    )
    report = None
    if form.is_valid():
        code = form.cleaned_data["department"]
        department = next((d for d in departments if d.code == code), None)
        try:
            report = selectors.switchboard_statistics(
                request.user,
                start=_midnight(form.cleaned_data["start"]),
                end=_midnight(form.cleaned_data["end"] + timedelta(days=1)),
                department=department,
            )
        except ValidationError as error:
            apply_errors(form, error)
    context: dict[str, object] = {"form": form, "report": report, "columns": COLUMNS}
    if report is not None:
        context["query"] = {
            "start": form.cleaned_data["start"].isoformat(),
            "end": form.cleaned_data["end"].isoformat(),
        }
        context["department_rows"] = [
            (d, [figures.as_dict()[name] for name, _label in COLUMNS])
            for d, figures in report.departments
        ]
        context["unit_rows"] = [
            (u, [figures.as_dict()[name] for name, _label in COLUMNS])
            for u, figures in report.units
        ]
        context["total_row"] = [report.total.as_dict()[name] for name, _label in COLUMNS]
        chart = charts.Chart(
            title=_("Transfers per day: answered, and come back"),
            labels=[day.strftime("%d/%m") for day, _a, _r in report.days],
            series=[
                charts.Series(
                    _("Answered"), [a for _d, a, _r in report.days], "forecast", bar=True
                ),
                charts.Series(_("Came back"), [r for _d, _a, r in report.days], "needed"),
            ],
        )
        context["chart"] = charts.render(chart)
    status = 200 if form.is_valid() and report is not None else 400
    return render(request, "switchboard/statistics.html", context, status=status)
