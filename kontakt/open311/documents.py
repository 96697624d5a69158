"""Open311's documents in its two formats: JSON, and XML whose lists are a wrapper element
with one child per item (`<services><service>…</service></services>`)."""

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse

from kontakt.web.localtime import safe_localtime

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# The element of one item of each list, by the list's element.
ITEM = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_requests_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot hold at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def w3c(moment: datetime | None) -> str | None:
    """A time as W3C (ISO 8601) with the municipality's offset, to the second."""
    if moment is None:
        return None
    return safe_localtime(moment).isoformat(timespec="seconds")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_NOT_XML.sub("", str(value)))


def _element(tag: str, value: object, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append(f"<{tag}>")
        for key, inner in value.items():
            _element(key, inner, out)
        out.append(f"</{tag}>")
    elif isinstance(value, Sequence) and not isinstance(value, str):
        out.append(f"<{tag}>")
        for item in value:
            _element(ITEM.get(tag, "item"), item, out)
        out.append(f"</{tag}>")
    else:
        text = _text(value)
        out.append(f"<{tag}>{text}</{tag}>" if text else f"<{tag}/>")


def xml_document(root: str, value: object) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    _element(root, value, out)
    return "".join(out)


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def json_document(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default, separators=(",", ":"))


def document_response(value: object, *, root: str, format: str, status: int = 200) -> HttpResponse:
    """The answer in the asked format: JSON as is; XML under `root`."""
    fmt = format if format in FORMATS else "xml"
    body = json_document(value) if fmt == "json" else xml_document(root, value)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Vary"] = "Accept-Language"
    return response


def errors_response(errors: Sequence[tuple[int, str]], *, format: str, status: int) -> HttpResponse:
    """The spec's error list: [{"code": 400, "description": "…"}], <errors><error>…."""
    items = [{"code": code, "description": description} for code, description in errors]
    return document_response(items, root="errors", format=format, status=status)
