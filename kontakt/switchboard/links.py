"""The private link of a message: the person opens it without an account.

The key is the message's id signed with the site's secret (`django.core.signing`), so
nothing secret is stored and a link cannot be guessed from another.
"""

from django.core import signing
from django.utils.crypto import constant_time_compare

from .models import Message

MESSAGE_SALT = "kontakt.switchboard.message"


def message_key(message: Message) -> str:
    return str(message.pk) + "." + _signer_value(message.pk)


def _signer_value(pk: int) -> str:
    return signing.Signer(salt=MESSAGE_SALT).signature(str(pk))


def message_by_key(key: str) -> Message | None:
    """The message the key opens, or None for a key that is not one of ours."""
    pk_text, _dot, signature = key.partition(".")
    if not pk_text.isdigit() or len(pk_text) > 18 or not signature:
        return None
    if not constant_time_compare(signature, _signer_value(int(pk_text))):
        return None
    return Message.objects.select_related("employee", "taken_by").filter(pk=int(pk_text)).first()
