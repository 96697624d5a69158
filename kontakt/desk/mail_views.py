"""Answering a new e-mail from the desk: the mail, who sent it, and the answer."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontakt.cases import selectors as case_selectors
from kontakt.cases.models import Case, CaseType, Outcome, Priority
from kontakt.mail import selectors as mail_selectors
from kontakt.mail import services as mail_services
from kontakt.mail.models import InboundMail, MailState
from kontakt.web.forms import StyledForm, Text
from kontakt.web.pages import StaffRequest, apply_errors, front_line_required

OUTCOMES = [
    (Outcome.CLOSED, gettext_lazy("Answered and closed at first contact")),
    (Outcome.FORWARDED, gettext_lazy("Forwarded as a new case")),
    (Outcome.LINKED, gettext_lazy("Linked to the resident's open case")),
]


class MailAnswerForm(StyledForm):
    answer = Text(
        label=gettext_lazy("Answer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=OUTCOMES, initial=Outcome.CLOSED
    )
    case_type: forms.ModelChoiceField[CaseType] = forms.ModelChoiceField(
        label=gettext_lazy("Case type"),
        queryset=CaseType.objects.none(),
        required=False,
        to_field_name="code",
    )
    case: forms.ModelChoiceField[Case] = forms.ModelChoiceField(
        label=gettext_lazy("Open case"),
        queryset=Case.objects.none(),
        required=False,
        to_field_name="reference",
    )
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
    )

    def __init__(self, *args: Any, open_cases: list[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_type"].queryset = case_selectors.case_types_active()  # type: ignore[attr-defined]
        self.fields["case"].queryset = Case.objects.filter(  # type: ignore[attr-defined]
            pk__in=[case.pk for case in open_cases]
        )


def _context(mail: InboundMail, form: MailAnswerForm, open_cases: list[Case]) -> dict[str, Any]:
    return {
        "mail": mail,
        "form": form,
        "resident": mail_selectors.sender_resident(mail),
        "open_cases": open_cases,
        "attachments": list(mail.attachments.all()),
        "answerable": mail.state == MailState.QUEUED,
    }


@front_line_required
def mail_answer(request: StaffRequest, pk: int) -> HttpResponse:
    """The new e-mail handed to the agent, and the form that answers it."""
    mail = mail_selectors.mail_to_answer(user=request.user, pk=pk)
    open_cases = mail_services.open_cases_of(mail)
    form = MailAnswerForm(request.POST or None, open_cases=open_cases)
    if request.method == "POST":
        if mail.state != MailState.QUEUED:
            form.add_error(None, _("This mail is answered already."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                contact = mail_services.mail_answer(
                    mail=mail,
                    answer=mail_services.MailAnswer(
                        answer=data["answer"],
                        outcome=data["outcome"],
                        case_type=data["case_type"],
                        priority=data["priority"],
                        case=data["case"],
                    ),
                    by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            except PermissionDenied as refusal:
                form.add_error(None, str(refusal))
            else:
                if contact.case is not None:
                    messages.success(
                        request,
                        _("Answered; the mail is on case %(ref)s.")
                        % {"ref": contact.case.reference},
                    )
                else:
                    messages.success(request, _("Answered."))
                return HttpResponseRedirect(reverse("desk:desk"))
        status = 400
    else:
        status = 200
    return render(request, "desk/mail.html", _context(mail, form, open_cases), status=status)
