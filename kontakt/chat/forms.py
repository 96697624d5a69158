"""The agent's form that ends a chat and logs it as a contact."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kontakt.cases.models import CaseType, Outcome
from kontakt.web.forms import StyledForm

# How a chat can end: answered there and then, or a case opened or joined.
END_OUTCOMES = [
    (Outcome.CLOSED.value, Outcome.CLOSED.label),
    (Outcome.FORWARDED.value, Outcome.FORWARDED.label),
    (Outcome.LINKED.value, Outcome.LINKED.label),
]


class ChatEndForm(StyledForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=END_OUTCOMES)
    case_type = forms.ModelChoiceField(
        label=_("Case type"),
        queryset=CaseType.objects.filter(active=True).select_related("department"),
        to_field_name="code",
        required=False,
        empty_label="–",
    )
    case_reference = forms.CharField(label=_("Case to link to"), max_length=24, required=False)
    summary = forms.CharField(
        label=_("What was it about?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )


def chat_panels(chats: list) -> list:
    """The agent's chats, each with its own end form (field ids differ by chat)."""
    for chat in chats:
        chat.end_form = ChatEndForm(prefix=f"chat{chat.pk}")
    return chats
