"""Crisis mode: one message on the IVR and every desktop, and an article pinned."""

from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_watch_queues
from kontakt.knowledge import services as knowledge_services
from kontakt.knowledge.models import Article, ArticleStatus
from kontakt.live import bus

from .. import selectors
from ..models import CrisisSwitch


def crisis_switch_on(
    *, message: str, article: Article | None, by: User, now: datetime | None = None
) -> CrisisSwitch:
    """Crisis mode on: the IVR plays the message, every desktop shows it, the article is
    pinned at the top of every search."""
    if not may_watch_queues(by):
        raise PermissionDenied(_("Only a supervisor may switch crisis mode."))
    message = message.strip()
    errors: dict[str, list[str]] = {}
    if not message:
        errors["message"] = [_("Write the message callers hear and agents see.")]
    if article is not None and article.status != ArticleStatus.PUBLISHED:
        errors["article"] = [_("Only a published article can be pinned.")]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        current = selectors.crisis_current()
        if current is not None:
            _crisis_article_restore(current, keep=article, by=by)
        # An article pinned before the crisis stays pinned after it.
        was_pinned = article is not None and article.pinned_at is not None
        if current is not None and article is not None and current.article_id == article.pk:
            was_pinned = current.article_was_pinned
        if article is not None and article.pinned_at is None:
            knowledge_services.article_pin(article=article, by=by, now=now)
        switch = CrisisSwitch.objects.create(
            on=True,
            message=message,
            article=article,
            article_was_pinned=was_pinned,
            by=by,
            at=now,
        )
        _crisis_announce(switch)
    return switch


def _crisis_announce(switch: CrisisSwitch) -> None:
    payload = selectors.crisis_message(switch)
    # The pages read crisis mode from the cache: renewed first, so a page the push makes
    # reload shows the new state. A cache down after the commit must not fail the switch.
    transaction.on_commit(
        lambda: cache.set(selectors.CRISIS_CACHE_KEY, payload, timeout=300), robust=True
    )
    bus.publish_on_commit(bus.CENTER, payload)


def _crisis_article_restore(current: CrisisSwitch, *, keep: Article | None, by: User) -> None:
    article = current.article
    if article is None or (keep is not None and article.pk == keep.pk):
        return
    if not current.article_was_pinned and article.pinned_at is not None:
        knowledge_services.article_unpin(article=article, by=by)


def crisis_switch_off(*, by: User, now: datetime | None = None) -> CrisisSwitch:
    """Crisis mode off: the greeting, the desktops and the search are as before."""
    if not may_watch_queues(by):
        raise PermissionDenied(_("Only a supervisor may switch crisis mode."))
    now = now or timezone.now()
    with transaction.atomic():
        current = selectors.crisis_current()
        if current is None:
            raise ValidationError({"__all__": [_("Crisis mode is not on.")]})
        _crisis_article_restore(current, keep=None, by=by)
        switch = CrisisSwitch.objects.create(on=False, by=by, at=now)
        _crisis_announce(switch)
    return switch
