"""The signature of the SMS gateway's webhooks.

The gateway sends, with each POST, `X-Kontakt-Timestamp` (Unix seconds) and
`X-Kontakt-Signature: sha256=<hex>`, the HMAC-SHA256 under the shared
`KONTAKT["SMS"]["WEBHOOK_SECRET"]` of the timestamp, a full stop and the raw body. A request
whose time is further than `WEBHOOK_MAX_AGE_SECONDS` from ours is refused, so a recorded
request cannot be played again later (and within that window each message is stored once).
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Kontakt-Signature"
TIMESTAMP_HEADER = "X-Kontakt-Timestamp"
PREFIX = "sha256="


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The header value a gateway sends: 'sha256=' and the hex digest."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


class BadSignature(Exception):
    """The request is not signed, or not by the gateway, or not now."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def signature_check(
    *, secret: str, signed: str, timestamp: str, body: bytes, now: float, max_age: int
) -> None:
    """Raise BadSignature unless `signed` is the body's signature at a time near `now`."""
    if not signed or not timestamp:
        raise BadSignature("The request is not signed.", missing=True)
    try:
        sent_at = int(timestamp)
    except ValueError as error:
        raise BadSignature("The timestamp is not a number of seconds.") from error
    if abs(now - sent_at) > max_age:
        raise BadSignature("The request is too old (or from the future).")
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signed.strip().encode("utf-8", "replace")):
        raise BadSignature("The signature does not match.")
