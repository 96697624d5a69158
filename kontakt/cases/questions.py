"""What a resident tells about a matter beyond the text: where it is, and the answers to
the case type's own questions (`CaseTypeAttribute`). The web form and Open311 both check
them here, so a case filed either way holds the same things."""

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kontakt.core.text_search import printable

from .models import AttributeType, Case, CaseType, CaseTypeAttribute

ADDRESS_MAX = 200
ANSWER_MAX = 2000
STRING_MAX = 200


@dataclass(frozen=True)
class Place:
    """A point (WGS 84 degrees, six decimals: about 10 cm) and/or an address as typed."""

    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str = ""


def _degrees(raw: object, limit: int) -> Decimal | None:
    text = str(raw).strip()
    # A decimal comma, as Swedish and Norwegian write it (59,3293), is a point.
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) > limit:
        return None
    return value.quantize(Decimal("0.000001"))


def place_check(
    *, latitude: object = None, longitude: object = None, address: str = ""
) -> Place | None:
    """The place as given, or None when nothing was given; a half or impossible point, or
    an address with control characters or too long, is refused with the field's reason."""
    errors: dict[str, list[str]] = {}
    given_lat = latitude not in (None, "")
    given_long = longitude not in (None, "")
    lat = _degrees(latitude, 90) if given_lat else None
    long = _degrees(longitude, 180) if given_long else None
    if given_lat and lat is None:
        errors["lat"] = [_("Give the latitude in degrees, between -90 and 90.")]
    if given_long and long is None:
        errors["long"] = [_("Give the longitude in degrees, between -180 and 180.")]
    if given_lat != given_long and not errors:
        errors["lat" if not given_lat else "long"] = [
            _("Give both latitude and longitude, or an address.")
        ]
    clean_address = printable(address or "")
    if len(clean_address) > ADDRESS_MAX:
        errors["address_string"] = [_("At most %(n)s characters.") % {"n": ADDRESS_MAX}]
    if errors:
        raise ValidationError(errors)
    if lat is None and not clean_address:
        return None
    return Place(latitude=lat, longitude=long, address=clean_address)


def _answer(question: CaseTypeAttribute, raw: object) -> object:
    """One answer in its stored form, or ValueError with the resident's reason."""
    keys = [str(v.get("key")) for v in question.values if isinstance(v, dict)]
    if question.datatype == AttributeType.MULTI:
        items = raw if isinstance(raw, list | tuple) else [raw]
        chosen = [str(item) for item in items if str(item) != ""]
        if any(item not in keys for item in chosen):
            raise ValueError(_("Choose from the list."))
        return sorted(set(chosen), key=keys.index)
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    text = str(raw)
    if "\x00" in text:
        raise ValueError(_("The answer holds a character that cannot be stored."))
    text = text.strip()
    if question.datatype == AttributeType.SINGLE:
        if text not in keys:
            raise ValueError(_("Choose from the list."))
        return text
    if question.datatype == AttributeType.NUMBER:
        try:
            number = float(text.replace(",", ".").replace(" ", ""))
        except ValueError:
            raise ValueError(_("Give a number.")) from None
        if not math.isfinite(number) or abs(number) > 1e12:
            raise ValueError(_("Give a number."))
        return int(number) if number.is_integer() else number
    if question.datatype == AttributeType.DATETIME:
        try:
            moment: datetime | None = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None or not 1900 <= moment.year <= 2100:
            raise ValueError(_("Give a date and time, e.g. 2026-05-04T08:30."))
        return moment.isoformat()
    limit = STRING_MAX if question.datatype == AttributeType.STRING else ANSWER_MAX
    if len(text) > limit:
        raise ValueError(_("At most %(n)s characters.") % {"n": limit})
    return text


def answers_check(*, case_type: CaseType, answers: dict[str, object]) -> dict[str, object]:
    """The answers to `case_type`'s questions in stored form; unknown codes are left out.
    Every missing required answer and every bad one is refused at once, by the field
    `attribute[<code>]` (Open311's name, which the web form uses too)."""
    errors: dict[str, list[str]] = {}
    stored: dict[str, object] = {}
    for question in case_type.attributes.all():
        raw = answers.get(question.code)
        empty = raw is None or raw == "" or raw == [] or raw == ()
        field = f"attribute[{question.code}]"
        if empty:
            if question.required:
                errors[field] = [_("Answer “%(q)s”.") % {"q": question.question}]
            continue
        try:
            value = _answer(question, raw)
        except ValueError as error:
            errors[field] = [str(error)]
            continue
        if value in ("", []):
            if question.required:
                errors[field] = [_("Answer “%(q)s”.") % {"q": question.question}]
            continue
        stored[question.code] = value
    if errors:
        raise ValidationError(errors)
    return stored


def answers_shown(case: Case) -> list[tuple[str, str]]:
    """The case's answers as (question, answer) to show staff, in the questions' order;
    an answer whose question is gone shows under its code. Whatever is stored — a value of
    another shape included — shows as text and never fails the page."""
    stored = case.attributes if isinstance(case.attributes, dict) else {}
    if not stored:
        return []
    questions = {q.code: q for q in case.case_type.attributes.all()}
    shown: list[tuple[str, str]] = []
    for code in sorted(
        stored, key=lambda c: (questions[c].order, "") if c in questions else (10_000, str(c))
    ):
        question = questions.get(code)
        value = stored[code]
        names = (
            {str(v.get("key")): str(v.get("name")) for v in question.values if isinstance(v, dict)}
            if question is not None and isinstance(question.values, list)
            else {}
        )
        items = value if isinstance(value, list) else [value]
        text = ", ".join(names.get(str(item), str(item)) for item in items)
        shown.append((question.question if question else str(code), text[:ANSWER_MAX]))
    return shown
