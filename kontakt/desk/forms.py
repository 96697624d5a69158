"""Forms of the staff pages: they parse and translate; services decide."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kontakt.accounts.models import User
from kontakt.cases.attachments import allowed_type_names
from kontakt.cases.models import Channel, Outcome, Priority
from kontakt.directory.models import Department
from kontakt.residents.models import FeedbackChannel, ResidentKind
from kontakt.residents.services import preferred_language_choices
from kontakt.web.forms import StyledForm, Text


class ResidentSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Name, phone, e-mail, identity number or case reference"), max_length=200
    )


class ContactForm(StyledForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    case_type = forms.CharField(label=_("Case type"), max_length=200, required=False)
    summary = Text(
        label=_("What was it about?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10_000,
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    case_reference = forms.CharField(required=False, max_length=24)
    department = forms.ModelChoiceField(
        label=_("Forward to"),
        queryset=Department.objects.filter(active=True),
        required=False,
        to_field_name="code",
        empty_label=_("The case type's department"),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    call = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)


class ResidentForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ResidentKind.choices, initial=ResidentKind.PERSON
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    identity_number = forms.CharField(
        label=_("National identity number"), max_length=20, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    # The languages residents may prefer (KONTAKT["RESIDENT_LANGUAGES"]).
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=preferred_language_choices, initial="sv"
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred feedback channel"),
        choices=FeedbackChannel.choices,
        initial=FeedbackChannel.PHONE,
    )


class NoteForm(StyledForm):
    body = Text(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )


class MessageForm(StyledForm):
    body = Text(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("out", _("To the resident")), ("in", _("From the resident"))],
        initial="out",
    )
    # A message on the web form's channel is read on My pages (the resident gets a notice).
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (value, _("My pages") if value == Channel.WEB_FORM else label)
            for value, label in Channel.choices
        ],
        initial=Channel.EMAIL,
    )


class StatusForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("open", _("Open")),
            ("waiting", _("Waiting for resident")),
            ("closed", _("Closed")),
        ],
    )
    resolution = Text(
        label=_("Resolution"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20_000,
    )
    note = forms.CharField(required=False, max_length=20_000)


class ForwardForm(StyledForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(active=True),
        to_field_name="code",
        empty_label=_("Choose a department"),
    )
    note = Text(
        label=_("Note to the department"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=20_000,
    )


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s, at most %(mb)d MB.") % {
            "types": allowed_type_names(),
            "mb": -(-settings.KONTAKT["ATTACHMENT_MAX_BYTES"] // 2**20),
        }


class AbsenceForm(StyledForm):
    out_of_office_from = forms.DateField(
        label=_("Out of office from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    out_of_office_until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    substitute: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Substitute"), queryset=None, required=False, empty_label=_("No substitute")
    )

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = colleagues
