"""Cells that a spreadsheet program opens as text, never as a formula.

Excel, LibreOffice and Google Sheets run a cell that begins with =, +, -, @, a tab or a
carriage return (and their full-width forms) as a formula, so a title written as
`=HYPERLINK(...)` would become a live link or worse in the file of whoever opens an export
(OWASP, "CSV Injection"). `formula_safe` prefixes such a cell with a single quote, which the
programs show as text; `formula_unsafe` takes that quote away again when the file is read
back, so an export imports unchanged. A value that already began with quotes before such a
character gets one more, so that reading back gives it exactly.
"""

import re

# One or more quotes may stand before the character, so that escaping can be undone exactly.
_FORMULA = re.compile("^'*[=+\\-@\t\r\n\uff1d\uff0b\uff0d\uff20]")
_ESCAPED = re.compile("^'+[=+\\-@\t\r\n\uff1d\uff0b\uff0d\uff20]")


def formula_safe(value: str) -> str:
    """The value as a cell that cannot start a formula."""
    return "'" + value if _FORMULA.match(value) else value


def formula_unsafe(value: str) -> str:
    """The value `formula_safe` was given."""
    return value[1:] if _ESCAPED.match(value) else value
