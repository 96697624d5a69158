"""Parts of a text message, against the tables of 3GPP TS 23.038 and the part sizes of
TS 23.040 (153 septets or 67 UCS-2 units a concatenated part)."""

import pytest

from kontakt.core.sms_parts import (
    GSM_BASIC,
    GSM_EXTENSION,
    SmsEncoding,
    is_gsm7,
    sms_parts,
)


def test_the_default_alphabet_has_its_127_characters_and_the_extension_its_ten() -> None:
    # 128 positions, one of them the escape to the extension table.
    assert len(GSM_BASIC) == 127
    assert len(GSM_EXTENSION) == 10
    assert not GSM_BASIC & GSM_EXTENSION


@pytest.mark.parametrize(
    ("text", "gsm"),
    [
        # Swedish, Norwegian and Danish letters are all in the default alphabet.
        ("åäöÅÄÖ", True),
        ("æøåÆØÅ", True),
        ("Ñ Ü § ¿ ñ ü à é è ù ì ò Ç É ß ¡ £ ¥ ¤", True),
        ("ΔΦΓΛΩΠΨΣΘΞ _@$", True),
        ("€ [ ] { } ~ ^ | \\", True),  # the extension table
        # Not in it: accents of other languages, the cent, the back tick, emoji, Arabic.
        ("ç", False),  # only the capital Ç has a place
        ("ê", False),
        ("á", False),
        ("`", False),
        ("¢", False),
        ("😀", False),
        ("مرحبا", False),
        ("Ä\u0308", False),  # a combining diaeresis is no GSM character
    ],
)
def test_which_texts_are_gsm7(text: str, gsm: bool) -> None:
    assert is_gsm7(text) is gsm


@pytest.mark.parametrize(
    ("text", "encoding", "units", "count"),
    [
        ("", SmsEncoding.GSM7, 0, 1),
        ("a" * 160, SmsEncoding.GSM7, 160, 1),
        ("a" * 161, SmsEncoding.GSM7, 161, 2),
        ("a" * 306, SmsEncoding.GSM7, 306, 2),
        ("a" * 307, SmsEncoding.GSM7, 307, 3),
        ("å" * 160, SmsEncoding.GSM7, 160, 1),
        ("Hej! Din ärende är mottaget. Svar inom två dagar. Mvh Kommunen", SmsEncoding.GSM7, 62, 1),
        # Each character of the extension table takes two septets.
        ("€" * 80, SmsEncoding.GSM7, 160, 1),
        ("€" * 81, SmsEncoding.GSM7, 162, 2),
        ("a" * 159 + "€", SmsEncoding.GSM7, 161, 2),
        # One character outside the alphabet sends it all in UCS-2.
        ("a" * 69 + "ç", SmsEncoding.UCS2, 70, 1),
        ("a" * 70 + "ç", SmsEncoding.UCS2, 71, 2),
        ("ç" * 134, SmsEncoding.UCS2, 134, 2),
        ("ç" * 135, SmsEncoding.UCS2, 135, 3),
        # An emoji is two UTF-16 code units.
        ("😀" * 35, SmsEncoding.UCS2, 70, 1),
        ("😀" * 36, SmsEncoding.UCS2, 72, 2),
        ("Tack! 👍", SmsEncoding.UCS2, 8, 1),
    ],
)
def test_units_and_parts(text: str, encoding: SmsEncoding, units: int, count: int) -> None:
    parts = sms_parts(text)
    assert (parts.encoding, parts.units, parts.count) == (encoding, units, count)
    assert "".join(parts.parts) == text


def test_a_long_gsm_text_is_split_in_parts_of_153_septets() -> None:
    parts = sms_parts("a" * 400)
    assert [len(part) for part in parts.parts] == [153, 153, 94]
    assert parts.per_part == 153


def test_a_part_never_ends_between_the_escape_and_its_character() -> None:
    # 152 septets, then a two-septet euro: it cannot fit in the first part's last septet.
    parts = sms_parts("a" * 152 + "€" + "b" * 10)
    assert parts.parts == ("a" * 152, "€" + "b" * 10)


def test_a_part_never_ends_between_the_halves_of_an_emoji() -> None:
    parts = sms_parts("ç" * 66 + "😀" + "ç" * 10)
    assert parts.parts == ("ç" * 66, "😀" + "ç" * 10)
    assert parts.per_part == 67


def test_a_ucs2_text_is_split_in_parts_of_67_units() -> None:
    parts = sms_parts("ø" * 10 + "ç" * 200)
    assert [len(part) for part in parts.parts] == [67, 67, 67, 9]
