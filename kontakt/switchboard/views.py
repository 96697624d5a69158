"""The operator's console, and the pages where a person answers a message taken for them."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kontakt.accounts.selectors import may_take_calls, may_work_switchboard
from kontakt.directory.models import Employee
from kontakt.telephony import selectors as telephony_selectors
from kontakt.telephony.models import Call
from kontakt.web.forms import StyledForm, Text, WindowedDateTimeField
from kontakt.web.pages import StaffRequest, apply_errors, staff_required

from . import selectors, services
from .links import message_by_key
from .models import CallBack, Message, MessageState, Transfer

SEARCH_LIMIT = 15


def _require_operator(user: Any) -> None:
    if not may_work_switchboard(user):
        raise PermissionDenied


class MessageForm(StyledForm):
    caller_name = forms.CharField(
        label=gettext_lazy("Caller's name"), max_length=200, required=False
    )
    caller_number = forms.CharField(
        label=gettext_lazy("Number to call back"), max_length=40, required=False
    )
    about = Text(
        label=gettext_lazy("What it is about"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    call_back = forms.ChoiceField(
        label=gettext_lazy("Call back"), choices=CallBack.choices, initial=CallBack.ASAP
    )
    call_back_at = WindowedDateTimeField(
        label=gettext_lazy("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


def _call(request: HttpRequest, user: Any) -> Call | None:
    """The call the console is about: the one named, else the one the operator is on."""
    call_id = request.GET.get("call") or request.POST.get("call") or ""
    if not call_id and may_take_calls(user):
        call_id = telephony_selectors.presence_of(user).get("call_id", "")
    return telephony_selectors.call_for_contact(user=user, call_id=call_id) if call_id else None


def _employee(raw: str | None) -> Employee | None:
    if not raw or not raw.isdigit() or len(raw) > 18:
        return None
    return Employee.objects.select_related("unit__department").filter(pk=int(raw)).first()


@staff_required
def console(request: StaffRequest) -> HttpResponse:
    user = request.user
    _require_operator(user)
    call = _call(request, user)
    transfers = (
        list(Transfer.objects.filter(call_id=call.call_id).select_related("employee"))
        if call
        else []
    )
    query = request.GET.get("q", "")[:200]
    for_employee = _employee(request.GET.get("message"))
    message_form = None
    if for_employee is not None:
        message_form = MessageForm(initial={"caller_number": call.caller if call else ""})
    since = timezone.now() - timedelta(days=7)
    context = {
        "call": call,
        "transfers": transfers,
        "returned": next((t for t in transfers if t.state == "returned"), None),
        "query": query,
        "hits": selectors.console_hits(query, limit=SEARCH_LIMIT) if query.strip() else [],
        "message_for": for_employee,
        "message_form": message_form,
        "presence": telephony_selectors.presence_of(user) if may_take_calls(user) else None,
        "not_mine": Message.objects.filter(
            taken_by=user, state=MessageState.NOT_MINE, not_mine_at__gte=since
        ).select_related("employee")[:10],
        "ring_seconds": services.ring_seconds(),
    }
    return render(request, "switchboard/console.html", context)


@staff_required
def search(request: StaffRequest) -> HttpResponse:
    _require_operator(request.user)
    query = request.GET.get("q", "")[:200]
    context = {
        "hits": selectors.console_hits(query, limit=SEARCH_LIMIT) if query.strip() else [],
        "query": query,
        "call": _call(request, request.user),
    }
    return render(request, "switchboard/_hits.html", context)


def _back(request: HttpRequest, call: Call | None, **extra: str) -> HttpResponse:
    params = {"call": call.call_id} if call else {}
    params.update(extra)
    return redirect(f"{reverse('switchboard:console')}?{urlencode(params)}")


@require_POST
@staff_required
def transfer(request: StaffRequest) -> HttpResponse:
    _require_operator(request.user)
    call = _call(request, request.user)
    employee = _employee(request.POST.get("employee"))
    if call is None or employee is None:
        messages.error(request, _("Choose a call and a person to put it through to."))
        return _back(request, call)
    try:
        services.transfer_request(operator=request.user, call=call, employee=employee)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(
            request,
            _("Putting the call through to %(name)s (%(number)s)…")
            % {"name": employee.display_name, "number": employee.direct_number},
        )
    return _back(request, call)


@staff_required
def message_new(request: StaffRequest) -> HttpResponse:
    user = request.user
    _require_operator(user)
    call = _call(request, user)
    employee = _employee(request.POST.get("employee") or request.GET.get("message"))
    if employee is None:
        raise Http404
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = services.MessageDraft(
            employee=employee,
            about=data["about"],
            caller_name=data["caller_name"],
            caller_number=data["caller_number"],
            call_back=data["call_back"],
            call_back_at=data["call_back_at"],
            call=call,
        )
        try:
            services.message_take(operator=user, draft=draft)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Message taken for %(name)s.") % {"name": employee.display_name}
            )
            return _back(request, call)
    context: dict[str, Any] = {
        "call": call,
        "message_for": employee,
        "message_form": form,
        "transfers": [],
        "hits": [],
        "presence": telephony_selectors.presence_of(user) if may_take_calls(user) else None,
        "ring_seconds": services.ring_seconds(),
    }
    return render(
        request,
        "switchboard/console.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_required
def number_given(request: StaffRequest) -> HttpResponse:
    """The caller was given the person's direct number: the contact is logged so."""
    _require_operator(request.user)
    call = _call(request, request.user)
    employee = _employee(request.POST.get("employee"))
    if employee is None:
        raise Http404
    services.number_given(operator=request.user, call=call, employee=employee)
    messages.success(
        request,
        _("Logged: the caller was given %(name)s's number.") % {"name": employee.display_name},
    )
    return redirect(reverse("switchboard:console"))


# The person's side


@staff_required
def my_messages(request: StaffRequest) -> HttpResponse:
    """Messages and calls put through to the signed-in user, as the directory knows them."""
    employee = getattr(request.user, "employee", None)
    if employee is None:
        context: dict[str, Any] = {"employee": None, "open": [], "closed": [], "transfers": []}
        return render(request, "switchboard/my_messages.html", context)
    mine = Message.objects.filter(Q(employee=employee) | Q(escalated_to=employee)).select_related(
        "employee", "taken_by"
    )
    context = {
        "employee": employee,
        "open": mine.filter(state=MessageState.OPEN).order_by("taken_at")[:100],
        "closed": mine.exclude(state=MessageState.OPEN).order_by("-taken_at")[:20],
        "transfers": Transfer.objects.filter(
            employee=employee,
            state="answered",
            requested_at__gte=timezone.now() - timedelta(days=7),
        ).order_by("-requested_at")[:20],
    }
    return render(request, "switchboard/my_messages.html", context)


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_POST
@staff_required
def message_answer(request: StaffRequest, pk: int) -> HttpResponse:
    message = Message.objects.select_related("employee").filter(pk=pk).first()
    if message is None or not services.may_answer_message(request.user, message):
        raise Http404
    _answer(request, message, by=request.user)
    return redirect(_next(request, reverse("switchboard:my_messages")))


@require_POST
@staff_required
def transfer_not_mine(request: StaffRequest, pk: int) -> HttpResponse:
    found = Transfer.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    services.transfer_not_mine(transfer=found, by=request.user)
    messages.info(request, _("Marked as not yours: the switchboard is told."))
    return redirect(reverse("switchboard:my_messages"))


def _answer(request: HttpRequest, message: Message, *, by: Any, key: str = "") -> None:
    action = request.POST.get("action")
    if action == "done":
        services.message_done(message=message, by=by, key=key)
        messages.success(request, _("Marked as done."))
    elif action == "not_mine":
        services.message_not_mine(message=message, by=by, key=key)
        messages.info(request, _("Marked as not yours: it goes back to the switchboard."))


def message_open(request: HttpRequest, key: str) -> HttpResponse:
    """A message by its private link: no account needed."""
    message = message_by_key(key[:100])
    if message is None:
        raise Http404
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        _answer(request, message, by=user, key=key)
        return redirect(request.path)
    return render(request, "switchboard/message.html", {"message": message})
