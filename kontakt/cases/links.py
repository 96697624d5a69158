"""Private links to a case on My pages.

A link is a random token (256 bits, URL-safe) that the resident receives once; only its
SHA-256 is stored, so a copy of the database opens no case. A link expires (by default a
year after the case closes, settable as `KONTAKT["MY_PAGES"]["LINK_DAYS"]`) and can be
revoked by staff. Looking a token up costs the same whether it exists or not: the lookup
is by the hash's unique index, and the hash found is compared in constant time.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User

from .models import Case, CaseLink
from .selectors import may_work_case

TOKEN_BYTES = 32
# A token is 43 URL-safe characters; anything much longer is not looked up at all.
TOKEN_MAX = 64


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _link_days() -> int:
    return settings.KONTAKT["MY_PAGES"]["LINK_DAYS"]


def case_link_create(*, case: Case, now: datetime | None = None) -> str:
    """A new private link to `case`; returns the token (kept nowhere but in what is sent)."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    CaseLink.objects.create(
        case=case,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=_link_days()),
    )
    return token


def token_match[M: Model](queryset: QuerySet[M], token: str) -> M | None:
    """The row of `queryset` whose `token_hash` is the token's, or None. The lookup is by
    the hash's unique index and the hash found is compared again in constant time, so a
    known and an unknown token take the same path."""
    wanted = token_hash(token[:TOKEN_MAX]) if token else token_hash("")
    row = queryset.filter(token_hash=wanted).first()
    found = str(getattr(row, "token_hash", "0" * 64))
    if not hmac.compare_digest(found, wanted) or row is None or len(token) > TOKEN_MAX:
        return None
    return row


def case_link_open(*, token: str, now: datetime | None = None) -> Case | None:
    """The case a live link opens, or None (unknown, expired or revoked: the caller
    answers all three alike)."""
    now = now or timezone.now()
    link = token_match(
        CaseLink.objects.filter(revoked_at__isnull=True, expires_at__gt=now).select_related("case"),
        token,
    )
    if link is None:
        return None
    CaseLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link.case


def case_links_revoke(*, case: Case, by: User, now: datetime | None = None) -> int:
    """End every live link to `case` (e.g. when it was sent to the wrong address); those
    who work the case may. The resident gets a new link with the next notice."""
    if not may_work_case(by, case):
        raise PermissionDenied(_("You may not change this case."))
    now = now or timezone.now()
    return CaseLink.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=now)


def case_has_live_links(*, case: Case, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return CaseLink.objects.filter(case=case, revoked_at__isnull=True, expires_at__gt=now).exists()
