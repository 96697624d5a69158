"""The residents' web form at /form/: what it is about, the answer first, then the form.

Public, no login, in the resident's language (the public answers' language switch). Works
without JavaScript; with it, the browser does the proof of work (static portal/form.js).
Whatever stops a submission, the page comes back with everything typed and the files held
(kontakt/portal/form_services.py).
"""

from collections import OrderedDict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kontakt.accounts.signin import client_address
from kontakt.cases.models import Case, CaseType
from kontakt.cases.notices import my_pages_url
from kontakt.cases.uploads import upload_limit
from kontakt.knowledge import selectors as knowledge_selectors
from kontakt.web.pages import apply_errors, center_contact

from . import form_services as services
from .files import upload_prepare
from .form_forms import WebForm, attachments_max
from .models import HeldUpload

THANKS_KEY = "portal.form.thanks"


def _published() -> Any:
    return CaseType.objects.filter(published=True, active=True)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request, f"portal/form/{template}", {"center": center_contact(), **context}, status=status
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return _page(request, "not_found.html", {}, status=404)


@require_http_methods(["GET", "HEAD"])
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: the published case types, by group."""
    groups: OrderedDict[str, list[CaseType]] = OrderedDict()
    types = sorted(_published(), key=lambda t: (t.group.casefold(), t.name.casefold()))
    for case_type in types:
        groups.setdefault(case_type.group, []).append(case_type)
    # Types with no group come last, under "Other matters".
    ordered = [(group, items) for group, items in groups.items() if group]
    if "" in groups:
        ordered.append(("", groups[""]))
    return _page(request, "start.html", {"groups": ordered})


@upload_limit(lambda: settings.KONTAKT["ATTACHMENT_MAX_BYTES"])
@require_http_methods(["GET", "HEAD", "POST"])
def case_type_form(request: HttpRequest, code: str) -> HttpResponse:
    """Step 2: the knowledge base's answers for the type, then the form; a POST files it."""
    case_type = _published().filter(code=code[:60]).prefetch_related("attributes").first()
    if case_type is None:
        return _not_found(request)
    if request.method != "POST":
        form = WebForm(case_type=case_type, initial={"feedback_channel": "email"})
        challenge = services.challenge_issue()
        return _form_page(request, case_type, form, challenge=challenge, held=[])
    return _submit(request, case_type)


def _submit(request: HttpRequest, case_type: CaseType) -> HttpResponse:
    now = timezone.now()
    form = WebForm(request.POST, request.FILES, case_type=case_type)
    valid = form.is_valid()
    token = request.POST.get("pow_challenge", "")
    solution = request.POST.get("pow_solution", "")
    held = services.held_open(request.POST.getlist("held"))
    if len(held) > attachments_max():
        form.add_error(
            "attachments",
            ngettext(
                "You can add at most %(n)s file: leave some out.",
                "You can add at most %(n)s files: leave some out.",
                attachments_max(),
            )
            % {"n": attachments_max()},
        )
    uploads, file_errors = _take_files(request, already=len(held))
    for message in file_errors:
        form.add_error("attachments", message)
    problem = ""
    address = client_address(request) or "unknown"
    if valid and not file_errors and len(held) <= attachments_max():
        try:
            met = services.challenge_check(token=token, solution=solution, now=now)
        except services.ChallengeRefused as refused:
            problem = _challenge_message(refused.reason)
        else:
            retry = services.rate_check(address=address, scripted=met.scripted, now=now)
            if retry is not None:
                problem = _rate_message(retry)
            else:
                try:
                    services.challenge_spend(met=met)
                    case, link = services.form_submit(
                        draft=services.FormDraft(
                            case_type=case_type,
                            description=form.cleaned_data["description"],
                            name=form.cleaned_data["name"],
                            feedback_channel=form.cleaned_data["feedback_channel"],
                            email=form.cleaned_data.get("email", ""),
                            phone=form.cleaned_data.get("phone", ""),
                            place=form.place,
                            attributes=form.answers,
                            language=get_language() or "sv",
                        ),
                        uploads=uploads,
                        held=held,
                        now=now,
                    )
                except services.ChallengeRefused as refused:
                    problem = _challenge_message(refused.reason)
                except ValidationError as error:
                    _show_service_errors(form, error)
                else:
                    services.rate_count(address=address, scripted=met.scripted, now=now)
                    # For the thank-you page only, in the resident's session: the private
                    # link never stands in an address (nor so in a log).
                    request.session[THANKS_KEY] = {"case": case.pk, "link": link}
                    return redirect("form:thanks")
    # Back to the resident, with everything kept: the files that passed are held.
    held_tokens = [services.held_token(item) for item in held]
    if services.hold_allow(address=address, count=len(uploads), now=now):
        held_tokens += [services.upload_hold(upload=upload, now=now) for upload in uploads]
    elif uploads:
        form.add_error(
            "attachments",
            _("Your files could not be kept this time: choose them again before you send."),
        )
    kept = services.held_open(held_tokens)
    challenge = services.challenge_reuse(token, now=now)
    return _form_page(
        request, case_type, form, challenge=challenge, held=kept, problem=problem, status=400
    )


def _show_service_errors(form: WebForm, error: ValidationError) -> None:
    """The services' reasons on the form's fields (the resident's details by their names)."""
    renamed = {"emails": "email", "phones": "phone", "preferred_channel": "feedback_channel"}
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {renamed.get(key, key): value for key, value in error.error_dict.items()}
        )
    apply_errors(form, error)


def _take_files(request: HttpRequest, *, already: int) -> tuple[list[Any], list[str]]:
    """The new files checked and prepared, and the reasons for those refused (too many
    among them: those past the limit are not taken)."""
    room = attachments_max() - already
    uploads: list[Any] = []
    errors: list[str] = []
    files = request.FILES.getlist("attachments")
    for index, upload in enumerate(files):
        if index >= max(room, 0):
            errors.append(
                ngettext(
                    "You can add at most %(n)s file: “%(name)s” was not added.",
                    "You can add at most %(n)s files: “%(name)s” was not added.",
                    attachments_max(),
                )
                % {"n": attachments_max(), "name": (upload.name or "")[:80]}
            )
            continue
        try:
            uploads.append(upload_prepare(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    return uploads, errors


def _challenge_message(reason: str) -> str:
    if reason == "too_soon":
        return _(
            "For safety the form needs a few seconds before it can be sent. Check your "
            "answers and send it again."
        )
    return _(
        "The form's safety check had expired or was not complete. Your answers are kept: "
        "send the form again."
    )


def _rate_message(retry: datetime) -> str:
    center = center_contact()
    when = date_format(timezone.localtime(retry), "TIME_FORMAT")
    message = _(
        "Many forms have been sent from your network in the last hour, so we cannot take "
        "this one just now. Your answers are kept: send it again after %(time)s."
    ) % {"time": when}
    if center["phone"]:
        message += " " + _("Or call us at %(phone)s.") % {"phone": center["phone"]}
    return message


def _form_page(
    request: HttpRequest,
    case_type: CaseType,
    form: WebForm,
    *,
    challenge: services.Challenge,
    held: list[HeldUpload],
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    language = knowledge_selectors.public_language(preferred=get_language())
    answers = knowledge_selectors.public_articles_for_case_type(
        case_type=case_type, language=language
    )
    form.fields["pow_challenge"].initial = challenge.token
    form.fields["pow_challenge"].widget.attrs["data-bits"] = str(challenge.bits)
    form.describe_errors()
    if form.is_bound and isinstance(form.data, QueryDict):
        data = form.data.copy()
        data["pow_challenge"] = challenge.token
        data["pow_solution"] = ""  # the page's script solves its challenge anew
        form.data = data
    held_items = [(services.held_token(item), item) for item in held]
    return _page(
        request,
        "case_type.html",
        {
            "case_type": case_type,
            "form": form,
            "answers": answers,
            "challenge": challenge,
            "held": held_items,
            "problem": problem,
            "attachments_max": attachments_max(),
            "attachment_max_mb": -(-settings.KONTAKT["ATTACHMENT_MAX_BYTES"] // 2**20),
            "errors": _error_list(form),
        },
        status=status,
    )


def _error_list(form: WebForm) -> list[tuple[str, str]]:
    """(field id, message) for the error summary at the top, in the page's order."""
    found: list[tuple[str, str]] = []
    for message in form.non_field_errors():
        found.append(("", str(message)))
    for field in form:
        for message in field.errors:
            found.append((field.auto_id or "", str(message)))
    return found


@require_http_methods(["GET", "HEAD"])
def answered(request: HttpRequest, code: str) -> HttpResponse:
    """The answer was enough: nothing to file."""
    case_type = _published().filter(code=code[:60]).first()
    if case_type is None:
        return _not_found(request)
    return _page(request, "answered.html", {"case_type": case_type})


@require_http_methods(["GET", "HEAD"])
def thanks(request: HttpRequest) -> HttpResponse:
    """The reference, the answer-by date, what happens next and the link to My pages, for
    the matter this browser has just sent."""
    kept = request.session.get(THANKS_KEY)
    case = None
    if isinstance(kept, dict) and isinstance(kept.get("case"), int):
        case = Case.objects.select_related("case_type").filter(pk=kept["case"]).first()
    if case is None or not isinstance(kept, dict) or not isinstance(kept.get("link"), str):
        return _not_found(request)
    my_pages = my_pages_url(kept["link"])
    return _page(
        request,
        "thanks.html",
        {"case": case, "my_pages": my_pages, "start_url": reverse("form:start")},
    )
