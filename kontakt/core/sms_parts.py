"""How many text messages a text takes, and where a long one is split.

A text message carries 140 octets. Written only in the GSM 03.38 default alphabet (3GPP TS
23.038, 6.2.1) it is coded in 7 bits: 160 characters, of which a character of the
extension table (6.2.1.1: `^ { } \\ [ ~ ] | €` and the form feed) takes two, an escape and
itself. Any other character sends the whole text in UCS-2, 16 bits a code unit: 70 units,
and a character outside the Basic Multilingual Plane (most emoji) takes two.

A longer text is sent as concatenated parts, each carrying a 6-octet header (3GPP TS
23.040, 9.2.3.24.1): 153 septets or 67 UCS-2 units a part. A part never ends between an
escape and its character, nor between the two halves of a surrogate pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The default alphabet, in table order (TS 23.038 6.2.1); 0x1B is the escape, not a character.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ"
    "ÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as the escape and itself, two septets.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class SmsParts:
    """A text as it is sent: its coding, the units it takes and the parts it is sent in."""

    encoding: SmsEncoding
    units: int  # septets (GSM 7-bit) or UTF-16 code units (UCS-2)
    parts: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.parts)

    @property
    def per_part(self) -> int:
        """Units a part may hold at this length (a single message holds more)."""
        if self.encoding == SmsEncoding.GSM7:
            return GSM_SINGLE if self.count <= 1 else GSM_PART
        return UCS2_SINGLE if self.count <= 1 else UCS2_PART


def is_gsm7(text: str) -> bool:
    """Whether the text can be sent in the GSM 7-bit default alphabet (with its extension)."""
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def _width(char: str, encoding: SmsEncoding) -> int:
    if encoding == SmsEncoding.GSM7:
        return 2 if char in GSM_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def sms_parts(text: str) -> SmsParts:
    """The coding of `text`, its length in units and the parts it is sent in (an empty text
    is one empty message)."""
    encoding = SmsEncoding.GSM7 if is_gsm7(text) else SmsEncoding.UCS2
    widths = [_width(char, encoding) for char in text]
    units = sum(widths)
    single, part = (
        (GSM_SINGLE, GSM_PART) if encoding == SmsEncoding.GSM7 else (UCS2_SINGLE, UCS2_PART)
    )
    if units <= single:
        return SmsParts(encoding, units, (text,))
    parts: list[str] = []
    start, used = 0, 0
    for index, width in enumerate(widths):
        if used + width > part:
            parts.append(text[start:index])
            start, used = index, 0
        used += width
    parts.append(text[start:])
    return SmsParts(encoding, units, tuple(parts))
