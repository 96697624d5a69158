"""Folding names for search: what the operator types and what is stored meet in one form.

`fold` lower-cases, turns the Nordic and other accented letters into plain Latin ones
(Bjørn → bjorn, Åsa → asa, Æsa → aesa, Müller → muller) and splits on anything that is not
a letter or digit, so double names and hyphens ("Anna-Karin") become words.
"""

import re
import unicodedata

# Letters that Unicode decomposition does not take apart.
_SPECIAL = str.maketrans({"ø": "o", "æ": "ae", "ð": "d", "þ": "th", "ß": "ss", "ł": "l"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """The text as plain lower-case Latin words separated by single spaces."""
    lowered = text.lower().translate(_SPECIAL)
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char)
    )
    return _NOT_WORD.sub(" ", stripped).strip()
