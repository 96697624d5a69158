"""The SMS gateway's webhooks: text messages from residents and delivery receipts.

Each request is signed (kontakt/sms/signing.py); without a configured secret the webhooks
are off (404). A refused request stores nothing and is answered with a JSON error.
"""

import json
import logging
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kontakt.cases import notices

from . import services
from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, BadSignature, signature_check

logger = logging.getLogger(__name__)

BODY_MAX = 64 * 1024


def _error(status: int, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "errors": fields or {}}, status=status)


def _signed_json(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The request's JSON object if it is signed by the gateway, else the answer to give."""
    config = settings.KONTAKT["SMS"]
    secret = config.get("WEBHOOK_SECRET", "")
    if not secret:
        return _error(404, "The SMS webhooks are not configured.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "The Content-Length is not a number.")
    if length > BODY_MAX:
        return _error(413, f"The body is larger than {BODY_MAX} bytes.")
    body = request.body
    if len(body) > BODY_MAX:  # sent without a length (chunked)
        return _error(413, f"The body is larger than {BODY_MAX} bytes.")
    try:
        signature_check(
            secret=secret,
            signed=request.headers.get(SIGNATURE_HEADER, ""),
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
            body=body,
            now=time.time(),
            max_age=int(config.get("WEBHOOK_MAX_AGE_SECONDS", 300)),
        )
    except BadSignature as refused:
        logger.warning("SMS webhook refused: %s", refused)
        return _error(401 if refused.missing else 403, str(refused))
    try:
        data = json.loads(body)
    except ValueError:
        return _error(400, "The body is not JSON.")
    if not isinstance(data, dict):
        return _error(400, "The body is not a JSON object.")
    return data


def _text(data: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ValidationError({name: ["This field is required."]})
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError({name: ["A text (or a whole number for an id) is expected."]})
    return str(value)


def _moment(data: dict[str, Any], name: str) -> datetime | None:
    raw = data.get(name)
    if raw in (None, ""):
        return None
    moment = parse_datetime(raw) if isinstance(raw, str) and len(raw) <= 40 else None
    if moment is None or moment.tzinfo is None:
        raise ValidationError({name: ["An ISO 8601 time with its offset is expected."]})
    return moment


def _invalid(error: ValidationError) -> JsonResponse:
    fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return _error(400, "Nothing was stored: the body has errors.", fields)


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> JsonResponse:
    """A text message from a resident: {"from", "to", "text", "id", "received_at"?}."""
    data = _signed_json(request)
    if isinstance(data, JsonResponse):
        return data
    try:
        draft = services.InboundDraft(
            gateway_id=_text(data, "id"),
            sender=_text(data, "from"),
            to=_text(data, "to", required=False),
            text=_text(data, "text", required=False),
            received_at=_moment(data, "received_at"),
        )
        message, new = services.sms_receive(draft=draft)
    except ValidationError as error:
        return _invalid(error)
    return JsonResponse(
        {"id": message.pk, "state": message.state, "stored": new}, status=201 if new else 200
    )


@csrf_exempt
@require_POST
def receipt(request: HttpRequest) -> JsonResponse:
    """A delivery receipt: {"id", "status": delivered|failed|expired|…, "error"?, "at"?}."""
    data = _signed_json(request)
    if isinstance(data, JsonResponse):
        return data
    try:
        found = notices.sms_receipt_record(
            receipt=notices.SmsReceipt(
                gateway_id=_text(data, "id").replace("\x00", "")[:100],
                status=_text(data, "status")[:40],
                error=_text(data, "error", required=False).replace("\x00", "")[:200],
                at=_moment(data, "at"),
            )
        )
    except ValidationError as error:
        return _invalid(error)
    if found is None:
        logger.info("SMS receipt for no notice we know (or an interim status): ignored.")
    return JsonResponse({"recorded": found is not None})
