"""Reading Open311's answers in tests: XML into the same shape as JSON, so one check reads
both formats."""

import json
import xml.etree.ElementTree as ET
from typing import Any

from kontakt.open311.documents import ITEM


def from_xml(element: ET.Element) -> Any:
    children = list(element)
    if element.tag in ITEM:
        return [from_xml(child) for child in children]
    if children:
        return {child.tag: from_xml(child) for child in children}
    return element.text or ""


def as_text(value: Any) -> Any:
    """A JSON document with its leaves as XML writes them."""
    if isinstance(value, dict):
        return {key: as_text(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [as_text(item) for item in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read(response: Any, format: str) -> Any:
    """The answer's document; XML's root element must be the spec's."""
    if format == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    return from_xml(ET.fromstring(response.content))


def root(response: Any) -> str:
    return ET.fromstring(response.content).tag
