import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User
from .selectors import is_staff_user
from .services import api_token_create

# A language tag as routing compares them: "sv", "nb", "ar", "zh-hant".
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


class StaffUserChangeForm(UserChangeForm):
    """The staff user's page: the languages an agent speaks are a list of language tags
    (routing matches them against contacts' languages)."""

    def clean_languages(self) -> list[str]:
        languages = self.cleaned_data["languages"] or []
        if not isinstance(languages, list) or len(languages) > 20:
            raise forms.ValidationError(
                _('Write a list of at most 20 language codes, e.g. ["sv", "en"].')
            )
        tags = []
        for language in languages:
            tag = language.strip().lower() if isinstance(language, str) else ""
            if not LANGUAGE_TAG.fullmatch(tag):
                raise forms.ValidationError(
                    _("“%(language)s” is not a language code such as sv, nb or en."),
                    params={"language": language},
                )
            tags.append(tag)
        return list(dict.fromkeys(tags))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = StaffUserChangeForm
    list_display = [
        "username",
        "first_name",
        "last_name",
        "department",
        "is_active",
        "out_of_office_from",
        "out_of_office_until",
    ]
    list_filter = ["groups", "department", "is_active"]
    list_select_related = ["department"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Contact center"),
            {
                "fields": (
                    "department",
                    "unit",
                    "phone",
                    "languages",
                    "out_of_office_from",
                    "out_of_office_until",
                    "substitute",
                )
            },
        ),
    )
    autocomplete_fields = ["substitute"]


class ApiTokenAddForm(forms.ModelForm):
    """A new token: whose and what for; the key is made by the service."""

    class Meta:
        model = ApiToken
        fields = ["user", "name"]

    def clean_user(self) -> User:
        user = self.cleaned_data["user"]
        if not is_staff_user(user):
            raise forms.ValidationError(_("This user has no staff role; give them one first."))
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by `api_token_create`: the key is shown once, only its hash kept.
    An existing token's key can be neither shown nor changed; revoke it and make another."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    add_form = ApiTokenAddForm
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return ApiTokenAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def get_form(
        self, request: HttpRequest, obj: ApiToken | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = api_token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("The token's key, shown only now; copy it: %(key)s") % {"key": key},
        )
