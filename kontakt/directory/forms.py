"""Forms of the directory's pages: they parse and translate; services decide."""

import re
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kontakt.web.forms import StyledForm

from .models import Employee, Unit

_LANGUAGE = re.compile(r"[a-z]{2,3}")


class SearchForm(StyledForm):
    q = forms.CharField(
        label=_("Name, unit, title, what they answer about, or number"),
        max_length=200,
        required=False,
    )


def phone_e164(raw: str) -> str:
    """A number as typed ("040-628 12 34", "+47 22 12 34 56") in E.164, or a field error.
    Without a country code it is read as Swedish, or Norwegian with eight digits."""
    text = raw.strip()
    if not text:
        return ""
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        digits = ("+47" + digits) if len(digits) == 8 else ("+46" + digits.lstrip("0"))
    try:
        number = phonenumbers.parse(digits, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a telephone number, e.g. 040-628 12 34."), code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class EmployeeForm(StyledForm):
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    display_name = forms.CharField(
        label=_("Name as shown"),
        max_length=200,
        required=False,
        help_text=_("Left empty: the given and family names."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    direct_number = forms.CharField(label=_("Direct number"), max_length=40, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    languages = forms.CharField(
        label=_("Languages"),
        max_length=100,
        required=False,
        help_text=_("Language codes separated by commas, e.g. sv, en, ar."),
    )
    keywords = forms.CharField(
        label=_("Ask me about"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What callers ask this person about, for when they do not know a name."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units

    def clean_direct_number(self) -> str:
        return phone_e164(self.cleaned_data["direct_number"])

    def clean_mobile(self) -> str:
        return phone_e164(self.cleaned_data["mobile"])

    def clean_languages(self) -> list[str]:
        codes = [code.strip().lower() for code in self.cleaned_data["languages"].split(",")]
        codes = [code for code in codes if code]
        for code in codes:
            if not _LANGUAGE.fullmatch(code):
                raise ValidationError(
                    _("“%(code)s” is not a language code such as sv or en.") % {"code": code}
                )
        return list(dict.fromkeys(codes))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given, family = data.get("given_name", ""), data.get("family_name", "")
        if not data.get("display_name"):
            data["display_name"] = " ".join(part for part in (given, family) if part)
        if not data["display_name"] and not self.has_error("display_name"):
            self.add_error("display_name", _("Give the person a name."))
        return data

    def values(self) -> dict[str, Any]:
        """What `employee_save` is given."""
        data = self.cleaned_data
        return {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "display_name": data["display_name"],
            "title": data["title"],
            "unit_id": data["unit"].pk,
            "direct_number": data["direct_number"],
            "mobile": data["mobile"],
            "email": data["email"],
            "languages": data["languages"],
            "keywords": data["keywords"],
        }


def employee_initial(employee: Employee) -> dict[str, Any]:
    return {
        "given_name": employee.given_name,
        "family_name": employee.family_name,
        "display_name": employee.display_name,
        "title": employee.title,
        "unit": employee.unit_id,
        "direct_number": employee.direct_number,
        "mobile": employee.mobile,
        "email": employee.email,
        "languages": ", ".join(employee.languages or []),
        "keywords": employee.keywords,
    }
