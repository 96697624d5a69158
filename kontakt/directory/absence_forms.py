"""Forms of the directory's pages: they parse and translate; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kontakt.web.forms import StyledForm, Text, WindowedDateTimeField

from .models import Absence, AbsenceReason, Employee


class AbsenceForm(StyledForm):
    starts_at = WindowedDateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = WindowedDateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=AbsenceReason.choices)
    note = Text(
        label=_("Note"),
        required=False,
        max_length=Absence._meta.get_field("note").max_length,
        help_text=_("What the operator may tell a caller."),
    )
    substitute: forms.ModelChoiceField[Employee] = forms.ModelChoiceField(
        label=_("Substitute"), queryset=None, required=False, empty_label=_("No substitute")
    )

    def __init__(self, *args, substitutes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = substitutes
