"""Rules every API input obeys, and the one shape of every API error."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AwareDatetime, BeforeValidator, ConfigDict, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError


def storable_text(value: object) -> object:
    """Refuse text the databases cannot store: NUL characters (PostgreSQL), lone surrogates."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and ("\x00" in item or not _encodes(item)):
            message = _("The text has a character that cannot be stored.")
            raise PydanticCustomError("unstorable_text", message)
    return value


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable_datetime(value: object) -> object:
    """A time in UTC: PostgreSQL takes no offset beyond ±15:59, and a time without a UTC
    equivalent (year 1 at +14:00, year 9999 at -14:00) is refused."""
    if isinstance(value, datetime):
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise PydanticCustomError("datetime_range", _("This time is out of range.")) from None
    return value


# The document's words for what the validators refuse --------------------------------------

# Text without NUL, for the OpenAPI document (the validator above also refuses lone surrogates,
# which JSON text encoded as UTF-8 cannot carry).
STORABLE_TEXT_PATTERN = r"^[^\x00]*$"

# The years a time given to the API may have, as written (with its offset).
TIME_YEARS = (1970, 2100)


def _years_pattern(first: int, last: int) -> str:
    """A regular expression of the four-digit years first..last, by whole decades and
    centuries where it can: 1970..2100 is 197[0-9]|198[0-9]|199[0-9]|20[0-9][0-9]|2100."""
    parts = []
    year = first
    while year <= last:
        size = next(s for s in (1000, 100, 10, 1) if year % s == 0 and year + s - 1 <= last)
        free = len(str(size)) - 1
        parts.append(f"{year:04d}"[: 4 - free] + "[0-9]" * free)
        year += size
    return "|".join(parts)


# An ISO 8601 / RFC 3339 time with seconds and a UTC offset, within TIME_YEARS: what the API
# takes, stated in the document as the pattern of every date-time.
TIME_PATTERN = (
    rf"^(?:{_years_pattern(*TIME_YEARS)})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
_TIME = re.compile(TIME_PATTERN)


def _api_time(value: object) -> object:
    """A time as TIME_PATTERN writes it: a bare number (a Unix time to pydantic) is refused."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _TIME.match(value):
        return value
    parsed = None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is not None and parsed.tzinfo is None:
        message = _("Give the time with its UTC offset, e.g. +01:00.")
        raise PydanticCustomError("timezone_aware", message)
    if parsed is not None and not TIME_YEARS[0] <= parsed.year <= TIME_YEARS[1]:
        raise PydanticCustomError("datetime_range", _("This time is out of range."))
    message = _("Give a date and time as ISO 8601, e.g. 2026-03-02T09:15:00+01:00.")
    raise PydanticCustomError("datetime_parsing", message)


# A time of the API's input: ISO 8601 with its UTC offset, within TIME_YEARS.
ApiDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_api_time),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": TIME_PATTERN}),
]


def _document_storable(schema: dict[str, Any]) -> None:
    """Give every free text of an input schema the pattern of storable text."""

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(
                node
            ):
                node["pattern"] = STORABLE_TEXT_PATTERN
            for key in ("properties",):
                for child in node.get(key, {}).values():
                    visit(child)
            for key in ("anyOf", "oneOf", "allOf"):
                for child in node.get(key, []):
                    visit(child)
            if "items" in node:
                visit(node["items"])
            if isinstance(node.get("additionalProperties"), dict):
                visit(node["additionalProperties"])

    visit(schema)


def documented(**rules: Any) -> Any:
    """json_schema_extra of an input schema that states more rules (if/then, …) than its
    fields: its texts keep the pattern of storable text."""

    def extra(schema: dict[str, Any]) -> None:
        _document_storable(schema)
        schema.update(rules)

    return extra


class InputSchema(Schema):
    """Input of the API, bodies and query parameters: every text and time must be storable."""

    model_config = ConfigDict(json_schema_extra=_document_storable)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        return storable_text(value)

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, value: object) -> object:
        return storable_datetime(value)


class ErrorOut(Schema):
    """Every error of the API: a message and, for invalid input, messages per field."""

    message: str
    errors: dict[str, list[str]]


# The errors any endpoint may answer with, for the OpenAPI document.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
