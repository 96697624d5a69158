"""Tests for kontakt.core.identity."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kontakt.core.identity import (
    IdentityCountry,
    InvalidIdentityNumber,
    NationalIdentity,
    format_identity_number,
    luhn_check_digit,
    mask_identity_number,
    norwegian_check_digits,
    parse_identity_number,
)

SE = IdentityCountry.SE
NO = IdentityCountry.NO
TODAY = date(2026, 6, 1)


# --- check digit helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("7992739871", 3),  # the classic Luhn example
        ("121212121", 2),  # Skatteverket's test number 19121212-1212
        ("811218987", 6),  # 811218-9876
        ("811212121", 8),  # so 811212-1212 is invalid and 811212-1218 valid
        ("701063239", 1),  # samordningsnummer 701063-2391
        ("0", 0),
    ],
)
def test_luhn_check_digit(digits: str, expected: int) -> None:
    assert luhn_check_digit(digits) == expected


@pytest.mark.parametrize(
    ("nine", "expected"),
    [
        ("150765005", "65"),
        ("550765005", "59"),  # D-number: 5*3+5*7+0+7+48+45+0+0+10 = 160, 160 % 11 = 6 -> 5
        ("150765003", None),  # first remainder is 1: no valid number
        ("010165750", None),  # second remainder is 1
    ],
)
def test_norwegian_check_digits(nine: str, expected: str | None) -> None:
    assert norwegian_check_digits(nine) == expected


@pytest.mark.parametrize("bad", ["", "12a", "١٢٣"])
def test_check_digit_helpers_reject_non_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        luhn_check_digit(bad)
    with pytest.raises(ValueError):
        norwegian_check_digits(bad)


def test_norwegian_check_digits_needs_nine_digits() -> None:
    with pytest.raises(ValueError):
        norwegian_check_digits("15076500")


# --- parsing: valid -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "country", "normalized", "birth_date", "kind"),
    [
        ("19121212-1212", None, "191212121212", date(1912, 12, 12), "personnummer"),
        ("191212121212", None, "191212121212", date(1912, 12, 12), "personnummer"),
        ("121212+1212", None, "191212121212", date(1912, 12, 12), "personnummer"),
        ("121212-1212", None, "201212121212", date(2012, 12, 12), "personnummer"),
        ("1212121212", SE, "201212121212", date(2012, 12, 12), "personnummer"),
        (" 811218-9876 ", None, "198112189876", date(1981, 12, 18), "personnummer"),
        ("811212-1218", None, "198112121218", date(1981, 12, 12), "personnummer"),
        ("701063-2391", None, "197010632391", date(1970, 10, 3), "samordningsnummer"),
        ("000229-1235", None, "200002291235", date(2000, 2, 29), "personnummer"),
        # Century relative to today (2026-06-01): '-' means younger than 100.
        ("260501-1234", None, "202605011234", date(2026, 5, 1), "personnummer"),
        ("260701-1232", None, "192607011232", date(1926, 7, 1), "personnummer"),
        ("260501+1234", None, "192605011234", date(1926, 5, 1), "personnummer"),
        ("260701+1232", None, "182607011232", date(1826, 7, 1), "personnummer"),
        ("15076500565", None, "15076500565", date(1965, 7, 15), "fodselsnummer"),
        ("150765 00565", NO, "15076500565", date(1965, 7, 15), "fodselsnummer"),
        ("55076500559", None, "55076500559", date(1965, 7, 15), "d-nummer"),
        ("15476500548", None, "15476500548", date(1965, 7, 15), "h-nummer"),
        ("15876500520", None, "15876500520", date(1965, 7, 15), "synthetic"),
        ("55876500514", None, "55876500514", date(1965, 7, 15), "synthetic"),
        # Century from the individual number.
        ("31129949980", None, "31129949980", date(1999, 12, 31), "fodselsnummer"),
        ("01010050053", None, "01010050053", date(2000, 1, 1), "fodselsnummer"),
        ("01015460020", None, "01015460020", date(1854, 1, 1), "fodselsnummer"),
        ("01014095094", None, "01014095094", date(1940, 1, 1), "fodselsnummer"),
        ("29020450051", None, "29020450051", date(2004, 2, 29), "fodselsnummer"),
        ("29020050088", None, "29020050088", date(2000, 2, 29), "fodselsnummer"),
    ],
)
def test_parse_valid(
    raw: str, country: IdentityCountry | None, normalized: str, birth_date: date, kind: str
) -> None:
    identity = parse_identity_number(raw, country=country, today=TODAY)
    expected_country = SE if len(normalized) == 12 else NO
    assert identity == NationalIdentity(expected_country, normalized, birth_date, kind)


def test_repr_hides_the_number() -> None:
    identity = parse_identity_number("811218-9876", today=TODAY)
    assert "9876" not in repr(identity)


# --- parsing: invalid ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "country", "code"),
    [
        ("", None, "format"),
        ("12345", None, "format"),
        ("811218_9876", None, "format"),
        ("81121-89876", None, "format"),
        ("19121212+1212", None, "format"),  # '+' only makes sense with a two-digit year
        ("811218-98766", None, "format"),
        ("８１１２１８-９８７６", None, "format"),  # full-width digits
        ("1507650056", NO, "format"),
        ("15076500565", SE, "format"),
        ("811212-1212", None, "checksum"),
        ("19121212-1213", None, "checksum"),
        ("15076500566", None, "checksum"),
        ("15076500575", None, "checksum"),
        ("811332-1239", None, "date"),  # month 13
        ("811200-1238", None, "date"),  # day 0
        ("811292-1237", None, "date"),  # samordningsnummer day 32
        ("000229+1235", None, "date"),  # 1900 was no leap year
        ("20300101-1018", None, "date"),  # born in the future
        ("20260230-1018", None, "date"),  # 30 February
        ("31046500590", None, "date"),  # 31 April
        ("29020010027", None, "date"),  # 1900 was no leap year
        ("01014060029", None, "date"),  # individual 600 with year 40 has no century
        ("01013550022", None, "date"),  # 2035, in the future
    ],
)
def test_parse_invalid(raw: str, country: IdentityCountry | None, code: str) -> None:
    with pytest.raises(InvalidIdentityNumber) as caught:
        parse_identity_number(raw, country=country, today=TODAY)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)


# --- masking and formatting ---------------------------------------------------------------------


def test_mask_and_format() -> None:
    assert mask_identity_number("191212121212", SE) == "19121212-****"
    assert format_identity_number("191212121212", SE) == "19121212-1212"
    assert mask_identity_number("15076500565", NO) == "150765*****"
    assert format_identity_number("15076500565", NO) == "15076500565"


@pytest.mark.parametrize(
    ("normalized", "country"),
    [("1912121212", SE), ("19121212-1212", SE), ("191212121212", NO), ("1507650056", NO)],
)
def test_mask_and_format_reject_non_normalized(normalized: str, country: IdentityCountry) -> None:
    with pytest.raises(ValueError):
        mask_identity_number(normalized, country)
    with pytest.raises(ValueError):
        format_identity_number(normalized, country)


# --- properties ---------------------------------------------------------------------------------


@st.composite
def swedish_numbers(draw: st.DrawFn) -> tuple[str, date, bool]:
    """A valid 12-digit personnummer or samordningsnummer, its birth date and kind."""
    birth = draw(st.dates(TODAY.replace(year=TODAY.year - 199), TODAY))
    samordning = draw(st.booleans())
    day = birth.day + 60 if samordning else birth.day
    nine = f"{birth:%y%m}{day:02d}{draw(st.integers(0, 999)):03d}"
    return f"{birth.year:04d}{nine[2:]}{luhn_check_digit(nine)}", birth, samordning


def _norwegian_individual(year: int) -> st.SearchStrategy[int]:
    if year < 1900:
        return st.integers(500, 749)
    if year >= 2000:
        return st.integers(500, 999)
    if year >= 1940:
        return st.one_of(st.integers(0, 499), st.integers(900, 999))
    return st.integers(0, 499)


NORWEGIAN_KINDS = {
    "fodselsnummer": (0, 0),
    "d-nummer": (40, 0),
    "h-nummer": (0, 40),
    "synthetic": (0, 80),
}


@st.composite
def norwegian_numbers(draw: st.DrawFn) -> tuple[str, date, str]:
    """A valid 11-digit Norwegian number, its birth date and kind."""
    birth = draw(st.dates(date(1854, 1, 1), TODAY))
    kind = draw(st.sampled_from(sorted(NORWEGIAN_KINDS)))
    day_offset, month_offset = NORWEGIAN_KINDS[kind]
    individual = draw(_norwegian_individual(birth.year))
    nine = f"{birth.day + day_offset:02d}{birth.month + month_offset:02d}{birth:%y}{individual:03d}"
    checks = norwegian_check_digits(nine)
    assume(checks is not None)
    return f"{nine}{checks}", birth, kind


@given(swedish_numbers())
def test_swedish_round_trip(number: tuple[str, date, bool]) -> None:
    normalized, birth, samordning = number
    kind = "samordningsnummer" if samordning else "personnummer"
    expected = NationalIdentity(SE, normalized, birth, kind)
    age = TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))
    age_100_or_more = age >= 100
    short = f"{normalized[2:8]}{'+' if age_100_or_more else '-'}{normalized[8:]}"
    for raw in (normalized, format_identity_number(normalized, SE), short):
        assert parse_identity_number(raw, today=TODAY) == expected
    assert format_identity_number(normalized, SE) == f"{normalized[:8]}-{normalized[8:]}"


@given(norwegian_numbers())
def test_norwegian_round_trip(number: tuple[str, date, str]) -> None:
    normalized, birth, kind = number
    identity = parse_identity_number(format_identity_number(normalized, NO), today=TODAY)
    assert identity == NationalIdentity(NO, normalized, birth, kind)


@given(swedish_numbers(), st.integers(1, 9))
def test_swedish_wrong_check_digit_is_rejected(number: tuple[str, date, bool], shift: int) -> None:
    normalized = number[0]
    wrong = f"{normalized[:-1]}{(int(normalized[-1]) + shift) % 10}"
    with pytest.raises(InvalidIdentityNumber) as caught:
        parse_identity_number(wrong, today=TODAY)
    assert caught.value.code == "checksum"


@given(norwegian_numbers(), st.sampled_from([9, 10]), st.integers(1, 9))
def test_norwegian_wrong_check_digit_is_rejected(
    number: tuple[str, date, str], position: int, shift: int
) -> None:
    normalized = number[0]
    digit = (int(normalized[position]) + shift) % 10
    wrong = f"{normalized[:position]}{digit}{normalized[position + 1 :]}"
    with pytest.raises(InvalidIdentityNumber) as caught:
        parse_identity_number(wrong, today=TODAY)
    assert caught.value.code == "checksum"


@given(st.text(max_size=20))
def test_arbitrary_text_parses_or_raises_invalid(raw: str) -> None:
    try:
        identity = parse_identity_number(raw, today=TODAY)
    except InvalidIdentityNumber as error:
        assert error.code in {"format", "checksum", "date"}
    else:
        assert identity.birth_date <= TODAY
