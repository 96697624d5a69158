"""Staff pages of telephony: the wallboard, crisis mode and the agent's own state.

Access is decided in the selectors and services; a view parses, calls one of them, renders.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontakt.knowledge.models import Article, ArticleStatus
from kontakt.web import charts
from kontakt.web.pages import StaffRequest, apply_errors, staff_required

from . import selectors, services
from .forms import CrisisForm, StateForm


def _back(request: StaffRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@staff_required
def wallboard(request: StaffRequest) -> HttpResponse:
    """The queues live for supervisors: refreshed every second."""
    context = _wallboard_context(request)
    template = (
        "telephony/_wallboard_figures.html"
        if request.headers.get("HX-Request")
        else "telephony/wallboard.html"
    )
    return render(request, template, context)


def _wallboard_context(request: StaffRequest) -> dict[str, Any]:
    now = timezone.now()
    calls = selectors.calls_today(request.user, now=now)
    figures = selectors.live_figures(request.user, now=now, calls=calls)
    intervals = selectors.intervals_today(request.user, now=now, calls=calls)
    chart = charts.Chart(
        title=_("Calls today per 15 minutes: offered, and answered within 20 s"),
        labels=[label for label, _figures in intervals],
        series=[
            charts.Series(_("Offered"), [f.offered for _l, f in intervals], "forecast", bar=True),
            charts.Series(
                _("Answered within 20 s"),
                [f.answered_within.get(20, 0) for _l, f in intervals],
                "needed",
            ),
        ],
    )
    return {"figures": figures, "chart": charts.render(chart), "now": now}


@staff_required
def crisis(request: StaffRequest) -> HttpResponse:
    """Crisis mode: switch on with a message and an article, switch off; the log."""
    log = list(selectors.crisis_log(request.user))
    current = selectors.crisis_current()
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("title")
    form = CrisisForm(request.POST or None, articles=articles)
    if request.method == "POST":
        try:
            if request.POST.get("switch") == "off":
                services.crisis_switch_off(by=request.user)
                messages.success(request, _("Crisis mode is off."))
                return redirect("telephony:crisis")
            if form.is_valid():
                services.crisis_switch_on(
                    message=form.cleaned_data["message"],
                    article=form.cleaned_data["article"],
                    by=request.user,
                )
                messages.success(request, _("Crisis mode is on."))
                return redirect("telephony:crisis")
        except ValidationError as error:
            apply_errors(form, error)
    elif current is not None:
        form = CrisisForm(
            initial={"message": current.message, "article": current.article_id},
            articles=articles,
        )
    return render(
        request,
        "telephony/crisis.html",
        {"form": form, "current": current, "log": log},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def state_set(request: StaffRequest) -> HttpResponse:
    """The agent sets their state from the desktop (a form, or htmx/JSON)."""
    form = StateForm(request.POST)
    error_messages: list[str] = []
    if form.is_valid():
        try:
            selectors.require_call_taker(request.user)
            services.presence_change(
                agent=request.user,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            error_messages = list(error.messages)
    else:
        error_messages = [str(m) for errors in form.errors.values() for m in errors]
    if request.headers.get("Accept", "").startswith("application/json"):
        body = selectors.presence_of(request.user)
        if error_messages:
            return JsonResponse({**body, "errors": error_messages}, status=400)
        return JsonResponse(body)
    for message in error_messages:
        messages.error(request, message)
    return redirect(_back(request, "/desk/"))


@staff_required
def state(request: StaffRequest) -> HttpResponse:
    """The agent's own state as JSON (the desktop reads it on load and after a reconnect)."""
    return JsonResponse(selectors.presence_of(request.user))


@staff_required
@require_POST
def work_done(request: StaffRequest, pk: int) -> HttpResponse:
    """The agent is done with a callback, chat or e-mail they were handed."""
    queued = get_object_or_404(selectors.work_visible_to(request.user), pk=pk)
    services.queued_contact_done(queued=queued, by=request.user)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"id": queued.pk, "state": "done"})
    return redirect(_back(request, "/desk/"))
