from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kontakt.core.presence import CHOSEN_STATES
from kontakt.knowledge.models import Article

from .selectors import STATE_LABELS

# Reasons offered for a pause; any other may be typed.
PAUSE_REASONS = [_("Lunch"), _("Break"), _("Meeting"), _("Training"), _("Other work")]


class StateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[(state.value, STATE_LABELS[state]) for state in CHOSEN_STATES],
    )
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)


class CrisisForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Callers hear it instead of the greeting; every agent sees it on top."),
    )
    article: forms.ModelChoiceField[Article] = forms.ModelChoiceField(
        label=_("Article to pin"),
        queryset=None,
        required=False,
        empty_label=_("No article"),
        help_text=_("Shown first in every search while crisis mode is on."),
    )

    def __init__(
        self, data: QueryDict | None = None, *, articles: QuerySet[Article], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        field = self.fields["article"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = articles
