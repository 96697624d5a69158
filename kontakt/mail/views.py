"""The inbound webhook: a mail provider POSTs one message as raw RFC 822 bytes."""

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Mailbox
from .services import mail_receive

BEARER = "Bearer "


def _authorized(request: HttpRequest, token: str) -> bool:
    given = request.headers.get("Authorization", "")
    if not given.startswith(BEARER):
        return False
    return hmac.compare_digest(given.removeprefix(BEARER).strip().encode(), token.encode())


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    """Receive one message (`Authorization: Bearer KONTAKT["MAIL"]["WEBHOOK_TOKEN"]`; off
    without a token). `?mailbox=<name>` picks the mailbox whose answer group it is queued
    in (default: the first active one). 202 with what became of it; 401, 413 or 400."""
    token = settings.KONTAKT["MAIL"]["WEBHOOK_TOKEN"]
    if not token:
        raise Http404
    if not _authorized(request, token):
        return JsonResponse({"detail": "A valid bearer token is required."}, status=401)
    limit = int(settings.KONTAKT["MAIL"]["MESSAGE_MAX_BYTES"])
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return JsonResponse({"detail": "Content-Length is not a number."}, status=400)
    if declared > limit:
        return JsonResponse({"detail": f"The message is larger than {limit} bytes."}, status=413)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"detail": f"The message is larger than {limit} bytes."}, status=413)
    if not raw.strip():
        return JsonResponse({"detail": "The body must be one message (RFC 822)."}, status=400)
    name = request.GET.get("mailbox", "")[:100].replace("\x00", "")
    mailboxes = Mailbox.objects.filter(active=True).order_by("pk")
    mailbox = mailboxes.filter(name=name).first() if name else mailboxes.first()
    if mailbox is None:
        return JsonResponse({"detail": "No active mailbox to receive it."}, status=400)
    mail = mail_receive(raw, mailbox=mailbox)
    return JsonResponse({"id": mail.pk, "state": mail.state, "kind": mail.kind}, status=202)
