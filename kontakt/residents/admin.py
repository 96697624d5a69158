"""Admin of residents: a resident is validated and written by the residents service, as on
the desk (identity-number checksum, phones normalised, e-mails checked); the access log is
to read."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kontakt.web.forms import Text

from . import services
from .models import Resident, ResidentAccess

# The service's names of fields this form names otherwise.
DRAFT_FIELDS = {
    "identity_number": "identity",
    "phones": "phone_numbers",
    "emails": "email_addresses",
}


def phone_numbers(resident: Resident) -> str:
    return "\n".join(p.number for p in resident.phones.order_by("id"))


def email_addresses(resident: Resident) -> str:
    return "\n".join(e.address for e in resident.emails.order_by("id"))


class ResidentAdminForm(forms.ModelForm):
    """The fields of a `ResidentDraft`; the service decides what is valid and what is stored
    (the identity number, typed in any form the service reads, normalised with its country;
    phones and e-mails one a line)."""

    identity = forms.CharField(label=_("national identity number"), max_length=20, required=False)
    phone_numbers = Text(
        label=_("phone numbers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line."),
    )
    email_addresses = Text(
        label=_("e-mail addresses"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line."),
    )

    class Meta:
        model = Resident
        fields = [
            "kind",
            "name",
            "street_address",
            "postal_code",
            "city",
            "preferred_language",
            "preferred_channel",
            "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        resident = self.instance
        if resident.pk:
            self.initial.setdefault("identity", resident.identity_number)
            self.initial.setdefault("phone_numbers", phone_numbers(resident))
            self.initial.setdefault("email_addresses", email_addresses(resident))

    def draft(self) -> services.ResidentDraft:
        data = self.cleaned_data
        return services.ResidentDraft(
            name=data["name"],
            kind=data["kind"],
            identity_number=data["identity"],
            phones=data["phone_numbers"].splitlines(),
            emails=data["email_addresses"].splitlines(),
            street_address=data["street_address"],
            postal_code=data["postal_code"],
            city=data["city"],
            preferred_language=data["preferred_language"],
            preferred_channel=data["preferred_channel"],
        )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if not self.errors:  # each field is itself valid: now the service's rules
            try:
                services.resident_check(
                    draft=self.draft(), resident=self.instance if self.instance.pk else None
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    field = DRAFT_FIELDS.get(name, name)
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    form = ResidentAdminForm
    list_display = ["name", "kind", "city", "preferred_language", "preferred_channel"]
    list_filter = ["kind", "preferred_channel", "preferred_language"]
    search_fields = ["name", "phones__number", "emails__address"]
    fields = [
        "kind",
        "name",
        "identity",
        "phone_numbers",
        "email_addresses",
        "street_address",
        "postal_code",
        "city",
        "preferred_language",
        "preferred_channel",
        "notes",
    ]

    # Shown in place of the form's fields to those who only read.
    @admin.display(description=_("national identity number"))
    def identity(self, resident: Resident) -> str:
        return resident.identity_number

    @admin.display(description=_("phone numbers"))
    def phone_numbers(self, resident: Resident) -> str:
        return phone_numbers(resident)

    @admin.display(description=_("e-mail addresses"))
    def email_addresses(self, resident: Resident) -> str:
        return email_addresses(resident)

    def save_model(
        self, request: HttpRequest, obj: Resident, form: ResidentAdminForm, change: bool
    ) -> None:
        """Written by the service; the notes, which it does not keep, alongside."""
        draft = form.draft()
        if change:
            services.resident_update(resident=obj, draft=draft, by=request.user)  # type: ignore[arg-type]
            return
        resident = services.resident_create(draft=draft, by=request.user)  # type: ignore[arg-type]
        Resident.objects.filter(pk=resident.pk).update(notes=obj.notes)
        obj.pk = resident.pk
        obj.refresh_from_db()


@admin.register(ResidentAccess)
class ResidentAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "resident", "what"]
    list_select_related = ["user", "resident"]
    readonly_fields = ["at", "user", "resident", "what"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
