"""What the exchange plays and offers on a number: greeting, digits, opening hours."""

from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils import timezone

from kontakt.core import business_hours
from kontakt.directory.models import AnswerGroup
from kontakt.directory.selectors import opening_hours
from kontakt.residents.selectors import normalize_phone

from ..models import PhoneNumber
from .crisis import crisis_current


def ivr_menu(*, number: str, now: datetime | None = None) -> dict[str, Any]:
    """What the exchange plays and offers on a number right now."""
    now = now or timezone.now()
    wanted = number.strip().replace(" ", "")
    phone = (
        PhoneNumber.objects.select_related("default_group")
        .filter(number__in={wanted, normalize_phone(wanted)})
        .first()
    )
    if phone is None:
        raise Http404
    crisis = crisis_current()
    hours = opening_hours(today=now.date())
    # Without any opening hours configured the center is taken to be open, not closed for good.
    configured = any(hours.weekly.values())
    is_open = business_hours.is_open(now, hours) if configured else True
    if crisis is not None:
        greeting = phone.crisis_message or crisis.message
    elif is_open:
        greeting = phone.greeting
    else:
        greeting = phone.closed_message
    options = [
        {"digit": o.digit, "label": o.label, "answer_group": o.answer_group.code}
        for o in phone.menu.select_related("answer_group").order_by("digit")
    ]
    return {
        "number": phone.number,
        "name": phone.name,
        "open": is_open,
        "crisis": crisis is not None,
        "greeting": greeting,
        "closed_message": "" if is_open else phone.closed_message,
        "options": options if is_open else [],
        "default_answer_group": phone.default_group.code,
        "next_opening": None if is_open else _next_opening(now, hours),
    }


def _next_opening(now: datetime, hours: Any) -> str | None:
    try:
        return business_hours.next_opening(now, hours).isoformat()
    except ValueError:  # no opening within the core's horizon
        return None


def answer_group_for(*, number: str, digit: str) -> AnswerGroup | None:
    """The group a digit on a number leads to, or the number's group without a choice."""
    phone = PhoneNumber.objects.filter(number__in={number.strip(), normalize_phone(number)}).first()
    if phone is None:
        return None
    option = (
        phone.menu.filter(digit=digit).select_related("answer_group").first() if digit else None
    )
    return option.answer_group if option else phone.default_group
