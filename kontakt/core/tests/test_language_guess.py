import pytest

from kontakt.core.language_guess import language_guess


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hej! Jag undrar när soptunnan töms, den har inte tömts på två veckor.", "sv"),
        ("Hei! Jeg lurer på når søppeldunken tømmes, den er ikke tømt på to uker.", "nb"),
        ("Hello, I would like to know when the bin is emptied. It has not been.", "en"),
        ("Bygglov", ""),
        ("", ""),
        ("12345 !!!", ""),
    ],
)
def test_language_guess(text: str, expected: str) -> None:
    assert language_guess(text) == expected
