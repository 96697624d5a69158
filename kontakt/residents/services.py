"""Writes of residents: identity numbers validated by checksum, phones normalised."""

from dataclasses import dataclass, field

import phonenumbers
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_log_contacts
from kontakt.core.identity import IdentityCountry, InvalidIdentityNumber, parse_identity_number
from kontakt.web.schemas import is_storable, unstorable_text_message

from .models import (
    FeedbackChannel,
    Resident,
    ResidentAccess,
    ResidentEmail,
    ResidentKind,
    ResidentPhone,
)
from .selectors import normalize_phone

IDENTITY_MESSAGES = {
    "format": gettext_lazy("This is not a Swedish personnummer or a Norwegian fødselsnummer."),
    "checksum": gettext_lazy("The check digit is wrong; look at the number again."),
    "date": gettext_lazy("The number does not hold a real date of birth."),
}


@dataclass
class ResidentDraft:
    """What staff give to register or update a resident."""

    name: str
    kind: str = ResidentKind.PERSON
    identity_number: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    preferred_language: str = "sv"
    preferred_channel: str = FeedbackChannel.PHONE


def phone_number(raw: str) -> str | None:
    """The number in E.164 ('+46701234567'), or None when it is no number anyone can have:
    digits of any script are read as digits, and the number must be valid in its country's
    numbering plan (Google's libphonenumber data, through `phonenumbers`)."""
    normalized = normalize_phone(raw)
    if not normalized.startswith("+") or len(normalized) > 20:
        return None
    try:
        number = phonenumbers.parse(normalized, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Names of languages residents often prefer; any other configured code is named by Django's
# table of languages, or shown as its code.
LANGUAGE_NAMES = {
    "sv": gettext_lazy("Swedish"),
    "nb": gettext_lazy("Norwegian Bokmål"),
    "nn": gettext_lazy("Norwegian Nynorsk"),
    "en": gettext_lazy("English"),
    "ar": gettext_lazy("Arabic"),
    "so": gettext_lazy("Somali"),
    "fi": gettext_lazy("Finnish"),
}


def preferred_languages() -> list[str]:
    """The languages a resident may prefer: KONTAKT["RESIDENT_LANGUAGES"]."""
    return list(settings.KONTAKT["RESIDENT_LANGUAGES"])


def preferred_language_choices() -> list[tuple[str, str]]:
    """The configured languages with their names in the current language."""
    choices = []
    for code in preferred_languages():
        name = LANGUAGE_NAMES.get(code) or LANG_INFO.get(code, {}).get("name", code)
        choices.append((code, str(name)))
    return choices


def _clean(draft: ResidentDraft) -> tuple[str, str, list[str], list[str]]:
    """Validate a draft; returns the identity number, its country, phones and e-mails."""
    errors: dict[str, list[str]] = {}
    if not draft.name.strip():
        errors["name"] = [_("Write the resident's name.")]
    elif len(draft.name) > 200:
        errors["name"] = [_("The name can have at most 200 characters.")]
    if draft.kind not in ResidentKind.values:
        errors["kind"] = [_("Choose person or organisation.")]
    if draft.preferred_channel not in FeedbackChannel.values:
        errors["preferred_channel"] = [_("Choose a feedback channel from the list.")]
    if draft.preferred_language and draft.preferred_language not in preferred_languages():
        errors["preferred_language"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(preferred_languages())}
        ]
    for name in ("street_address", "postal_code", "city"):
        limit = getattr(Resident._meta.get_field(name), "max_length", 0)
        if len(getattr(draft, name).strip()) > limit:
            errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
    texts = [draft.name, draft.identity_number, draft.street_address, draft.postal_code]
    texts += [draft.city, *draft.phones, *draft.emails]
    if not all(is_storable(text) for text in texts):
        errors["__all__"] = [unstorable_text_message()]
    number, country = "", ""
    if draft.identity_number.strip():
        try:
            identity = parse_identity_number(draft.identity_number, today=timezone.localdate())
        except InvalidIdentityNumber as error:
            errors["identity_number"] = [str(IDENTITY_MESSAGES.get(error.code, error))]
        else:
            number, country = identity.normalized, str(identity.country)
    phones = []
    for raw in draft.phones:
        if not raw.strip():
            continue
        phone = phone_number(raw)
        if phone is None:
            errors.setdefault("phones", []).append(
                _("“%(phone)s” is not a phone number.") % {"phone": raw}
            )
        else:
            phones.append(phone)
    emails = []
    for raw in draft.emails:
        if not raw.strip():
            continue
        try:
            if len(raw.strip()) > getattr(
                ResidentEmail._meta.get_field("address"), "max_length", 254
            ):
                raise ValidationError("too long")
            validate_email(raw.strip())
        except ValidationError:
            errors.setdefault("emails", []).append(
                _("“%(email)s” is not an e-mail address.") % {"email": raw}
            )
        else:
            emails.append(raw.strip().lower())
    if errors:
        raise ValidationError(errors)
    return number, country, list(dict.fromkeys(phones)), list(dict.fromkeys(emails))


def _write(resident: Resident, draft: ResidentDraft, number: str, country: str) -> None:
    resident.kind = draft.kind
    resident.name = draft.name.strip()
    resident.identity_number = number
    resident.identity_country = country
    resident.street_address = draft.street_address.strip()
    resident.postal_code = draft.postal_code.strip()
    resident.city = draft.city.strip()
    resident.preferred_language = draft.preferred_language or "sv"
    resident.preferred_channel = draft.preferred_channel


def _duplicate_identity() -> ValidationError:
    return ValidationError(
        {"identity_number": [_("A resident with this number is already registered.")]}
    )


def resident_check(*, draft: ResidentDraft, resident: Resident | None = None) -> None:
    """Refuse a draft that `resident_create` (or, for a resident given, `resident_update`)
    would refuse, with every field's reason: for forms that validate before they save."""
    number, country, _phones, _emails = _clean(draft)
    clash = Resident.objects.filter(identity_country=country, identity_number=number)
    if resident is not None:
        clash = clash.exclude(pk=resident.pk)
    if number and clash.exists():
        raise _duplicate_identity()


def resident_create(*, draft: ResidentDraft, by: User | None) -> Resident:
    """Register a resident with their phones and e-mail addresses; `by` None is a resident
    who registers through a channel of their own (the intake decides)."""
    if by is not None and not may_log_contacts(by):
        raise PermissionDenied(_("You may not register residents."))
    number, country, phones, emails = _clean(draft)
    if (
        number
        and Resident.objects.filter(identity_country=country, identity_number=number).exists()
    ):
        raise _duplicate_identity()
    resident = Resident()
    _write(resident, draft, number, country)
    try:
        with transaction.atomic():
            resident.save()
            ResidentPhone.objects.bulk_create(
                ResidentPhone(resident=resident, number=p) for p in phones
            )
            ResidentEmail.objects.bulk_create(
                ResidentEmail(resident=resident, address=e) for e in emails
            )
    except IntegrityError as error:
        raise _duplicate_identity() from error
    return resident


def resident_update(*, resident: Resident, draft: ResidentDraft, by: User) -> Resident:
    """Change a resident's details; their phones and e-mails become those given."""
    if not may_log_contacts(by):
        raise PermissionDenied(_("You may not change residents."))
    number, country, phones, emails = _clean(draft)
    clash = Resident.objects.filter(identity_country=country, identity_number=number).exclude(
        pk=resident.pk
    )
    if number and clash.exists():
        raise _duplicate_identity()
    _write(resident, draft, number, country)
    with transaction.atomic():
        resident.save()
        resident.phones.exclude(number__in=phones).delete()
        known = set(resident.phones.values_list("number", flat=True))
        ResidentPhone.objects.bulk_create(
            ResidentPhone(resident=resident, number=p) for p in phones if p not in known
        )
        resident.emails.exclude(address__in=emails).delete()
        known = set(resident.emails.values_list("address", flat=True))
        ResidentEmail.objects.bulk_create(
            ResidentEmail(resident=resident, address=e) for e in emails if e not in known
        )
    return resident


def resident_access_log(*, resident: Resident, user: User, what: str) -> None:
    """Record that a user opened a resident's record (who read which resident's data)."""
    ResidentAccess.objects.create(resident=resident, user=user, what=what[:40])


__all__ = ["IdentityCountry", "ResidentDraft", "resident_create", "resident_update"]
