"""The letters' staff pages: the list with its search, the upload of scans, and a letter
with its preview, its text and the form that registers it.

Each view parses, calls one service or selector, and renders; who may read a letter is the
selectors' business, who may change one the services'.
"""

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kontakt.cases import selectors as case_selectors
from kontakt.cases.attachments import DOWNLOAD_HEADERS
from kontakt.cases.models import Outcome
from kontakt.cases.uploads import upload_limit
from kontakt.residents import selectors as resident_selectors
from kontakt.residents.services import ResidentDraft
from kontakt.web.pages import StaffRequest, apply_errors, front_line_required, staff_required

from . import forms, selectors, services
from .models import Letter, LetterSource, LetterState

PAGE_SIZE = 50


@staff_required
@require_safe
def letter_list(request: StaffRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    filters = selectors.LetterFilter()
    if form.is_bound and form.is_valid():
        filters = selectors.LetterFilter(
            text=form.cleaned_data["q"], state=form.cleaned_data["state"]
        )
    rows = list(selectors.letter_search(user=request.user, filters=filters)[: PAGE_SIZE + 1])
    return render(
        request,
        "letters/list.html",
        {
            "form": form,
            "letters": rows[:PAGE_SIZE],
            "more": len(rows) > PAGE_SIZE,
            "query": filters.text,
            "may_register": selectors.may_register_letters(request.user),
        },
        status=400 if form.errors else 200,
    )


@upload_limit(lambda: settings.KONTAKT["LETTERS"]["MAX_BYTES"])
@front_line_required
@require_http_methods(["GET", "HEAD", "POST"])
def letter_new(request: StaffRequest) -> HttpResponse:
    """Upload one or several scans; each is stored once and read by the task queue."""
    form = (
        forms.UploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else forms.UploadForm()
    )
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["received_on"]
        now = timezone.now()
        # A day before today: its noon (the letter came that day, at some hour).
        received_at = (
            timezone.make_aware(datetime.combine(day, time(12)))
            if day is not None and day != timezone.localdate(now)
            else now
        )
        stored: list[services.Received] = []
        for upload in form.cleaned_data["scans"]:
            try:
                stored.append(
                    services.letter_receive(
                        upload=upload,
                        source=LetterSource.UPLOAD,
                        by=request.user,
                        received_at=min(received_at, now),
                        now=now,
                    )
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("scans", f"{upload.name}: {message}")
        if not form.errors:
            new = sum(1 for item in stored if item.new)
            known = len(stored) - new
            text = ngettext(
                "%(n)d letter received; its text is being read.",
                "%(n)d letters received; their text is being read.",
                new,
            ) % {"n": new}
            if known:
                text += " " + ngettext(
                    "%(n)d was here already.", "%(n)d were here already.", known
                ) % {"n": known}
            messages.success(request, text)
            if len(stored) == 1:
                return redirect("letters:letter", letter_id=stored[0].letter.pk)
            return redirect("letters:list")
    return render(request, "letters/new.html", {"form": form}, status=400 if form.errors else 200)


def _letter_context(request: StaffRequest, letter: Letter, **overrides: Any) -> dict[str, Any]:
    may_register = selectors.may_register_letters(request.user)
    context: dict[str, Any] = {
        "letter": letter,
        "may_register": may_register and letter.state in (LetterState.READ, LetterState.FAILED),
        "may_read_again": may_register and letter.state == LetterState.FAILED,
        "search_form": forms.ResidentSearchForm(),
        "results": [],
        "chosen": None,
        "register_form": forms.RegisterForm(initial={"outcome": Outcome.FORWARDED}),
    }
    context.update(overrides)
    return context


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def letter_detail(request: StaffRequest, letter_id: int) -> HttpResponse:
    """The letter; a POST searches for the resident who wrote it (posted, like the desk's
    search, so an identity number never stands in a URL)."""
    letter = selectors.letter_get(user=request.user, letter_id=letter_id)
    if request.headers.get("HX-Request") and request.method != "POST":
        # The state, polled while the letter is read; once read, the whole page again.
        response = render(request, "letters/_state.html", {"letter": letter})
        if not letter.is_reading:
            response["HX-Refresh"] = "true"
        return response
    if request.method != "POST":
        return render(request, "letters/letter.html", _letter_context(request, letter))
    if not selectors.may_register_letters(request.user):
        raise Http404("Nothing to search here.")
    search_form = forms.ResidentSearchForm(request.POST)
    results: list[Any] = []
    if search_form.is_valid():
        results = resident_selectors.resident_find(
            user=request.user, query=search_form.cleaned_data["q"]
        )
    context = _letter_context(
        request,
        letter,
        search_form=search_form,
        results=results,
    )
    return render(
        request, "letters/letter.html", context, status=400 if search_form.errors else 200
    )


@front_line_required
@require_POST
def letter_register(request: StaffRequest, letter_id: int) -> HttpResponse:
    letter = selectors.letter_get(user=request.user, letter_id=letter_id)
    form = forms.RegisterForm(request.POST)
    chosen = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["resident"]:
                chosen = resident_selectors.resident_get(
                    user=request.user, resident_id=data["resident"]
                )
            case = None
            if data["outcome"] == Outcome.LINKED:
                try:
                    case = case_selectors.case_get(
                        user=request.user, reference=data["case_reference"]
                    )
                except Http404:
                    raise ValidationError(
                        {"case_reference": [_("No case you may read has this reference.")]}
                    ) from None
            details = (
                ResidentDraft(
                    name=data["new_name"].strip(),
                    street_address=data["new_street_address"].strip(),
                    postal_code=data["new_postal_code"].strip(),
                    city=data["new_city"].strip(),
                    preferred_channel="letter",
                )
                if chosen is None
                else None
            )
            registered = services.letter_register(
                letter=letter,
                registration=services.Registration(
                    outcome=data["outcome"],
                    case_type=data["case_type"],
                    resident=chosen,
                    resident_details=details,
                    case=case,
                    note=data["note"],
                ),
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if registered.case is not None:
                messages.success(
                    request,
                    _("Letter registered on case %(ref)s.") % {"ref": registered.case.reference},
                )
            else:
                messages.success(request, _("Letter registered as a contact."))
            return redirect("letters:letter", letter_id=letter.pk)
    letter = selectors.letter_get(user=request.user, letter_id=letter_id)
    context = _letter_context(request, letter, register_form=form, chosen=chosen)
    return render(request, "letters/letter.html", context, status=400)


@front_line_required
@require_POST
def letter_read_again(request: StaffRequest, letter_id: int) -> HttpResponse:
    letter = selectors.letter_get(user=request.user, letter_id=letter_id)
    try:
        services.letter_read_again(letter=letter, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The letter is being read again."))
    return redirect("letters:letter", letter_id=letter.pk)


@staff_required
@require_safe
def letter_file(request: StaffRequest, letter_id: int) -> FileResponse:
    """The original scan, as a download, for whoever may read the letter."""
    letter = selectors.letter_get(user=request.user, letter_id=letter_id)
    try:
        content = letter.file.open("rb")
    except FileNotFoundError:
        raise Http404("The letter's file is missing.") from None
    response = FileResponse(
        content, as_attachment=True, filename=letter.name, content_type=letter.content_type
    )
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response


@staff_required
@require_safe
def letter_preview(request: StaffRequest, letter_id: int) -> FileResponse:
    """The first page as a PNG made by the server, shown on the letter's page."""
    letter = selectors.letter_get(user=request.user, letter_id=letter_id)
    if not letter.preview:
        raise Http404("The letter has no preview.")
    try:
        content = letter.preview.open("rb")
    except FileNotFoundError:
        raise Http404("The preview is missing.") from None
    response = FileResponse(content, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
