"""Crisis mode as it is now and as the pages show it."""

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse

from kontakt.accounts.models import User

from ..models import CrisisSwitch
from .access import require_watcher


def crisis_current() -> CrisisSwitch | None:
    """The switch that put the center in crisis mode, or None when it is not."""
    last = CrisisSwitch.objects.select_related("article", "by").order_by("-at", "-id").first()
    return last if last is not None and last.on else None


def crisis_message(switch: CrisisSwitch | None) -> dict[str, Any]:
    """Crisis mode as every desktop shows it (and as it is pushed to them)."""
    on = switch is not None and switch.on
    article = switch.article if on and switch is not None else None
    return {
        "type": "crisis",
        "on": on,
        "message": switch.message if on and switch is not None else "",
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": reverse("knowledge:article", args=[article.pk]),
        }
        if article is not None
        else None,
    }


CRISIS_CACHE_KEY = "telephony:crisis:v1"


def crisis_shown() -> dict[str, Any]:
    """Crisis mode as the pages show it, from the cache (switching renews it)."""
    shown = cache.get(CRISIS_CACHE_KEY)
    if shown is None:
        shown = crisis_message(crisis_current())
        cache.set(CRISIS_CACHE_KEY, shown, timeout=300)
    return shown


def crisis_log(user: User, *, limit: int = 50) -> QuerySet[CrisisSwitch]:
    require_watcher(user)
    return CrisisSwitch.objects.select_related("article", "by").order_by("-at", "-id")[:limit]
