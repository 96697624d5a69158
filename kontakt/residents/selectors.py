"""Reads of residents, with access control applied here."""

import re
import unicodedata
from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import (
    may_see_identity_number,
    sees_all_departments,
    works_department_only,
)
from kontakt.core.identity import (
    IdentityCountry,
    InvalidIdentityNumber,
    format_identity_number,
    mask_identity_number,
    parse_identity_number,
)

from .models import Resident


def ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic '٠٧٠', full-width '０７０') as ASCII digits."""
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
        for char in text
    )


def normalize_phone(raw: str) -> str:
    """A phone number as digits with a country prefix: '070-123 45 67' -> '+46701234567'."""
    digits = re.sub(r"[^0-9+]", "", ascii_digits(raw.strip()))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+"):
        return "+" + re.sub(r"[^0-9]", "", digits)
    digits = re.sub(r"[^0-9]", "", digits)
    if digits.startswith("0") and len(digits) >= 8:
        return "+46" + digits[1:]
    if len(digits) == 8:  # Norwegian numbers have eight digits and no trunk prefix
        return "+47" + digits
    return digits


def residents_visible_to(user: User) -> QuerySet[Resident]:
    """Residents the user may read: all for the center, their department's residents else."""
    if sees_all_departments(user):
        return Resident.objects.all()
    if works_department_only(user) and user.department_id:
        return Resident.objects.filter(cases__department_id=user.department_id).distinct()
    return Resident.objects.none()


def resident_get(*, user: User, resident_id: int) -> Resident:
    resident = residents_visible_to(user).filter(pk=resident_id).first()
    if resident is None:
        raise Http404("No such resident.")
    return resident


def resident_find(*, user: User, query: str, limit: int = 20) -> list[Resident]:
    """Residents matching a name, phone number, e-mail or identity number."""
    # No stored text holds NUL, and PostgreSQL refuses to compare with it.
    query = query.replace("\x00", "").strip()
    if not query:
        return []
    residents = residents_visible_to(user)
    digits = re.sub(r"\D", "", query)
    condition = Q()
    if "@" in query:
        condition = Q(emails__address__iexact=query.lower())
    elif digits and len(digits) >= 6 and len(digits) >= len(query.replace(" ", "")) - 3:
        condition = Q(phones__number=normalize_phone(query)) | Q(identity_number=digits)
        if len(digits) == 10:  # YYMMDDNNNN: the stored form has the century
            condition |= Q(identity_number__endswith=digits)
    else:
        for word in query.split()[:4]:
            condition &= Q(name__icontains=word)
    return list(
        residents.filter(condition)
        .prefetch_related("phones", "emails")
        .distinct()
        .order_by("name")[:limit]
    )


def resident_match(
    *, identity_number: str = "", emails: Sequence[str] = (), phones: Sequence[str] = ()
) -> Resident | None:
    """The one registered resident these details name: by identity number, else by an
    e-mail address, else by a phone number; None when nobody or more than one matches.

    For the intake, which decides for itself who a contact is from (no user's access
    applies: the details arrived with the contact).
    """
    if identity_number.strip():
        try:
            identity = parse_identity_number(identity_number, today=timezone.localdate())
        except InvalidIdentityNumber:
            pass  # not a number anyone has: the e-mail address or phone may still tell
        else:
            found = Resident.objects.filter(
                identity_country=str(identity.country), identity_number=identity.normalized
            ).first()
            if found is not None:
                return found
    for condition in (
        Q(emails__address__in=[e.strip().lower() for e in emails if e.strip()]),
        Q(phones__number__in=[normalize_phone(p) for p in phones if p.strip()]),
    ):
        matches = list(Resident.objects.filter(condition).distinct()[:2])
        if len(matches) == 1:
            return matches[0]
    return None


def identity_number_shown(*, user: User, resident: Resident) -> str:
    """The identity number as this user may see it: whole, or masked.

    A stored value that is no number of its country (saved before the admin validated
    numbers, or written straight into the database) is marked as not valid: shown as stored
    to those who see numbers, hidden from the others.
    """
    stored = resident.identity_number
    if not stored:
        return ""
    sees = may_see_identity_number(user)
    try:
        country = IdentityCountry(resident.identity_country)
        return (format_identity_number if sees else mask_identity_number)(stored, country)
    except ValueError:
        if sees:
            return _("%(number)s (not a valid number)") % {"number": stored}
        return _("(not a valid number)")


def resident_email(resident: Resident) -> str | None:
    """The address the city writes to: the resident's first e-mail address."""
    return resident.emails.order_by("id").values_list("address", flat=True).first()


def resident_phone(resident: Resident) -> str | None:
    """The number texts go to: the resident's first phone number."""
    return resident.phones.order_by("id").values_list("number", flat=True).first()
