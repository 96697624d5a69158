"""Rules every API input obeys, and the one shape of every API error."""

from datetime import UTC, datetime

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import field_validator
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


class InputSchema(Schema):
    """Input of the API, bodies and query parameters: every text and time must be storable."""

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
