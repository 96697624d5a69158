"""My pages: a resident's own cases, opened by a private link, an e-mailed sign-in link or
e-ID; and the satisfaction question.

What a visitor has proved lives in the session (`_visitor`), never in a form or a query
string: a private link's token is read once from the path, and the browser is sent on to the
case's page at once, so the token stays out of the history and of every later request. A
staff member's sign-in does not matter here: these pages neither need nor read it.

A link that does not work (unknown, expired, revoked, used) gets one page with one status,
whatever the reason; every link tried is counted against the client's address.
"""

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kontakt.accounts.signin import client_address
from kontakt.cases import links, surveys
from kontakt.cases.attachments import attachment_download
from kontakt.cases.models import Case
from kontakt.cases.uploads import upload_limit
from kontakt.web.pages import center_contact

from . import my_selectors, my_services, oidc
from .my_selectors import Visitor

logger = logging.getLogger(__name__)

CASE_IDS, EMAIL, IDENTITY, ID_TOKEN = "my.case_ids", "my.email", "my.identity", "my.id_token"
# A private link adds its case to those of the session; more than this many, the oldest go.
SESSION_CASES_MAX = 20


def _visitor(request: HttpRequest) -> Visitor:
    session = request.session
    ids = session.get(CASE_IDS) or []
    identity = session.get(IDENTITY) or {}
    return Visitor(
        case_ids=tuple(i for i in ids if isinstance(i, int)),
        email=str(session.get(EMAIL) or ""),
        identity_country=str(identity.get("country", "")),
        identity_number=str(identity.get("number", "")),
        name=str(identity.get("name", "")),
    )


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    visitor = _visitor(request)
    response = render(
        request,
        f"portal/my/{template}",
        {
            "center": center_contact(),
            "visitor": visitor,
            "eid_enabled": oidc.eid_enabled(),
            "eid_name": oidc.eid_name(),
            **context,
        },
        status=status,
    )
    if visitor.by_eid and oidc.eid_enabled():
        # Signing out sends the browser on to the provider's end-session page.
        response._csp_config = {  # type: ignore[attr-defined]
            **settings.SECURE_CSP,
            "form-action": [CSP.SELF, oidc.issuer_origin()],
        }
    return response


def _link_failed(request: HttpRequest) -> HttpResponse:
    """The one answer to a link that does not work, whatever the reason."""
    return _page(request, "link_failed.html", {}, status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    return _page(request, "too_many.html", {}, status=429)


def _signed_in(request: HttpRequest) -> None:
    """A visitor who proves something new gets a new session key (no fixation)."""
    request.session.cycle_key()


# The start page and the e-mailed sign-in link ------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The visitor's cases, and the ways in: an e-mailed link, e-ID."""
    visitor = _visitor(request)
    context: dict[str, Any] = {"email": "", "errors": {}}
    status = 200
    if request.method == "POST":
        context["email"] = request.POST.get("email", "")[:300]
        try:
            asked = my_services.sign_in_link_request(
                raw_address=request.POST.get("email", ""),
                client=client_address(request),
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except ValidationError as error:
            context["errors"] = error.message_dict
            status = 400
        else:
            if asked.limited:
                return _too_many(request)
            return _page(request, "link_sent.html", {}, status=200)
    cases = list(my_selectors.cases_of(visitor=visitor)[:200])
    context["cases"] = [(case, my_selectors.status_label(case.status)) for case in cases]
    return _page(request, "index.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """An e-mailed link: a button that signs in (a mail scanner that follows the link does
    not spend it), and on pressing it the visitor's cases."""
    if my_services.client_limit_reached(client=client_address(request)):
        return _too_many(request)
    if request.method == "GET":
        if my_services.sign_in_token_check(token=token) is None:
            return _link_failed(request)
        return _page(request, "sign_in.html", {})
    address = my_services.sign_in_token_use(token=token)
    if address is None:
        return _link_failed(request)
    _signed_in(request)
    request.session[EMAIL] = address
    return redirect("my:index")


# A private link and the case's page ------------------------------------------------------


@never_cache
@require_GET
def link(request: HttpRequest, token: str) -> HttpResponse:
    """A private link to one case: into the session, and on to the case's page."""
    limited = my_services.client_limit_reached(client=client_address(request))
    case = links.case_link_open(token=token)
    if limited:
        return _too_many(request)
    if case is None:
        return _link_failed(request)
    ids = [i for i in (request.session.get(CASE_IDS) or []) if i != case.pk]
    if not ids and not _visitor(request).signed_in:
        _signed_in(request)
    request.session[CASE_IDS] = [*ids, case.pk][-SESSION_CASES_MAX:]
    return redirect("my:case", reference=case.reference)


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    errors: dict[str, list[str]] | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return _page(
        request,
        "case.html",
        {
            "case": case,
            "status": my_selectors.status_label(case.status),
            "timeline": my_selectors.timeline_of(case=case),
            "feedback_choices": my_selectors.feedback_choices(case=case),
            "files_max": settings.KONTAKT["WEB_FORM"]["ATTACHMENTS_MAX"],
            "bytes_max_mb": -(-settings.KONTAKT["ATTACHMENT_MAX_BYTES"] // 2**20),
            "errors": errors or {},
            "posted": posted or {},
        },
        status=status,
    )


@never_cache
@require_GET
def case(request: HttpRequest, reference: str) -> HttpResponse:
    found = my_selectors.case_of(visitor=_visitor(request), reference=reference)
    return _case_page(request, found)


@upload_limit(lambda: settings.KONTAKT["ATTACHMENT_MAX_BYTES"])
@never_cache
@require_POST
def case_information(request: HttpRequest, reference: str) -> HttpResponse:
    """More information: a message and files, joined to the case."""
    found = my_selectors.case_of(visitor=_visitor(request), reference=reference)
    body = request.POST.get("body", "")
    try:
        my_services.information_add(case=found, body=body, uploads=request.FILES.getlist("files"))
    except ValidationError as error:
        return _case_page(
            request, found, errors=error.message_dict, posted={"body": body[:6000]}, status=400
        )
    messages.success(request, _("Thank you. We have received what you sent."))
    return redirect(reverse("my:case", kwargs={"reference": found.reference}) + "#timeline")


@never_cache
@require_POST
def case_feedback(request: HttpRequest, reference: str) -> HttpResponse:
    found = my_selectors.case_of(visitor=_visitor(request), reference=reference)
    try:
        my_services.case_feedback_channel_set(
            case=found, channel=request.POST.get("feedback_channel", "")
        )
    except ValidationError as error:
        return _case_page(request, found, errors=error.message_dict, status=400)
    messages.success(request, _("We will answer you the way you chose."))
    return redirect("my:case", reference=found.reference)


@never_cache
@require_POST
def case_close(request: HttpRequest, reference: str) -> HttpResponse:
    found = my_selectors.case_of(visitor=_visitor(request), reference=reference)
    reason = request.POST.get("reason", "")
    try:
        my_services.case_close_request(case=found, reason=reason)
    except ValidationError as error:
        return _case_page(
            request, found, errors=error.message_dict, posted={"reason": reason[:6000]}, status=400
        )
    messages.success(request, _("We have your request. The case's handler will close it."))
    return redirect("my:case", reference=found.reference)


@never_cache
@require_GET
def case_file(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """A file the resident attached, as a download."""
    attachment = my_selectors.own_attachment(
        visitor=_visitor(request), reference=reference, attachment_id=attachment_id
    )
    return attachment_download(attachment)


# e-ID --------------------------------------------------------------------------------------


@never_cache
@require_GET
def eid(request: HttpRequest) -> HttpResponse:
    """Off to the e-ID provider."""
    if not oidc.eid_enabled():
        raise Http404("e-ID is not set up.")
    try:
        return oidc.sign_in_redirect(request)
    except oidc.EidFailed:
        return _page(request, "eid_failed.html", {"unavailable": True}, status=503)


@never_cache
@require_GET
def eid_callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: the identity number into the session, or why not."""
    if not oidc.eid_enabled():
        raise Http404("e-ID is not set up.")
    try:
        identity = oidc.sign_in_finish(request)
    except oidc.EidFailed as error:
        logger.warning("e-ID sign-in refused: %s", error)
        return _page(request, "eid_failed.html", {}, status=400)
    _signed_in(request)
    request.session[IDENTITY] = {
        "country": identity.country,
        "number": identity.number,
        "name": identity.name,
    }
    request.session[ID_TOKEN] = identity.id_token
    return redirect("my:index")


@never_cache
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Forget what this session proved (a staff sign-in on the same browser stays); after an
    e-ID sign-in, on to the provider to end that session too."""
    by_eid = _visitor(request).by_eid
    id_token = str(request.session.get(ID_TOKEN) or "")
    for key in (CASE_IDS, EMAIL, IDENTITY, ID_TOKEN):
        request.session.pop(key, None)
    request.session.cycle_key()
    home = settings.KONTAKT["SITE_URL"] + reverse("my:index")
    if by_eid:
        away = oidc.sign_out_url(id_token=id_token, then=home)
        if away:
            return redirect(away)
    messages.success(request, _("You are signed out."))
    return redirect("my:index")


# The satisfaction question ---------------------------------------------------------------


def _scores() -> list[tuple[str, str]]:
    words = [
        _("not at all satisfied"),
        _("not satisfied"),
        _("neither satisfied nor dissatisfied"),
        _("satisfied"),
        _("very satisfied"),
    ]
    return [(str(n), f"{n} – {word}") for n, word in enumerate(words, 1)]


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """One question, 1–5, and a comment; thanks once answered."""
    if my_services.client_limit_reached(client=client_address(request)):
        return _too_many(request)
    found = surveys.survey_open(token=token)
    if found is None:
        return _link_failed(request)
    context: dict[str, Any] = {"survey": found, "errors": {}, "posted": {}, "scores": _scores()}
    if found.answered_at is not None:
        return _page(request, "survey.html", {**context, "answered": True})
    if request.method == "POST":
        raw = request.POST.get("score", "")
        comment = request.POST.get("comment", "")
        try:
            score = int(raw) if raw.isdigit() and len(raw) == 1 else 0
            if not score:
                raise ValidationError({"score": [_("Choose a number from 1 to 5.")]})
            surveys.survey_answer(survey=found, score=score, comment=comment)
        except ValidationError as error:
            context["errors"] = error.message_dict
            context["posted"] = {"score": raw[:1], "comment": comment[:3000]}
            return _page(request, "survey.html", context, status=400)
        return _page(request, "survey.html", {**context, "answered": True, "thanks": True})
    return _page(request, "survey.html", context)
