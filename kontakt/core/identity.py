"""Swedish and Norwegian national identity numbers: parsing, validation, masking, formatting."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

IdentityErrorCode = Literal["format", "checksum", "date"]

# [0-9] rather than \d: \d also matches non-ASCII digits such as Arabic-Indic numerals.
_SE_PATTERN = re.compile(r"(?P<date>[0-9]{6}|[0-9]{8})(?P<sep>[-+]?)(?P<serial>[0-9]{4})")
_SE_LONG_WITH_PLUS = re.compile(r"[0-9]{8}\+[0-9]{4}")
_NO_PATTERN = re.compile(r"(?P<date>[0-9]{6}) ?(?P<serial>[0-9]{5})")
_SE_NORMALIZED = re.compile(r"[0-9]{12}")
_NO_NORMALIZED = re.compile(r"[0-9]{11}")

_NO_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_NO_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

_SAMORDNING_DAY_OFFSET = 60
_D_NUMBER_DAY_OFFSET = 40
_H_NUMBER_MONTH_OFFSET = 40
_SYNTHETIC_MONTH_OFFSET = 80


class IdentityCountry(StrEnum):
    """Country issuing a national identity number."""

    SE = "SE"
    NO = "NO"


@dataclass(frozen=True)
class NationalIdentity:
    """A validated national identity number with its birth date and kind."""

    country: IdentityCountry
    # Kept out of repr so identity numbers do not leak into logs and tracebacks.
    normalized: str = field(repr=False)
    birth_date: date
    kind: str


class InvalidIdentityNumber(ValueError):
    """An identity number that failed validation; `code` is format, checksum or date."""

    def __init__(self, code: IdentityErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: IdentityErrorCode = code


def _require_digits(digits: str) -> None:
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError("Expected a non-empty string of ASCII digits.")


def luhn_check_digit(digits: str) -> int:
    """Return the Luhn check digit to append to `digits`."""
    _require_digits(digits)
    total = 0
    # The rightmost payload digit is doubled, since the check digit will sit to its right.
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def _mod11_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None  # 11 - 1 = 10 is not a digit: no valid number has these nine digits.
    return 11 - remainder


def norwegian_check_digits(nine: str) -> str | None:
    """Return the two mod-11 check digits for nine digits, or None if none exist."""
    _require_digits(nine)
    if len(nine) != 9:
        raise ValueError("Expected exactly nine digits.")
    first = _mod11_digit(nine, _NO_WEIGHTS_1)
    if first is None:
        return None
    second = _mod11_digit(nine + str(first), _NO_WEIGHTS_2)
    if second is None:
        return None
    return f"{first}{second}"


def _birth_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidIdentityNumber(
            "date", "The identity number contains an invalid date."
        ) from None


def _check_not_future(birth_date: date, today: date) -> None:
    if birth_date > today:
        raise InvalidIdentityNumber("date", "The identity number has a birth date in the future.")


def _swedish_century_year(
    two_digit_year: int, month: int, day: int, *, centenarian: bool, today: date
) -> int:
    # Most recent year with these last two digits whose month/day is not after today; tuples
    # rather than dates so that 29 February can be resolved before the date is validated.
    year = today.year - (today.year - two_digit_year) % 100
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year - 100 if centenarian else year


def _parse_swedish(raw: str, today: date) -> NationalIdentity:
    match = _SE_PATTERN.fullmatch(raw)
    if match is None or _SE_LONG_WITH_PLUS.fullmatch(raw):
        raise InvalidIdentityNumber(
            "format", "A Swedish identity number has the form YYMMDD-NNNN or YYYYMMDD-NNNN."
        )
    date_part, separator, serial = match["date"], match["sep"], match["serial"]
    ten = date_part[-6:] + serial
    if luhn_check_digit(ten[:9]) != int(ten[9]):
        raise InvalidIdentityNumber("checksum", "The identity number has a wrong check digit.")
    month = int(ten[2:4])
    raw_day = int(ten[4:6])
    is_samordning = raw_day > _SAMORDNING_DAY_OFFSET
    day = raw_day - _SAMORDNING_DAY_OFFSET if is_samordning else raw_day
    if len(date_part) == 8:
        year = int(date_part[:4])
    else:
        year = _swedish_century_year(
            int(ten[:2]), month, day, centenarian=separator == "+", today=today
        )
    birth_date = _birth_date(year, month, day)
    _check_not_future(birth_date, today)
    return NationalIdentity(
        country=IdentityCountry.SE,
        normalized=f"{year:04d}{ten[2:]}",
        birth_date=birth_date,
        kind="samordningsnummer" if is_samordning else "personnummer",
    )


def _norwegian_century(two_digit_year: int, individual: int) -> int | None:
    # Skatteetaten's rule mapping the individual number range to the birth century.
    if individual <= 499:
        return 1900
    if individual <= 749 and two_digit_year >= 54:
        return 1800
    if two_digit_year <= 39:
        return 2000
    if individual >= 900:
        return 1900
    return None


def _parse_norwegian(raw: str, today: date) -> NationalIdentity:
    match = _NO_PATTERN.fullmatch(raw)
    if match is None:
        raise InvalidIdentityNumber(
            "format", "A Norwegian identity number has eleven digits, DDMMYYNNNNN."
        )
    number = match["date"] + match["serial"]
    if norwegian_check_digits(number[:9]) != number[9:]:
        raise InvalidIdentityNumber("checksum", "The identity number has wrong check digits.")
    raw_day, raw_month, two_digit_year = int(number[0:2]), int(number[2:4]), int(number[4:6])
    day, month = raw_day, raw_month
    kind = "fodselsnummer"
    if raw_month > _SYNTHETIC_MONTH_OFFSET:
        # Skatteetaten's synthetic test numbers may also carry the D-number day offset.
        kind, month = "synthetic", raw_month - _SYNTHETIC_MONTH_OFFSET
        if raw_day > _D_NUMBER_DAY_OFFSET:
            day = raw_day - _D_NUMBER_DAY_OFFSET
    elif raw_day > _D_NUMBER_DAY_OFFSET:
        kind, day = "d-nummer", raw_day - _D_NUMBER_DAY_OFFSET
        # A D-number with an H-number month leaves month > 12 and fails as a date below.
    elif raw_month > _H_NUMBER_MONTH_OFFSET:
        kind, month = "h-nummer", raw_month - _H_NUMBER_MONTH_OFFSET
    century = _norwegian_century(two_digit_year, int(number[6:9]))
    if century is None:
        raise InvalidIdentityNumber(
            "date", "The individual number does not match any birth century."
        )
    birth_date = _birth_date(century + two_digit_year, month, day)
    _check_not_future(birth_date, today)
    return NationalIdentity(
        country=IdentityCountry.NO, normalized=number, birth_date=birth_date, kind=kind
    )


def _guess_country(raw: str) -> IdentityCountry:
    digits = sum(char in "0123456789" for char in raw)
    if digits == 11 and not any(char in "-+" for char in raw):
        return IdentityCountry.NO
    return IdentityCountry.SE


def parse_identity_number(
    raw: str, *, country: IdentityCountry | None = None, today: date
) -> NationalIdentity:
    """Parse and validate a Swedish or Norwegian identity number; guess the country if None."""
    text = raw.strip()
    resolved = _guess_country(text) if country is None else IdentityCountry(country)
    if resolved is IdentityCountry.SE:
        return _parse_swedish(text, today)
    return _parse_norwegian(text, today)


def _require_normalized(normalized: str, country: IdentityCountry) -> None:
    pattern = _SE_NORMALIZED if country is IdentityCountry.SE else _NO_NORMALIZED
    if pattern.fullmatch(normalized) is None:
        raise ValueError(f"Not a normalized {country} identity number.")


def mask_identity_number(normalized: str, country: IdentityCountry) -> str:
    """Hide the individual digits: SE YYYYMMDD-****, NO DDMMYY*****."""
    country = IdentityCountry(country)
    _require_normalized(normalized, country)
    if country is IdentityCountry.SE:
        return f"{normalized[:8]}-****"
    return f"{normalized[:6]}*****"


def format_identity_number(normalized: str, country: IdentityCountry) -> str:
    """Format for display: SE YYYYMMDD-NNNN, NO DDMMYYNNNNN."""
    country = IdentityCountry(country)
    _require_normalized(normalized, country)
    if country is IdentityCountry.SE:
        return f"{normalized[:8]}-{normalized[8:]}"
    return normalized
