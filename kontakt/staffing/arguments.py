"""Argument types of the staffing commands: numbers refused with a message a person reads."""

import argparse
import math
from collections.abc import Callable


def number(
    minimum: float, *, above: bool = False, below: float | None = None
) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or value < minimum or (above and value == minimum):
            raise argparse.ArgumentTypeError(
                f"{text} must be {'more than' if above else 'at least'} {minimum:g}"
            )
        if below is not None and value >= below:
            raise argparse.ArgumentTypeError(f"{text} must be below {below:g}")
        return value

    return parse


def share(text: str) -> float:
    value = number(0.0)(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share: give e.g. 0.80 for 80 %")
    return value


def whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must be at least 0")
    return value
