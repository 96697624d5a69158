"""Forms of the letters' pages: they parse and translate; the services decide."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontakt.cases.models import CaseType, Outcome
from kontakt.cases.selectors import case_types_active
from kontakt.web.forms import StyledForm, Text, WindowedDateField

from .models import LetterState


class ScansInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScansField(forms.FileField):
    """One or several files; each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", ScansInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.tif,.tiff"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        if isinstance(data, list | tuple):
            data = None  # none chosen: the field's own "required"
        return [single(data, initial)]


class UploadForm(StyledForm):
    scans = ScansField(label=_("Scanned letters"))
    received_on = WindowedDateField(
        label=_("Received on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the letters came; today if left empty."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scans"].help_text = _("PDF, JPEG, PNG or TIFF, at most %(mb)d MB each.") % {
            "mb": -(-settings.KONTAKT["LETTERS"]["MAX_BYTES"] // 2**20)
        }

    def clean_received_on(self) -> Any:
        day = self.cleaned_data.get("received_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("A letter cannot arrive in the future."))
        return day


class SearchForm(StyledForm):
    q = forms.CharField(label=_("Words in the letter or its name"), max_length=200, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any")), *LetterState.choices], required=False
    )


class ResidentSearchForm(StyledForm):
    q = forms.CharField(label=_("Name, phone, e-mail or identity number"), max_length=200)


OUTCOMES = [
    (Outcome.FORWARDED, _("New case, forwarded to its department")),
    (Outcome.LINKED, _("Linked to an open case")),
    (Outcome.CLOSED, _("Closed at first contact")),
]


class RegisterForm(StyledForm):
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    new_street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    new_postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    new_city = forms.CharField(label=_("City"), max_length=100, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES, initial=Outcome.FORWARDED)
    case_type: forms.ModelChoiceField[CaseType] = forms.ModelChoiceField(
        label=_("Case type"),
        queryset=CaseType.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Choose a case type"),
    )
    case_reference = forms.CharField(
        label=_("Reference of the open case"), max_length=24, required=False
    )
    note = Text(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10_000,
        help_text=_("What the letter is about; its first lines if left empty."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_type"].queryset = case_types_active()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("resident") and data.get("new_name", "").strip():
            self.add_error("new_name", _("Choose a found resident or give a new one, not both."))
        if not data.get("resident") and not data.get("new_name", "").strip():
            self.add_error(
                "new_name", _("Find the resident who wrote, or give the name of a new one.")
            )
        outcome = data.get("outcome")
        if outcome == Outcome.LINKED and not data.get("case_reference", "").strip():
            self.add_error("case_reference", _("Give the reference of the open case."))
        if outcome == Outcome.FORWARDED and data.get("case_type") is None:
            self.add_error("case_type", _("Choose the case type of the case to open."))
        return data
