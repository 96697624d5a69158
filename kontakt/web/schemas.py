"""Rules every API input obeys, and the one shape of every API error."""

import re
import types
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    FutureDatetime,
    NaiveDatetime,
    PastDatetime,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError


def unstorable_text_message() -> str:
    return _("The text has a character that cannot be stored.")


def storable_text(value: object) -> object:
    """Refuse text the databases cannot store: NUL characters (PostgreSQL), lone surrogates."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and not is_storable(item):
            raise PydanticCustomError("unstorable_text", unstorable_text_message())
    return value


def is_storable(text: str) -> bool:
    """No NUL character (PostgreSQL refuses it) and no lone surrogate (no UTF-8 for it)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# The time window --------------------------------------------------------------------------
# A deployment stores times only between KONTAKT["TIME_WINDOW"]'s first and last year (UTC):
# a fixed rule, the same for every request, so the OpenAPI document can state it.


def time_window() -> tuple[datetime, datetime]:
    """The first and the last storable instant, in UTC."""
    window = settings.KONTAKT["TIME_WINDOW"]
    earliest = datetime(window["EARLIEST_YEAR"], 1, 1, tzinfo=UTC)
    latest = datetime.combine(date(window["LATEST_YEAR"], 12, 31), time.max, tzinfo=UTC)
    return earliest, latest


def time_window_message() -> str:
    window = settings.KONTAKT["TIME_WINDOW"]
    return _("Give a time from the year %(earliest)s to the year %(latest)s.") % {
        "earliest": window["EARLIEST_YEAR"],
        "latest": window["LATEST_YEAR"],
    }


def in_time_window(value: date) -> bool:
    """Whether a time (aware) or a date lies inside the deployment's window."""
    earliest, latest = time_window()
    if isinstance(value, datetime):
        return earliest <= value <= latest
    return earliest.date() <= value <= latest.date()


# ISO 8601 with a date and a time: a bare number (a Unix time, say) is no time here.
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def iso_datetime(value: object) -> object:
    """Refuse anything but an ISO 8601 string (or a datetime) where a time is expected:
    pydantic would read 12345 or "0.5" as seconds since 1970."""
    if isinstance(value, datetime) or value is None:
        return value
    if isinstance(value, str) and ISO_DATETIME.match(value.strip()):
        return value
    raise PydanticCustomError(
        "datetime_type",
        _("Give a date and time as ISO 8601, e.g. 2026-03-02T09:15:00+01:00."),
    )


def storable_datetime(value: object) -> object:
    """A time in UTC within the deployment's window (KONTAKT["TIME_WINDOW"]). PostgreSQL
    takes no offset beyond ±15:59, and a time without a UTC equivalent (year 1 at +14:00,
    year 9999 at -14:00) is refused."""
    if isinstance(value, datetime):
        try:
            value = value.astimezone(UTC)
        except OverflowError:
            raise PydanticCustomError("datetime_range", time_window_message()) from None
        if not in_time_window(value):
            raise PydanticCustomError("datetime_range", time_window_message())
    return value


# Pydantic's own time types are classes of their own, not datetime's subclasses.
DATETIME_TYPES = (datetime, AwareDatetime, NaiveDatetime, PastDatetime, FutureDatetime)


def _holds_datetime(annotation: object) -> bool:
    if annotation in DATETIME_TYPES:
        return True
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, Annotated):
        return any(_holds_datetime(arg) for arg in get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, datetime)


@cache
def _datetime_fields(schema: type[Schema]) -> frozenset[str]:
    return frozenset(
        name for name, field in schema.model_fields.items() if _holds_datetime(field.annotation)
    )


# The document's words for what the validators refuse --------------------------------------

# Text without NUL, for the OpenAPI document (the validator above also refuses lone surrogates,
# which JSON text encoded as UTF-8 cannot carry).
STORABLE_TEXT_PATTERN = r"^[^\x00]*$"

# The years a time given to the API may have, as written (with its offset): the deployment's
# window (KONTAKT["TIME_WINDOW"], read once at start), so that the document states it.
TIME_YEARS = (
    settings.KONTAKT["TIME_WINDOW"]["EARLIEST_YEAR"],
    settings.KONTAKT["TIME_WINDOW"]["LATEST_YEAR"],
)


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
        raise PydanticCustomError("datetime_range", time_window_message())
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
    """Input of the API, bodies and query parameters: every text and time must be storable,
    and a time is given as ISO 8601 text."""

    model_config = ConfigDict(json_schema_extra=_document_storable)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: object, info: ValidationInfo) -> object:
        if info.field_name in _datetime_fields(cls):
            return iso_datetime(value)
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
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
}
