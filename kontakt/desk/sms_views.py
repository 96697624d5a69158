"""The agent's page for a text message that started a new contact: read it, see who sent
it, answer by SMS and log the contact through the intake (kontakt/sms/services.py)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kontakt.cases import selectors as case_selectors
from kontakt.cases import services as case_services
from kontakt.cases.models import Outcome, Priority
from kontakt.core.sms_parts import sms_parts
from kontakt.sms import selectors as sms_selectors
from kontakt.sms import services as sms_services
from kontakt.sms.models import InboundSms, InboundState
from kontakt.web.forms import StyledForm, Text
from kontakt.web.pages import StaffRequest, apply_errors, front_line_required

from .views import case_type_from

OUTCOMES = [
    (Outcome.CLOSED, gettext_lazy("Answered, closed at first contact")),
    (Outcome.FORWARDED, gettext_lazy("Forwarded as a new case")),
    (Outcome.LINKED, gettext_lazy("Linked to an open case")),
]


class SmsAnswerForm(StyledForm):
    answer = Text(
        label=gettext_lazy("Answer by SMS"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=sms_services.ANSWER_MAX,
    )
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=OUTCOMES)
    case_type = forms.CharField(label=gettext_lazy("Case type"), max_length=200, required=False)
    case_reference = forms.CharField(
        label=gettext_lazy("Open case (for linked)"), max_length=24, required=False
    )
    summary = Text(
        label=gettext_lazy("What was it about?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=10_000,
    )
    name = forms.CharField(
        label=gettext_lazy("Resident's name (registers the number)"),
        max_length=200,
        required=False,
    )
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
    )


def _context(request: StaffRequest, inbound: InboundSms, form: SmsAnswerForm) -> dict[str, Any]:
    resident = inbound.resident
    return {
        "inbound": inbound,
        "form": form,
        "parts": sms_parts(inbound.text),
        "open_cases": list(
            case_selectors.open_cases_of_resident(user=request.user, resident_id=resident.pk)
        )
        if resident is not None
        else [],
        "case_types": list(case_selectors.case_types_active()),
        "logged": inbound.state == InboundState.LOGGED,
        "answerable": inbound.sender.startswith("+"),
    }


@front_line_required
@require_http_methods(["GET", "HEAD", "POST"])
def sms(request: StaffRequest, inbound_id: int) -> HttpResponse:
    inbound = sms_selectors.inbound_get(user=request.user, inbound_id=inbound_id)
    if request.method != "POST":
        initial = {"outcome": Outcome.LINKED if inbound.case_id else Outcome.CLOSED}
        return render(
            request, "desk/sms.html", _context(request, inbound, SmsAnswerForm(initial=initial))
        )
    form = SmsAnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = None
            if data["outcome"] == Outcome.LINKED and data["case_reference"].strip():
                case = case_selectors.case_get(
                    user=request.user, reference=data["case_reference"].strip()
                )
            contact = sms_services.sms_answer(
                inbound=inbound,
                answer=sms_services.SmsAnswer(
                    contact=case_services.ContactDraft(
                        channel="sms",
                        outcome=data["outcome"],
                        summary=data["summary"] or inbound.text[:500],
                        case_type=case_type_from(data["case_type"]),
                        case=case,
                        priority=data["priority"],
                    ),
                    answer=data["answer"],
                    name=data["name"],
                ),
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if contact.case is not None:
                messages.success(
                    request, _("Contact logged on case %(ref)s.") % {"ref": contact.case.reference}
                )
            else:
                messages.success(request, _("Contact logged."))
            target = reverse("desk:desk")
            if contact.resident_id is not None:
                target += f"?resident={contact.resident_id}"
            return HttpResponseRedirect(target)
    inbound = sms_selectors.inbound_get(user=request.user, inbound_id=inbound_id)
    return render(request, "desk/sms.html", _context(request, inbound, form), status=400)
