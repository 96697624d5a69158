"""Template filters of the staffing pages: look-ups and figures shown the same way everywhere."""

import math
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def get(mapping: dict[str, Any] | None, key: str) -> Any:
    """mapping[key], or None."""
    return (mapping or {}).get(key)


@register.filter
def percent(share: object, digits: int = 0) -> str:
    """A share as a percentage, "0.806" → "81 %"; "–" when there is none."""
    if not isinstance(share, int | float) or not math.isfinite(share):
        return "–"
    return f"{number_format(100 * share, decimal_pos=digits)} %"


@register.filter
def seconds(value: object) -> str:
    """Seconds rounded, "∞" for an unbounded wait, "–" when there is none."""
    if not isinstance(value, int | float):
        return "–"
    if not math.isfinite(value):
        return "∞"
    return f"{number_format(value, decimal_pos=0)} s"
