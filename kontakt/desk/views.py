"""Staff pages: the agent desktop, the department queue and the case page.

Each view parses a form, calls one service or selector, and renders. Access control is in
the selectors and services; a view only asks whether the user has a staff role at all.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kontakt.accounts.selectors import (
    colleagues_of,
    may_log_contacts,
    may_take_calls,
    sees_all_departments,
    works_department_only,
)
from kontakt.cases import links as case_links
from kontakt.cases import selectors as case_selectors
from kontakt.cases import services as case_services
from kontakt.cases.attachments import attachment_download
from kontakt.cases.models import STATUS_CHOICES, CaseStatus, CaseType, Outcome
from kontakt.cases.questions import answers_shown
from kontakt.cases.uploads import upload_limit
from kontakt.chat import forms as chat_forms
from kontakt.chat import selectors as chat_selectors
from kontakt.core.case_status import parse_case_reference
from kontakt.core.presence import Channel as WorkChannel
from kontakt.directory.models import Department
from kontakt.intake import services as intake_services
from kontakt.knowledge import selectors as knowledge_selectors
from kontakt.residents import selectors as resident_selectors
from kontakt.residents import services as resident_services
from kontakt.telephony import forms as telephony_forms
from kontakt.telephony import selectors as telephony_selectors
from kontakt.web.pages import StaffRequest, apply_errors, front_line_required, staff_required

from . import forms


@staff_required
def home(request: StaffRequest) -> HttpResponse:
    if may_log_contacts(request.user):
        return redirect("desk:desk")
    return redirect("desk:queue")


@front_line_required
@require_http_methods(["GET", "HEAD", "POST"])
def desk(request: StaffRequest) -> HttpResponse:
    """The agent desktop: search, the resident's panel, and the contact form.

    The search is posted (with or without htmx), so what was typed, an identity number
    say, never stands in a URL and so never in an access log; a resident is then opened by
    their row id.
    """
    data = request.POST if request.method == "POST" else request.GET
    query = _text(request.POST, "q", 200).strip() if request.method == "POST" else ""
    resident = None
    if request.GET.get("resident"):
        try:
            resident = resident_selectors.resident_get(
                user=request.user, resident_id=int(request.GET["resident"])
            )
        except ValueError:
            resident = None
    call = telephony_selectors.call_for_contact(user=request.user, call_id=_text(data, "call"))
    context = _desk_context(request, query=query, resident=resident, call=call)
    template = (
        "desk/_search_results.html"
        if request.headers.get("HX-Request") and query
        else "desk/desk.html"
    )
    return render(request, template, context)


def _text(data: Any, name: str, limit: int = 100) -> str:
    """A request parameter as text that can be stored and compared: PostgreSQL refuses NUL."""
    return str(data.get(name, ""))[:limit].replace("\x00", "")


def _desk_context(
    request: StaffRequest,
    *,
    query: str,
    resident: Any,
    form: Any = None,
    used_articles: list[Any] | None = None,
    call: Any = None,
) -> dict[str, Any]:
    user = request.user
    results: list[Any] = []
    case_hit = None
    if query:
        if parse_case_reference(query):
            case_hit = case_selectors.case_search(
                user=user, filters=case_selectors.CaseFilter(text=query)
            ).first()
        results = resident_selectors.resident_find(user=user, query=query)
    takes_calls = may_take_calls(user)
    work = telephony_selectors.work_of(user) if takes_calls else []
    context: dict[str, Any] = {
        "query": query,
        # Only a name goes on to the new resident's form in its URL, never a number.
        "new_resident_name": query if query and not any(c.isdigit() for c in query) else "",
        "results": results,
        "case_hit": case_hit,
        "resident": resident,
        "case_types": list(case_selectors.case_types_active()),
        "departments": Department.objects.filter(active=True),
        "outcomes": Outcome.choices,
        "now": timezone.now(),
        "form": form
        or forms.ContactForm(
            initial={
                "resident": resident.pk if resident else None,
                "call": call.call_id if call else "",
            }
        ),
        "call": call,
        "presence": telephony_selectors.presence_of(user) if takes_calls else None,
        "pause_reasons": telephony_forms.PAUSE_REASONS,
        "work": work,
        # A chat the agent has is work the router handed them: without one, nothing to read.
        "chats": chat_forms.chat_panels(chat_selectors.chats_of(user))
        if any(w.channel == WorkChannel.CHAT for w in work)
        else [],
        "recent_contacts": case_selectors.contacts_logged_by(user=user, limit=8),
        "pinned_articles": knowledge_selectors.pinned_articles(
            user=user, prefer=request.LANGUAGE_CODE
        ),
        "used_articles": used_articles or [],
    }
    if resident is not None:
        context["identity_number"] = resident_selectors.identity_number_shown(
            user=user, resident=resident
        )
        context["open_cases"] = list(
            case_selectors.open_cases_of_resident(user=user, resident_id=resident.pk)
        )
        context["last_contacts"] = case_selectors.contacts_of_resident(
            user=user, resident_id=resident.pk
        )
        resident_services.resident_access_log(resident=resident, user=user, what="desk")
    return context


def case_type_from(text: str) -> CaseType | None:
    """The case type an agent typed (its name or code), none for nothing; a field error for
    a name that is no case type."""
    text = text.strip()
    if not text:
        return None
    found = case_selectors.case_type_find(text)
    if found is None:
        raise ValidationError({"case_type": [_("Choose a case type from the list.")]})
    return found


@front_line_required
@require_POST
def contact_log(request: StaffRequest) -> HttpResponse:
    form = forms.ContactForm(request.POST)
    resident = None
    if request.POST.get("resident"):
        try:
            resident = resident_selectors.resident_get(
                user=request.user, resident_id=int(request.POST["resident"])
            )
        except ValueError:
            resident = None
    articles = knowledge_selectors.articles_used(
        user=request.user, ids=request.POST.getlist("articles")
    )
    call = telephony_selectors.call_for_contact(
        user=request.user, call_id=_text(request.POST, "call")
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = None
            if data["outcome"] == Outcome.LINKED and data["case_reference"]:
                case = case_selectors.case_get(user=request.user, reference=data["case_reference"])
            arrival = intake_services.Arrival(
                contact=case_services.ContactDraft(
                    channel=data["channel"],
                    outcome=data["outcome"],
                    summary=data["summary"],
                    resident=resident,
                    case_type=case_type_from(data["case_type"]),
                    case=case,
                    priority=data["priority"],
                    department=data["department"],
                ),
                source=intake_services.Source(call=call),
                articles=articles,
                unanswered_search=_text(request.POST, "kb_gap", 200),
            )
            contact = intake_services.contact_intake(arrival=arrival, by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if contact.case is not None and data["outcome"] == Outcome.FORWARDED:
                messages.success(
                    request,
                    _("Contact logged; case %(ref)s forwarded to %(dept)s.")
                    % {"ref": contact.case.reference, "dept": contact.case.department},
                )
            else:
                messages.success(request, _("Contact logged."))
            target = reverse("desk:desk")
            if resident is not None:
                target += f"?resident={resident.pk}"
            return HttpResponseRedirect(target)
    context = _desk_context(
        request, query="", resident=resident, form=form, used_articles=articles, call=call
    )
    return render(request, "desk/desk.html", context, status=400)


@front_line_required
def resident_new(request: StaffRequest) -> HttpResponse:
    form = forms.ResidentForm(
        request.POST or None,
        initial={
            "name": request.GET.get("name", "")[:200],
            "phone": request.GET.get("phone", "")[:40],
        },
    )
    call_id = _text(request.POST, "call") or _text(request.GET, "call")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = resident_services.ResidentDraft(
            name=data["name"],
            kind=data["kind"],
            identity_number=data["identity_number"],
            phones=[data["phone"]],
            emails=[data["email"]],
            street_address=data["street_address"],
            postal_code=data["postal_code"],
            city=data["city"],
            preferred_language=data["preferred_language"],
            preferred_channel=data["preferred_channel"],
        )
        try:
            resident = resident_services.resident_create(draft=draft, by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Resident registered."))
            target = f"{reverse('desk:desk')}?resident={resident.pk}"
            if call_id:
                target += "&" + urlencode({"call": call_id})
            return redirect(target)
    return render(
        request,
        "desk/resident_form.html",
        {"form": form, "call_id": call_id},
        status=400 if form.errors else 200,
    )


@staff_required
def queue(request: StaffRequest) -> HttpResponse:
    """The department queue, oldest due first; overdue cases stand out."""
    user = request.user
    department = None
    if works_department_only(user):
        department = user.department
    elif request.GET.get("department"):
        code = request.GET["department"][:60].replace("\x00", "")  # PostgreSQL refuses NUL
        department = Department.objects.filter(code=code).first()
    cases = case_selectors.department_queue(
        user=user, department_id=department.pk if department else None
    )
    scope = request.GET.get("scope", "all")
    if scope == "mine":
        cases = cases.filter(handler=user)
    elif scope == "unassigned":
        cases = cases.filter(handler__isnull=True)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "department": department,
        "departments": Department.objects.filter(active=True) if sees_all_departments(user) else [],
        "scope": scope,
        "now": timezone.now(),
    }
    return render(request, "desk/queue.html", context)


@staff_required
def case_detail(request: StaffRequest, reference: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, reference=reference)
    return render(request, "desk/case.html", _case_context(request, case))


def _case_context(request: StaffRequest, case: Any, **form_overrides: Any) -> dict[str, Any]:
    user = request.user
    events = list(case_selectors.case_timeline(case=case))
    attachments = list(case.attachments.all())
    conversation = case_selectors.case_conversation(
        case=case, timeline=events, case_attachments=attachments
    )
    answer_channel = case_selectors.case_answer_channel(case=case, conversation=conversation)
    context = {
        "case": case,
        "answers": answers_shown(case),
        "has_links": case_links.case_has_live_links(case=case),
        "events": events,
        "conversation": conversation,
        "answer_channel": answer_channel,
        "attachments": attachments,
        "notices": case_selectors.case_notices(case=case),
        "contacts": case.contacts.select_related("agent").order_by("-started_at")[:20],
        "may_work": case_selectors.may_work_case(user, case),
        "may_forward": may_log_contacts(user) or case_selectors.may_work_case(user, case),
        "now": timezone.now(),
        "note_form": forms.NoteForm(),
        "message_form": forms.MessageForm(initial={"channel": answer_channel.channel}),
        "status_form": forms.StatusForm(),
        "forward_form": forms.ForwardForm(initial={"department": case.department.code}),
        "attachment_form": forms.AttachmentForm(),
        "identity_number": resident_selectors.identity_number_shown(
            user=user, resident=case.resident
        )
        if case.resident
        else "",
    }
    context.update(form_overrides)
    return context


def _case_action(
    request: StaffRequest,
    reference: str,
    form_class: Any,
    form_name: str,
    act: Callable[[Any, dict[str, Any]], str],
) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, reference=reference)
    form = form_class(request.POST, request.FILES) if request.FILES else form_class(request.POST)
    if form.is_valid():
        try:
            message = act(case, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("desk:case", reference=case.reference)
    case = case_selectors.case_get(user=request.user, reference=reference)
    return render(
        request, "desk/case.html", _case_context(request, case, **{form_name: form}), status=400
    )


@staff_required
@require_POST
def case_take(request: StaffRequest, reference: str) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, reference=reference)
    try:
        case_services.case_take(case=case, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You took %(ref)s.") % {"ref": case.reference})
    return redirect("desk:case", reference=case.reference)


@staff_required
@require_POST
def case_note(request: StaffRequest, reference: str) -> HttpResponse:
    def act(case: Any, data: dict[str, Any]) -> str:
        case_services.case_add_note(case=case, body=data["body"], by=request.user)
        return _("Note added.")

    return _case_action(request, reference, forms.NoteForm, "note_form", act)


@staff_required
@require_POST
def case_message(request: StaffRequest, reference: str) -> HttpResponse:
    def act(case: Any, data: dict[str, Any]) -> str:
        case_services.case_add_message(
            case=case,
            body=data["body"],
            direction=data["direction"],
            channel=data["channel"],
            by=request.user,
        )
        return _("Message added.")

    return _case_action(request, reference, forms.MessageForm, "message_form", act)


@staff_required
@require_POST
def case_status(request: StaffRequest, reference: str) -> HttpResponse:
    def act(case: Any, data: dict[str, Any]) -> str:
        case_services.case_change_status(
            case=case,
            to_status=data["status"],
            by=request.user,
            resolution=data["resolution"],
            note=data["note"],
        )
        return _("Case closed.") if data["status"] == CaseStatus.CLOSED else _("Status changed.")

    return _case_action(request, reference, forms.StatusForm, "status_form", act)


@staff_required
@require_POST
def case_forward(request: StaffRequest, reference: str) -> HttpResponse:
    def act(case: Any, data: dict[str, Any]) -> str:
        case_services.case_forward(
            case=case, department=data["department"], by=request.user, note=data["note"]
        )
        return _("Forwarded to %(dept)s.") % {"dept": data["department"]}

    return _case_action(request, reference, forms.ForwardForm, "forward_form", act)


@staff_required
@require_POST
def case_links_revoke(request: StaffRequest, reference: str) -> HttpResponse:
    """End the resident's private links to the case (sent to a wrong address, say)."""
    case = case_selectors.case_get(user=request.user, reference=reference)
    ended = case_links.case_links_revoke(case=case, by=request.user)
    messages.success(
        request,
        ngettext("%(n)s private link ended.", "%(n)s private links ended.", ended) % {"n": ended},
    )
    return redirect("desk:case", reference=case.reference)


@upload_limit(lambda: settings.KONTAKT["ATTACHMENT_MAX_BYTES"])
@staff_required
@require_POST
def case_attach(request: StaffRequest, reference: str) -> HttpResponse:
    def act(case: Any, data: dict[str, Any]) -> str:
        case_services.case_attach(case=case, upload=data["file"], by=request.user)
        return _("File attached.")

    return _case_action(request, reference, forms.AttachmentForm, "attachment_form", act)


@staff_required
@require_safe
def case_attachment(request: StaffRequest, reference: str, attachment_id: int) -> FileResponse:
    """An attachment as a download, for whoever may read its case."""
    attachment = case_selectors.attachment_get(
        user=request.user, reference=reference, attachment_id=attachment_id
    )
    return attachment_download(attachment)


@staff_required
def case_list(request: StaffRequest) -> HttpResponse:
    """Search over the cases the user may read."""
    query = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    filters = case_selectors.CaseFilter(
        text=query or None, status=[status] if status in {s.value for s in CaseStatus} else None
    )
    cases = case_selectors.case_search(user=request.user, filters=filters)
    rows = list(cases[:51])
    return render(
        request,
        "desk/case_list.html",
        {
            "cases": rows[:50],
            "more": len(rows) > 50,
            "query": query,
            "status": status,
            "status_choices": STATUS_CHOICES,
            "now": timezone.now(),
        },
    )


@staff_required
def absence(request: StaffRequest) -> HttpResponse:
    user = request.user
    colleagues = colleagues_of(user)
    form = forms.AbsenceForm(
        request.POST or None,
        colleagues=colleagues,
        initial={
            "out_of_office_from": user.out_of_office_from,
            "out_of_office_until": user.out_of_office_until,
            "substitute": user.substitute,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = case_services.absence_record(
                user=user,
                start=data["out_of_office_from"],
                until=data["out_of_office_until"],
                substitute=data["substitute"],
                by=user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Absence saved.")
                + (
                    " "
                    + ngettext(
                        "%(n)d open case was handed on.", "%(n)d open cases were handed on.", moved
                    )
                    % {"n": moved}
                    if moved
                    else ""
                ),
            )
            return redirect("desk:absence")
    return render(request, "desk/absence.html", {"form": form}, status=400 if form.errors else 200)
