"""Export cells are escaped against formula injection and read back unchanged."""

from hypothesis import given
from hypothesis import strategies as st

from kontakt.core.spreadsheet import formula_safe, formula_unsafe


def test_cells_that_would_start_a_formula_get_a_quote() -> None:
    for value in [
        '=HYPERLINK("https://evil.example","Klicka")',
        "+46 40 123 45",
        "-1+1",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
        "\n=1",
        "\uff1d1+1",  # full-width equals sign
    ]:
        assert formula_safe(value) == "'" + value
    assert formula_safe("'=1") == "''=1"


def test_other_cells_are_left_as_they_are() -> None:
    for value in ["", "Öppettider", "1+1", "a=b", "'citat'", " =1", "e-tjänst"]:
        assert formula_safe(value) == value


@given(st.text())
def test_reading_back_gives_the_value(value: str) -> None:
    assert formula_unsafe(formula_safe(value)) == value
    assert not formula_safe(value).startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
