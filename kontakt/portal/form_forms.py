"""The web form's fields: the case type's own questions, the place, the text, the files and
how to answer. Every message is in the resident's language; the checks of the place and the
answers are the cases' own (`questions.place_check`, `questions.answers_check`), the same as
Open311's."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from kontakt.cases.models import AttributeType, CaseType, CaseTypeAttribute
from kontakt.cases.questions import ADDRESS_MAX, Place, answers_check, place_check
from kontakt.residents.models import FeedbackChannel
from kontakt.residents.services import phone_number
from kontakt.web.forms import StyledForm, Text, validate_storable_text

DESCRIPTION_MAX = 5000
NAME_MAX = 200
CHANNELS = [
    (FeedbackChannel.EMAIL, _("E-mail")),
    (FeedbackChannel.SMS, _("SMS")),
    (FeedbackChannel.MY_PAGES, _("Only on My pages")),
]
# Where place_check names its fields (Open311's names) → this form's.
PLACE_FIELDS = {"lat": "latitude", "long": "longitude", "address_string": "address"}


def attribute_field_name(code: str) -> str:
    """The form's name for a question: Open311's `attribute[<code>]`."""
    return f"attribute[{code}]"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once; each is checked by the service, not here."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


def _question_field(question: CaseTypeAttribute) -> forms.Field:
    choices = [
        (str(value.get("key")), str(value.get("name") or value.get("key")))
        for value in question.values
        if isinstance(value, dict)
    ]
    common: dict[str, Any] = {
        "label": question.question,
        "required": False,  # answers_check decides, with its own words
        "help_text": question.description,
    }
    kind = question.datatype
    if kind == AttributeType.SINGLE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == AttributeType.MULTI:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == AttributeType.TEXT:
        return Text(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == AttributeType.NUMBER:
        return forms.CharField(
            max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
        )
    if kind == AttributeType.DATETIME:
        return forms.CharField(
            max_length=40,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            **common,
        )
    return forms.CharField(max_length=200, **common)


class WebForm(StyledForm):
    """One matter of one case type, from a resident."""

    address = forms.CharField(
        label=_("Address or place"),
        required=False,
        max_length=ADDRESS_MAX,
        help_text=_("A street address, or a place people know, e.g. “the playground in Ekparken”."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=20,
        help_text=_("Optional, in decimal degrees, e.g. 59.3293."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=20,
        help_text=_("Optional, in decimal degrees, e.g. 18.0686."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    description = Text(
        label=_("Describe your matter"),
        max_length=DESCRIPTION_MAX,
        help_text=_("What has happened, and what you would like us to do."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write what your matter is about.")},
    )
    attachments = MultipleFileField(label=_("Attach files"), required=False)
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Write your name.")},
    )
    feedback_channel = forms.ChoiceField(
        label=_("How do you want to hear from us?"),
        choices=CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you want to hear from us.")},
    )
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        help_text=_("For answers by e-mail, and for the receipt with the link to My pages."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=40,
        help_text=_("For SMS, e.g. 070-123 45 67 or +47 412 34 567."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that the municipality keeps what I have written to handle my matter."),
        error_messages={"required": _("Tick the box, or call us instead.")},
    )
    # The honeypot: hidden from people (CSS and the accessibility tree), filled by robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    pow_challenge = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    pow_solution = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, case_type: CaseType, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        self.questions = list(case_type.attributes.all())
        for question in self.questions:
            name = attribute_field_name(question.code)
            field = _question_field(question)
            if isinstance(field, forms.CharField):
                field.validators.append(validate_storable_text)
                field.widget.attrs.setdefault("class", "ds-input")
            self.fields[name] = field
        if not case_type.ask_location:
            for name in ("address", "latitude", "longitude"):
                del self.fields[name]
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["consent"].widget.attrs["aria-describedby"] = "consent-text"
        self.fields["consent"].widget.attrs.update({"class": "ds-input"})
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "ds-input"
                continue
            if field.help_text and "aria-describedby" not in field.widget.attrs:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"
        self.place: Place | None = None
        self.answers: dict[str, object] = {}

    @property
    def required_names(self) -> set[str]:
        """The fields the resident must fill (the questions by the case type's word)."""
        names = {"description", "name", "feedback_channel", "consent"}
        names |= {attribute_field_name(q.code) for q in self.questions if q.required}
        return names

    def describe_errors(self) -> None:
        """Tie each field's messages to it (aria-describedby) and mark it invalid."""
        for name in self.errors:
            if name not in self.fields:
                continue
            field = self.fields[name]
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            auto_id = self[name].auto_id
            hint = f"{auto_id}-hint" if field.help_text else ""
            if name == "consent":
                hint = "consent-text"
            field.widget.attrs["aria-describedby"] = f"{hint} {auto_id}-error".strip()
            field.widget.attrs["aria-invalid"] = "true"

    def question_fields(self) -> list[forms.BoundField]:
        return [self[attribute_field_name(q.code)] for q in self.questions]

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        number = phone_number(raw)
        if number is None:
            raise ValidationError(_("Give a mobile number, e.g. 070-123 45 67 or +47 412 34 567."))
        return number

    def clean_email(self) -> str:
        raw = self.cleaned_data.get("email", "").strip()
        if raw:
            try:
                validate_email(raw)
            except ValidationError:
                raise ValidationError(_("Give an e-mail address, e.g. name@example.se.")) from None
        return raw.lower()

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data.get("name", "").split())
        if not name:
            raise ValidationError(_("Write your name."))
        return name

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise ValidationError(_("Leave this field empty."))
        return ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("feedback_channel")
        if (
            channel == FeedbackChannel.EMAIL
            and not data.get("email")
            and "email" not in self.errors
        ):
            self.add_error("email", _("Give the e-mail address we should write to."))
        if channel == FeedbackChannel.SMS and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Give the mobile number we should send the SMS to."))
        if self.case_type.ask_location and not any(
            name in self.errors for name in ("address", "latitude", "longitude")
        ):
            try:
                self.place = place_check(
                    latitude=data.get("latitude") or None,
                    longitude=data.get("longitude") or None,
                    address=data.get("address", ""),
                )
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(PLACE_FIELDS.get(key), message)
        answers = {
            q.code: data.get(attribute_field_name(q.code))
            for q in self.questions
            if attribute_field_name(q.code) not in self.errors
        }
        try:
            self.answers = answers_check(case_type=self.case_type, answers=answers)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                if key in self.fields and key not in self.errors:
                    for message in messages:
                        self.add_error(key, message)
        return data


def attachments_max() -> int:
    return int(settings.KONTAKT["WEB_FORM"]["ATTACHMENTS_MAX"])
