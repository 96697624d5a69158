"""Open311 GeoReport v2 at /open311/v2/: each view parses, calls one service or selector
and answers in the format its URL ends with (.json or .xml); every refusal is the spec's
list of errors, in the client's language (Accept-Language)."""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from . import selectors, services
from .documents import FORMATS, document_response, errors_response, w3c
from .services import Open311Error, RequestDraft, refused

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed, for discovery's changeset.
CHANGESET = "2026-12-07T00:00:00Z"
MAX_BODY_BYTES = 100_000
MAX_IDS = 200
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")
_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """The same checks before every view: the method, the format, the jurisdiction; and
    an Open311Error raised anywhere answered as the spec's errors."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, format: str, **kwargs: Any) -> HttpResponse:
            if format not in FORMATS:
                return errors_response(
                    [(404, _("Ask for .json or .xml."))], format="xml", status=404
                )
            try:
                if request.method not in methods:
                    response = errors_response(
                        [(405, _("Use %(methods)s here.") % {"methods": " or ".join(methods)})],
                        format=format,
                        status=405,
                    )
                    response["Allow"] = ", ".join(methods)
                    return response
                _jurisdiction_check(request)
                return view(request, *args, format=format, **kwargs)
            except Open311Error as error:
                return errors_response(error.errors, format=format, status=error.status)

        # No session, no cookie: a client proves itself by its API key.
        wrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _params(request: HttpRequest) -> QueryDict:
    """The request's parameters: the query, or the form body of a POST (read carefully)."""
    if request.method != "POST":
        return request.GET
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise refused(400, _("The request is too large."))
    try:
        return request.POST
    except (RequestDataTooBig, SuspiciousOperation):
        raise refused(400, _("The request is too large.")) from None


def _jurisdiction_check(request: HttpRequest) -> None:
    given = _params(request).get("jurisdiction_id", "")
    if given and given != settings.KONTAKT["OPEN311"]["JURISDICTION_ID"]:
        raise refused(404, _("jurisdiction_id: No such jurisdiction here."))


def _client(request: HttpRequest) -> Any:
    client = selectors.client_by_key(_params(request).get("api_key", "").strip())
    if client is None:
        raise refused(403, _("api_key: Give the API key the municipality issued to you."))
    return client


def _moment(raw: str, name: str, *, end: bool = False) -> datetime | None:
    """A W3C date or date and time; a date alone is its day's start (or end)."""
    if not raw:
        return None
    raw = raw.strip().replace(" ", "+")  # a "+" in a query arrives as a space
    moment = None
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            if day is not None:
                moment = datetime.combine(day, datetime.max.time() if end else datetime.min.time())
    except ValueError:
        moment = None
    if moment is None or not 1970 <= moment.year <= 2100:
        raise refused(
            400,
            _("%(name)s: Give a W3C date and time, e.g. 2026-05-04T08:30:00Z.") % {"name": name},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _window(params: QueryDict) -> tuple[datetime, datetime]:
    """start_date..end_date, at most DEFAULT_DAYS long; the last DEFAULT_DAYS by default."""
    days = timedelta(days=settings.KONTAKT["OPEN311"]["DEFAULT_DAYS"])
    start = _moment(params.get("start_date", ""), "start_date")
    end = _moment(params.get("end_date", ""), "end_date", end=True)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - days
    if end is None:
        end = start + days
    if end < start:
        raise refused(400, _("end_date: The end comes before the start."))
    if end - start > days + timedelta(days=1):
        raise refused(
            400,
            _("start_date: The dates may span at most %(n)s days.") % {"n": days.days},
        )
    return start, end


def _list(params: QueryDict, name: str, *, limit: int = 60) -> list[str]:
    items = [item.strip() for item in params.get(name, "").split(",") if item.strip()]
    if len(items) > MAX_IDS or any(len(item) > limit or "\x00" in item for item in items):
        raise refused(
            400,
            _("%(name)s: Give at most %(n)s values, each as sent.") % {"name": name, "n": MAX_IDS},
        )
    return items


# ---------------------------------------------------------------------------- endpoints


@endpoint("GET")
def discovery(request: HttpRequest, format: str) -> HttpResponse:
    site = settings.KONTAKT["SITE_URL"]
    contact = settings.KONTAKT["CENTER_EMAIL"] or settings.KONTAKT["CENTER_PHONE"]
    document = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _("Ask the municipality's contact center for an API key."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{site}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return document_response(document, root="discovery", format=format)


@endpoint("GET")
def services_list(request: HttpRequest, format: str) -> HttpResponse:
    document = [
        {
            "service_code": case_type.code,
            "service_name": case_type.name,
            "description": case_type.public_description,
            "metadata": bool(case_type.attributes.all()),
            "type": "realtime",
            "keywords": case_type.keywords,
            "group": case_type.group,
        }
        for case_type in selectors.services_published()
    ]
    return document_response(document, root="services", format=format)


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, format: str) -> HttpResponse:
    case_type = selectors.service_published(code)
    if case_type is None:
        raise refused(404, _("service_code: No such service; see services.json."))
    document = {
        "service_code": case_type.code,
        "attributes": [selectors.attribute_document(q) for q in case_type.attributes.all()],
    }
    return document_response(document, root="service_definition", format=format)


@endpoint("GET", "POST")
def requests(request: HttpRequest, format: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, format)
    params = request.GET
    references = _list(params, "service_request_id", limit=24)
    statuses = _list(params, "status")
    if any(status not in ("open", "closed") for status in statuses):
        raise refused(400, _("status: Give open, closed or both."))
    start, end = _window(params)
    filters = selectors.RequestFilter(
        references=references,
        service_codes=_list(params, "service_code"),
        start=start,
        end=end,
        statuses=statuses,
    )
    document = selectors.request_documents(selectors.requests_rows(filters))
    return document_response(document, root="service_requests", format=format)


def _request_create(request: HttpRequest, format: str) -> HttpResponse:
    params = _params(request)
    client = _client(request)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 1 and key[0] == key[-1] == '"':
        key = key[1:-1]  # sent as a structured-field string
    if "Idempotency-Key" in request.headers and not _KEY.match(key):
        raise refused(400, _("Idempotency-Key: Give at most 255 printable ASCII characters."))
    attributes: dict[str, object] = {}
    for name in params:
        match = _ATTRIBUTE.match(name)
        if match:
            values = params.getlist(name)
            attributes[match.group(1)] = values if match.group(2) else values[-1]
    draft = RequestDraft(
        **{
            name: params.get(name, "")
            for name in (
                "service_code",
                "lat",
                "long",
                "address_string",
                "address_id",
                "email",
                "phone",
                "first_name",
                "last_name",
                "device_id",
                "account_id",
                "description",
                "media_url",
            )
        },
        attributes=attributes,
    )
    fields = sorted((name, params.getlist(name)) for name in params if name != "api_key")
    fingerprint = hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()
    stored, replayed = services.request_file(
        client=client, draft=draft, idempotency_key=key, fingerprint=fingerprint
    )
    response = document_response(stored.answer, root="service_requests", format=format)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@endpoint("GET")
def request_detail(request: HttpRequest, reference: str, format: str) -> HttpResponse:
    rows = selectors.requests_rows(selectors.RequestFilter(references=[reference[:24]]))
    if not rows:
        raise refused(404, _("service_request_id: No such request."))
    document = selectors.request_documents(rows[:1])
    return document_response(document, root="service_requests", format=format)


@endpoint("GET")
def token(request: HttpRequest, token: str, format: str) -> HttpResponse:
    # Every request is answered at once with its service_request_id: no token is issued.
    raise refused(404, _("token: No such token; requests here are answered at once."))


@endpoint("GET")
def request_updates(request: HttpRequest, format: str) -> HttpResponse:
    client = _client(request)
    start, end = _window(request.GET)
    texts = {"open": _("The request is open again."), "closed": _("The request is closed.")}
    updates = selectors.updates_for(client=client, start=start, end=end, status_texts=texts)
    document = [
        {
            "update_id": update.update_id,
            "service_request_id": update.service_request_id,
            "status": update.status,
            "updated_datetime": w3c(update.updated_datetime),
            "description": update.description,
            "media_url": update.media_url,
        }
        for update in updates
    ]
    return document_response(document, root="service_requests_updates", format=format)
