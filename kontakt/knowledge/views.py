"""Staff pages of the knowledge base: search, the article, writing it, flags, tasks, gaps.

Each view parses, calls one selector or service, and renders. Who may read or change what
is decided in the selectors and services.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontakt.cases import selectors as case_selectors
from kontakt.core import text_search
from kontakt.residents import selectors as resident_selectors
from kontakt.web.pages import StaffRequest, apply_errors, front_line_required, staff_required

from . import forms, selectors, services
from .models import Article


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@staff_required
def search(request: StaffRequest) -> HttpResponse:
    """The search page; asked by htmx (the desktop's panel), only the results."""
    form = forms.SearchForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    query = text_search.printable(data.get("q") or "")
    case_type = (
        case_selectors.case_type_find(data.get("case_type") or "")
        if data.get("case_type")
        else None
    )
    language = data.get("lang") or None
    result = None
    if query.strip():
        result = selectors.article_search(
            user=request.user,
            query=query,
            language=language,
            case_type=case_type,
            prefer_language=(get_language() or "sv")[:2],
        )
        # A live search while typing sees every half-typed word: the desktop reports the
        # one that was left when the contact is logged (desk.views.contact_log) instead.
        if not request.headers.get("HX-Request"):
            services.search_result_note(result=result, language=language, case_type=case_type)
    resident = None
    resident_id = _int(request.GET.get("resident"))
    if resident_id:
        resident = resident_selectors.resident_get(user=request.user, resident_id=resident_id)
    context = {
        "form": form,
        "result": result,
        "case_type": case_type,
        "resident": resident,
        # With a query, the pinned articles come first among the results.
        "pinned": []
        if result
        else selectors.pinned_articles(user=request.user, prefer=get_language()),
        "from_desk": bool(request.GET.get("desk")),
        "today": timezone.localdate(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_results.html", context)
    return render(request, "knowledge/search.html", context)


@staff_required
def article_detail(request: StaffRequest, article_id: int) -> HttpResponse:
    article = selectors.article_get(user=request.user, article_id=article_id)
    return render(request, "knowledge/article.html", _article_context(request, article))


def _article_context(request: StaffRequest, article: Article, **extra: Any) -> dict[str, Any]:
    user = request.user
    context = {
        "article": article,
        "translations": selectors.translations_of(user=user, article=article),
        "revisions": selectors.article_revisions(article=article)[:20],
        "open_flags": article.flags.filter(closed_at__isnull=True).select_related("flagged_by"),
        "may_edit": selectors.may_edit_article(user, article),
        "may_pin": selectors.may_pin_articles(user),
        "stale": selectors.is_stale(article, today=timezone.localdate()),
        "flag_form": forms.FlagForm(),
    }
    context.update(extra)
    return context


def _editor_form(request: StaffRequest, article: Article | None) -> forms.ArticleForm:
    if article is not None:
        initial = forms.article_initial(article)
    elif source_id := _int(request.GET.get("translate")):
        source = selectors.article_get(user=request.user, article_id=source_id)
        initial = forms.translation_initial(source)
    else:
        initial = forms.new_article_initial(
            language=(get_language() or "sv")[:2], department_id=request.user.department_id
        )
    return forms.ArticleForm(request.POST or None, initial=initial)


def _edit(request: StaffRequest, article: Article | None) -> HttpResponse:
    if not selectors.may_edit_article(request.user, article):
        raise PermissionDenied
    form = _editor_form(request, article)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.article_save(draft=form.draft(), article=article, by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Article saved as version %(v)s.") % {"v": saved.version})
            return redirect("knowledge:article", article_id=saved.pk)
    status = 400 if form.errors else 200
    return render(
        request, "knowledge/article_form.html", {"form": form, "article": article}, status=status
    )


@staff_required
def article_new(request: StaffRequest) -> HttpResponse:
    return _edit(request, None)


@staff_required
def article_edit(request: StaffRequest, article_id: int) -> HttpResponse:
    return _edit(request, selectors.article_get(user=request.user, article_id=article_id))


@staff_required
@require_POST
def article_flag(request: StaffRequest, article_id: int) -> HttpResponse:
    article = selectors.article_get(user=request.user, article_id=article_id)
    form = forms.FlagForm(request.POST)
    if form.is_valid():
        try:
            services.article_flag(
                article=article,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"] or "",
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you: the owner has been told."))
            return redirect("knowledge:article", article_id=article.pk)
    context = _article_context(request, article, flag_form=form)
    return render(request, "knowledge/article.html", context, status=400)


@front_line_required
@require_POST
def article_send(request: StaffRequest, article_id: int) -> HttpResponse:
    """Send the article's public text to the resident; htmx gets a one-line status."""
    article = selectors.article_get(user=request.user, article_id=article_id)
    form = forms.SendForm(request.POST)
    status, text = 400, _("Choose a resident and e-mail or SMS.")
    if form.is_valid():
        resident = resident_selectors.resident_get(
            user=request.user, resident_id=form.cleaned_data["resident"]
        )
        try:
            services.article_send(
                article=article,
                resident=resident,
                channel=form.cleaned_data["channel"],
                by=request.user,
            )
        except ValidationError as error:
            text = " ".join(str(m) for m in error.messages)
        else:
            status = 200
            text = _("Sent to %(name)s.") % {"name": resident.name}
    if request.headers.get("HX-Request"):
        return render(
            request, "knowledge/_status.html", {"text": text, "ok": status == 200}, status=status
        )
    (messages.success if status == 200 else messages.error)(request, text)
    return redirect("knowledge:article", article_id=article.pk)


@staff_required
@require_POST
def article_pin(request: StaffRequest, article_id: int) -> HttpResponse:
    article = selectors.article_get(user=request.user, article_id=article_id)
    try:
        if request.POST.get("pin") == "0":
            services.article_unpin(article=article, by=request.user)
            messages.success(request, _("The article is no longer pinned."))
        else:
            services.article_pin(article=article, by=request.user)
            messages.success(request, _("The article is pinned on every desktop."))
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    return redirect("knowledge:article", article_id=article.pk)


@staff_required
def tasks(request: StaffRequest) -> HttpResponse:
    """The owner's tasks: flagged articles and reviews that are due."""
    if not selectors.may_edit_article(request.user):
        raise PermissionDenied
    flags = selectors.article_tasks(user=request.user)
    return render(request, "knowledge/tasks.html", {"flags": flags, "today": timezone.localdate()})


@staff_required
@require_POST
def flag_dismiss(request: StaffRequest, flag_id: int) -> HttpResponse:
    flag = selectors.flag_get(user=request.user, flag_id=flag_id)
    try:
        services.article_flag_dismiss(flag=flag, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.success(request, _("The flag is closed."))
    return redirect(reverse("knowledge:tasks"))


@staff_required
def gaps(request: StaffRequest) -> HttpResponse:
    """What residents ask that the knowledge base does not answer, per case type."""
    if not selectors.may_see_gaps(request.user):
        raise PermissionDenied
    return render(
        request, "knowledge/gaps.html", {"gaps": selectors.knowledge_gaps(user=request.user)}
    )
