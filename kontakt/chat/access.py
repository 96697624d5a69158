"""How a resident's browser proves a chat is theirs: a signed cookie naming the chat.

The chat's public id (random) stands in its URLs; the cookie, which only this server can
sign, says which chat this browser started. The check is the signature's (constant time)
and then the same id; any mismatch, a missing cookie or an unknown id is the same 404.
"""

import hmac

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

SALT = "kontakt.chat.resident"
MAX_AGE_SECONDS = 12 * 3600


def cookie_name() -> str:
    # Over HTTPS the __Host- prefix pins it to this host, Secure, path /.
    return "__Host-kontakt_chat" if getattr(settings, "HTTPS", False) else "kontakt_chat"


def resident_cookie_set(response: HttpResponse, public_id: str) -> None:
    response.set_cookie(
        cookie_name(),
        signing.TimestampSigner(salt=SALT).sign(public_id),
        max_age=MAX_AGE_SECONDS,
        path="/",
        secure=getattr(settings, "HTTPS", False),
        httponly=True,
        samesite="Strict",
    )


def is_residents(request: HttpRequest, public_id: str) -> bool:
    """Whether this browser's cookie names the chat `public_id`."""
    value = request.COOKIES.get(cookie_name(), "")[:200]
    try:
        named = signing.TimestampSigner(salt=SALT).unsign(value, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    return hmac.compare_digest(named.encode(), public_id[:64].encode())
