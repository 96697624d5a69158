"""Reads of the organisation: departments, staff who are in, the center's opening hours."""

from datetime import date
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache

from kontakt.core.business_hours import OpeningHours as CoreOpeningHours

from .models import ClosedDay, OpeningHours

OPENING_HOURS_CACHE_KEY = "directory:opening-hours:v1"


def public_holidays(*, country: str, years: range) -> dict[date, str]:
    """Public holidays of Sweden or Norway for the given years, from the holidays package."""
    return dict(holidays.country_holidays(country, years=list(years)).items())


def opening_hours(*, today: date | None = None) -> CoreOpeningHours:
    """The center's opening hours as the core reads them, holidays and closed days included."""
    cached = cache.get(OPENING_HOURS_CACHE_KEY)
    if cached is not None:
        return cached
    today = today or date.today()
    weekly: dict[int, list[tuple]] = {}
    for period in OpeningHours.objects.order_by("weekday", "opens"):
        weekly.setdefault(period.weekday, []).append((period.opens, period.closes))
    closed = set(ClosedDay.objects.values_list("date", flat=True))
    country = settings.KONTAKT["HOLIDAY_COUNTRY"]
    # Cases live for months and demo data goes back in time: cover a generous window.
    closed |= set(public_holidays(country=country, years=range(today.year - 2, today.year + 3)))
    hours = CoreOpeningHours(
        weekly=weekly, closed_dates=frozenset(closed), tz=ZoneInfo(settings.TIME_ZONE)
    )
    cache.set(OPENING_HOURS_CACHE_KEY, hours, timeout=3600)
    return hours


def opening_hours_changed() -> None:
    """Forget the cached opening hours after an administrator changed them."""
    cache.delete(OPENING_HOURS_CACHE_KEY)
