"""Staffing pages for supervisors: the plan with its roster, exports, and what-if runs.

Each view parses a form, calls selectors and services, and renders; who may plan staffing
is decided in the selectors (`require_planner`).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from kontakt.core.erlang import ErlangError
from kontakt.core.spreadsheet import formula_safe
from kontakt.core.what_if import WhatIfError
from kontakt.web import charts
from kontakt.web.pages import StaffRequest, apply_errors, staff_required

from . import selectors, services
from .forms import PlanForm, WhatIfForm
from .models import RunStatus, WhatIfRun

PLAN_FIELDS = list(PlanForm.base_fields)
WHAT_IF_PREFIX = "w"  # the what-if's AHT and patience are not the plan's


def _plan_form(request: StaffRequest, data: QueryDict) -> PlanForm:
    return PlanForm(data, groups=selectors.answer_groups(user=request.user))


def _plan_query(form: PlanForm) -> str:
    query = QueryDict(mutable=True)
    for name in PLAN_FIELDS:
        value = form.data.get(name, "")
        query[name] = value
    return query.urlencode()


def _build_plan(request: StaffRequest, form: PlanForm) -> selectors.StaffingPlan | None:
    """The plan the valid form asks for, or None with the trouble put on the form."""
    data = form.cleaned_data
    group = selectors.answer_group_get(user=request.user, code=data["group"])
    try:
        return selectors.staffing_plan(
            user=request.user,
            answer_group=group,
            days=form.days(),
            interval_seconds=data["interval"] * 60,
            goal=form.goal(),
            channel=data["channel"],
            aht_seconds=float(data["aht"]) if data["aht"] else None,
        )
    except ErlangError as error:
        form.add_error(None, str(error))
        return None


def _time(at: datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def plan_charts(plan: selectors.StaffingPlan) -> list[SafeString]:
    """The contacts chart and the agents chart of a plan; days apart by an empty slot."""
    labels: list[str] = []
    forecast: list[float | None] = []
    actual: list[float | None] = []
    needed: list[float | None] = []
    scheduled: list[float | None] = []
    week = len(plan.days) > 1
    for day in plan.days:
        if labels:
            labels.append("")
            for series in (forecast, actual, needed, scheduled):
                series.append(None)
        for row in day.rows:
            label = _time(row.starts)
            if week and row is day.rows[0]:
                label = formats.date_format(day.day, "D")
            labels.append(label)
            forecast.append(row.forecast)
            actual.append(row.actual)
            needed.append(row.plan.needed_scheduled)
            scheduled.append(row.plan.scheduled)
    contacts = charts.Chart(
        title=_("Forecast contacts per interval"),
        labels=labels,
        series=[charts.Series(_("Forecast"), forecast, "forecast", bar=True)],
    )
    if any(v is not None for v in actual):
        contacts.series.append(charts.Series(_("Actual"), actual, "actual", bar=True))
    agents = charts.Chart(
        title=_("Agents to schedule and agents scheduled per interval"),
        labels=labels,
        series=[charts.Series(_("To schedule"), needed, "needed")],
    )
    if plan.has_roster:
        agents.series.insert(0, charts.Series(_("Scheduled"), scheduled, "scheduled", bar=True))
    return [charts.render(contacts), charts.render(agents)]


@staff_required
def plan(request: StaffRequest) -> HttpResponse:
    form = _plan_form(request, request.GET)
    staffing = _build_plan(request, form) if form.is_valid() else None
    return _render_plan(request, form, staffing, entered={})


def _render_plan(
    request: StaffRequest,
    form: PlanForm,
    staffing: selectors.StaffingPlan | None,
    *,
    entered: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    query = _plan_query(form)
    return render(
        request,
        "staffing/plan.html",
        {
            "form": form,
            "plan": staffing,
            "charts": plan_charts(staffing) if staffing else [],
            "query": query,
            "entered": entered,
            "roster_errors": errors or {},
            "plan_fields": [form[name] for name in PLAN_FIELDS],
        },
        status=status,
    )


def _typed_agents(data: QueryDict, rows: list[selectors.PlanRow]) -> dict[str, str]:
    """The agents typed per interval, by interval key, as text."""
    return {row.key: data.get(f"agents-{row.key}", "").strip() for row in rows}


@staff_required
@require_POST
def roster(request: StaffRequest) -> HttpResponse:
    """Store the agents entered per interval, or fill the roster with the agents needed."""
    form = _plan_form(request, request.POST)
    staffing = _build_plan(request, form) if form.is_valid() else None
    if staffing is None:
        return _render_plan(request, form, None, entered={}, status=400)
    entered = _typed_agents(request.POST, staffing.rows)
    slots, errors = [], {}
    for row in staffing.rows:
        if "fill" in request.POST:
            agents = row.plan.needed_scheduled
        else:
            text = entered[row.key]
            if not text.isdigit():
                errors[row.key] = _("Enter a whole number of agents, 0 or more.")
                continue
            agents = int(text)
        slots.append(services.RosterSlot(starts=row.starts, ends=row.ends, agents=agents))
    days = form.days()
    try:
        if errors:
            raise ValidationError(errors)
        saved = services.roster_save(
            by=request.user,
            answer_group=staffing.answer_group,
            starts=selectors.local_datetime(days[0]),
            ends=selectors.local_datetime(days[-1] + timedelta(days=1)),
            slots=slots,
        )
    except ValidationError as error:
        messages.error(request, _("The roster was not saved: correct the marked intervals."))
        found = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        by_key = {key: " ".join(texts) for key, texts in found.items()}
        return _render_plan(request, form, staffing, entered=entered, errors=by_key, status=400)
    messages.success(
        request,
        ngettext("Roster saved: %(count)d interval.", "Roster saved: %(count)d intervals.", saved)
        % {"count": saved},
    )
    return HttpResponseRedirect(f"{reverse('staffing:plan')}?{_plan_query(form)}")


EXPORT_COLUMNS = [
    "date",
    "start",
    "end",
    "forecast_contacts",
    "actual_contacts",
    "traffic_erlangs",
    "agents_needed",
    "agents_to_schedule",
    "agents_scheduled",
    "agents_on_phones",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "occupancy",
]


def _export_rows(staffing: selectors.StaffingPlan) -> list[list[Any]]:
    rows = []
    for row in staffing.rows:
        projected = row.plan.projected
        asa = projected.asa_seconds if projected else None
        rows.append(
            [
                timezone.localtime(row.starts).date().isoformat(),
                _time(row.starts),
                _time(row.ends),
                round(row.forecast, 3),
                row.actual,
                round(row.plan.traffic_erlangs, 4),
                row.plan.needed,
                row.plan.needed_scheduled,
                row.plan.scheduled,
                row.plan.on_phones,
                round(projected.service_level, 4) if projected else None,
                round(asa, 1) if asa is not None and asa != float("inf") else None,
                round(projected.p_abandon, 4) if projected else None,
                round(projected.occupancy, 4) if projected else None,
            ]
        )
    return rows


@staff_required
def export(request: StaffRequest, fmt: str) -> HttpResponse:
    """The plan's intervals as CSV or as an Excel workbook."""
    form = _plan_form(request, request.GET)
    staffing = _build_plan(request, form) if form.is_valid() else None
    if staffing is None:
        return _render_plan(request, form, None, entered={}, status=400)
    group = staffing.answer_group.code if staffing.answer_group else "center"
    name = f"staffing-{group}-{staffing.days[0].day.isoformat()}"
    rows = _export_rows(staffing)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            _workbook(staffing, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _workbook(staffing: selectors.StaffingPlan, rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "plan"
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    about = book.create_sheet("settings")
    goal = staffing.goal
    accuracy = staffing.accuracy
    for key, value in [
        ("answer_group", formula_safe(staffing.answer_group.name) if staffing.answer_group else ""),
        ("channel", staffing.channel or "all"),
        ("interval_minutes", staffing.interval_seconds // 60),
        ("model", f"Erlang {goal.model}"),
        ("service_level_target", goal.service_level),
        ("answer_seconds", goal.answer_seconds),
        ("patience_seconds", goal.patience_seconds),
        ("shrinkage", goal.shrinkage),
        ("aht_seconds", round(staffing.aht_seconds, 1)),
        ("history_first", staffing.history_first.isoformat()),
        ("history_last", staffing.history_last.isoformat()),
        ("forecast_mape", accuracy.mape if accuracy else None),
        ("forecast_wape", accuracy.wape if accuracy else None),
    ]:
        about.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- what-if ------------------------------------------------------------------------------------


def _what_if_defaults(staffing: selectors.StaffingPlan, fcr: float | None) -> dict[str, Any]:
    opening = selectors.day_opening(staffing.days[0].day)
    return {
        "aht": round(staffing.aht_seconds),
        "closed_at_first_contact": round(
            100 * (fcr if fcr is not None else services.ASSUMED_CLOSED_AT_FIRST_CONTACT)
        ),
        "patience": staffing.goal.patience_seconds and round(staffing.goal.patience_seconds),
        "opens": opening[0] if opening else None,
        "closes": opening[1] if opening else None,
    }


@staff_required
def what_if(request: StaffRequest) -> HttpResponse:
    """A day's plan with the changes to try; posting starts a simulation in the background."""
    source = request.POST if request.method == "POST" else request.GET
    plan_data = source.copy()
    plan_data["period"] = "day"
    form = _plan_form(request, plan_data)
    staffing = _build_plan(request, form) if form.is_valid() else None
    changes = None
    status = 200
    entered: dict[str, str] = {}
    if staffing is not None:
        day = staffing.days[0]
        history = selectors.first_contact_figures(
            answer_group=staffing.answer_group,
            channel=staffing.channel,
            first=staffing.history_first,
            last=staffing.history_last,
        )
        if request.method == "POST":
            changes = WhatIfForm(request.POST, prefix=WHAT_IF_PREFIX)
            entered = _typed_agents(request.POST, day.rows)
            for key, text in entered.items():
                if not text.isdigit():
                    changes.add_error(
                        None, _("Agents at %(time)s: enter a whole number.") % {"time": key[-5:]}
                    )
            if changes.is_valid() and not day.closed_reason:
                data = changes.cleaned_data
                try:
                    run = services.what_if_start(
                        by=request.user,
                        plan=staffing,
                        changes=services.WhatIfChanges(
                            agents={row.starts: int(entered[row.key]) for row in day.rows},
                            aht_seconds=float(data["aht"]),
                            closed_at_first_contact=data["closed_at_first_contact"] / 100,
                            patience_seconds=(
                                None if data["patience"] is None else float(data["patience"])
                            ),
                            opens=data["opens"],
                            closes=data["closes"],
                        ),
                        first_contact=history,
                        query=_plan_query(form),
                    )
                except (WhatIfError, ErlangError, ValidationError) as error:
                    apply_errors(changes, ValidationError(str(error)))
                else:
                    return HttpResponseRedirect(reverse("staffing:what_if_run", args=[run.pk]))
            status = 400
        else:
            changes = WhatIfForm(
                initial=_what_if_defaults(staffing, history.closed_at_first_contact),
                prefix=WHAT_IF_PREFIX,
            )
            entered = {
                row.key: str(
                    row.plan.scheduled
                    if row.plan.scheduled is not None
                    else row.plan.needed_scheduled
                )
                for row in day.rows
            }
    return render(
        request,
        "staffing/what_if.html",
        {
            "form": form,
            "plan": staffing,
            "changes": changes,
            "entered": entered,
            "plan_fields": [form[name] for name in PLAN_FIELDS],
            "query": _plan_query(form),
            "runs": selectors.what_if_runs(user=request.user),
        },
        status=status,
    )


def _run_rows(run: WhatIfRun) -> list[dict[str, Any]]:
    p, result = run.parameters, run.result or {}
    answer = f"{p['answer_times'][0]:g}"
    rows = []
    for i, label in enumerate(p["labels"]):
        row: dict[str, Any] = {"label": label}
        for side in ("plan", "what_if"):
            figures = result.get(side, {}).get("intervals", [{}] * len(p["labels"]))[i]
            row[side] = {
                "calls": p[side]["calls"][i],
                "scheduled": p[side]["scheduled"][i],
                "on_phones": p[side]["on_phones"][i],
                "open": p[side]["open"][i],
                "service_level": (figures.get("service_level") or {}).get(answer),
                "asa": figures.get("asa_seconds"),
                "abandon": figures.get("abandon_rate"),
            }
        rows.append(row)
    return rows


def _run_totals(run: WhatIfRun) -> dict[str, Any]:
    p, result = run.parameters, run.result or {}
    answer = f"{p['answer_times'][0]:g}"
    totals = {}
    for side in ("plan", "what_if"):
        figures = result.get(side, {}).get("totals", {})
        totals[side] = {
            "calls": sum(p[side]["calls"]),
            "agent_hours": sum(p[side]["scheduled"]) * run.interval_minutes / 60,
            "service_level": (figures.get("service_level") or {}).get(answer),
            "asa": figures.get("asa_seconds"),
            "abandon": figures.get("abandon_rate"),
        }
    return totals


def _run_groups(run: WhatIfRun) -> list[dict[str, Any]]:
    """Every answer group's simulated day, plan beside what-if, when the run has several."""
    p, result = run.parameters, run.result or {}
    answer = f"{p['answer_times'][0]:g}"
    plan_groups = result.get("plan", {}).get("groups", {})
    names = selectors.answer_group_names(list(plan_groups))
    rows = []
    for code in plan_groups:
        row: dict[str, Any] = {"code": code, "name": names.get(code, code)}
        for side in ("plan", "what_if"):
            figures = result.get(side, {}).get("groups", {}).get(code, {})
            row[side] = {
                "offered": figures.get("offered"),
                "service_level": (figures.get("service_level") or {}).get(answer),
                "abandon": figures.get("abandon_rate"),
                "overflowed": figures.get("overflowed"),
            }
        rows.append(row)
    return rows


def _run_chart(rows: list[dict[str, Any]]) -> SafeString:
    return charts.render(
        charts.Chart(
            title=_("Service level per interval: plan and what-if"),
            labels=[row["label"] for row in rows],
            percent=True,
            series=[
                charts.Series(_("Plan"), [r["plan"]["service_level"] for r in rows], "needed"),
                charts.Series(
                    _("What-if"), [r["what_if"]["service_level"] for r in rows], "what-if"
                ),
            ],
        )
    )


@staff_required
def what_if_run(request: StaffRequest, pk: int) -> HttpResponse:
    """A what-if run: its progress while it runs, then the day beside the plan."""
    run = selectors.what_if_get(user=request.user, pk=pk)
    context: dict[str, Any] = {"run": run, "done": run.status == RunStatus.DONE}
    if run.status == RunStatus.DONE:
        rows = _run_rows(run)
        context.update(
            rows=rows, totals=_run_totals(run), chart=_run_chart(rows), groups=_run_groups(run)
        )
    template = (
        "staffing/_run_status.html"
        if request.headers.get("HX-Request") and run.status != RunStatus.DONE
        else "staffing/what_if_run.html"
    )
    response = render(request, template, context)
    if request.headers.get("HX-Request") and run.status == RunStatus.DONE:
        response["HX-Refresh"] = "true"
    return response
