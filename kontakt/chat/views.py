"""Web chat over HTTP.

The resident's widget (no login): `status` says whether to offer the chat or the web
form, `start` opens a chat and sets the cookie that makes it this browser's, the chat's
own URLs read it (`detail`), stream it (server-sent events of topic `chat:<pk>`, resumed
by Last-Event-ID), send to it and leave it. A chat that is not this browser's is the same
JSON 404 as one that does not exist.

The agent's side (front line only, the chat must be theirs): the chat's page (or its panel
for the desktop), answering it, writing in it, and ending it, which logs the contact.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kontakt.accounts.signin import client_address
from kontakt.cases import selectors as case_selectors
from kontakt.cases.models import Outcome
from kontakt.live import views as live_views
from kontakt.live.bus import live_settings
from kontakt.web.counters import cache_count
from kontakt.web.pages import StaffRequest, front_line_required

from . import access, selectors, services
from .forms import ChatEndForm
from .models import Chat, ChatMessage

FORM_URL = "form:start"


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


def _not_found() -> JsonResponse:
    return JsonResponse({"error": _("There is no such chat.")}, status=404)


def _limited(kind: str, request: HttpRequest, *, limit: int, seconds: int) -> bool:
    """Count one more `kind` from the request's address; True past `limit` in the window."""
    address = (client_address(request) or "unknown")[:64]
    window = int(timezone.now().timestamp() // seconds)
    return cache_count(f"chat:{kind}:{address}:{window}", timeout=seconds + 60) > limit


def _too_many() -> JsonResponse:
    return JsonResponse(
        {"error": _("Too many messages from your address: wait a moment and try again.")},
        status=429,
    )


def _availability_data(availability: selectors.Availability) -> dict[str, Any]:
    wait = availability.estimated_wait_seconds
    return {
        "available": availability.may_start,
        "reason": availability.reason,
        "estimated_wait_seconds": wait,
        "crisis_message": availability.crisis_message,
        "form_url": reverse(FORM_URL),
    }


def _message(message: ChatMessage) -> dict[str, Any]:
    return {
        "seq": message.seq,
        "sender": message.sender,
        "body": message.body,
        "at": message.at.isoformat(),
        "client_id": message.client_id,
    }


def _chat_data(chat: Chat, *, after: int = 0) -> dict[str, Any]:
    place = selectors.chat_place(chat)
    return {
        "id": chat.public_id,
        "language": chat.language,
        "state": chat.state,
        "agent": chat.agent.first_name if chat.agent else "",
        "position": place.position if place else None,
        "estimated_wait_seconds": place.estimated_wait_seconds if place else None,
        "messages": [_message(m) for m in selectors.messages_after(chat, after=after)],
        "urls": {
            "detail": reverse("chat:detail", args=[chat.public_id]),
            "stream": reverse("chat:stream", args=[chat.public_id]),
            "send": reverse("chat:send", args=[chat.public_id]),
            "leave": reverse("chat:leave", args=[chat.public_id]),
        },
    }


def _residents_chat(request: HttpRequest, public_id: str) -> Chat:
    """The chat if this browser started it; Http404 otherwise (the same for every reason)."""
    if not access.is_residents(request, public_id):
        raise Http404
    return selectors.chat_of_resident(public_id=public_id)


# The resident's widget ------------------------------------------------------------------


@require_GET
def status(request: HttpRequest) -> JsonResponse:
    """Whether the widget offers the chat now, with the estimated wait, or the web form."""
    return JsonResponse(_availability_data(selectors.chat_availability()))


@require_POST
def start(request: HttpRequest) -> JsonResponse:
    config = settings.KONTAKT["CHAT"]
    if _limited("start", request, limit=config["STARTS_PER_ADDRESS_PER_HOUR"], seconds=3600):
        return JsonResponse(
            {"error": _("Too many chats from your address: try again later, or write to us.")},
            status=429,
        )
    draft = services.ChatDraft(
        language=request.POST.get("language", ""),
        body=request.POST.get("body", ""),
        name=request.POST.get("name", "")[:400],
        email=request.POST.get("email", "")[:400],
        page=request.POST.get("page", "")[:300],
        client_id=request.POST.get("client_id", "")[:100],
    )
    try:
        chat = services.chat_start(draft=draft)
    except ValidationError as error:
        return JsonResponse({"errors": _errors(error)}, status=400)
    except services.ChatUnavailable as unavailable:
        return JsonResponse(_availability_data(unavailable.availability), status=409)
    response = JsonResponse(_chat_data(chat), status=201)
    access.resident_cookie_set(response, chat.public_id)
    return response


def _after(request: HttpRequest) -> int:
    raw = request.GET.get("after", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0


@require_GET
def chat_detail(request: HttpRequest, public_id: str) -> JsonResponse:
    """The chat's state, place in the queue and the messages after `?after=<seq>`."""
    try:
        chat = _residents_chat(request, public_id)
    except Http404:
        return _not_found()
    return JsonResponse(_chat_data(chat, after=_after(request)))


@require_GET
def stream(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """text/event-stream of the chat's messages and state changes; the browser resumes with
    Last-Event-ID (and loads what is older with `detail`)."""
    try:
        chat = _residents_chat(request, public_id)
    except Http404:
        return _not_found()
    topics = [chat.topic]
    after = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    config = live_settings()
    timing = (config["STREAM_SECONDS"], config["HEARTBEAT_SECONDS"])

    def still_wanted() -> bool:
        return True  # the widget closes the stream once the chat has ended

    if isinstance(request, ASGIRequest):
        body: Any = live_views.stream_async(topics, after, *timing, still_wanted)
    else:
        body = live_views.stream(topics, after, *timing, still_wanted)
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@require_POST
def send(request: HttpRequest, public_id: str) -> JsonResponse:
    try:
        chat = _residents_chat(request, public_id)
    except Http404:
        return _not_found()
    limit = settings.KONTAKT["CHAT"]["MESSAGES_PER_ADDRESS_PER_MINUTE"]
    if _limited("send", request, limit=limit, seconds=60):
        return _too_many()
    try:
        message, created = services.chat_send(
            chat=chat,
            body=request.POST.get("body", ""),
            client_id=request.POST.get("client_id", "")[:100],
        )
    except ValidationError as error:
        return JsonResponse({"errors": _errors(error)}, status=400)
    return JsonResponse(_message(message), status=201 if created else 200)


@require_POST
def leave(request: HttpRequest, public_id: str) -> JsonResponse:
    try:
        chat = _residents_chat(request, public_id)
    except Http404:
        return _not_found()
    chat = services.chat_leave(chat=chat)
    return JsonResponse({"state": chat.state})


# The agent's side -----------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _panel_context(request: StaffRequest, chat: Chat, form: ChatEndForm | None = None) -> dict:
    return {"chat": chat, "end_form": form or ChatEndForm(prefix=f"chat{chat.pk}")}


@front_line_required
@require_GET
def agent_chat(request: StaffRequest, chat_id: int) -> HttpResponse:
    """The chat on a page of its own, or (`?panel=1`) its panel for the desktop."""
    chat = selectors.chat_of_agent(user=request.user, chat_id=chat_id)
    template = "chat/_panel.html" if request.GET.get("panel") else "chat/agent.html"
    return render(request, template, _panel_context(request, chat))


@front_line_required
@require_POST
def agent_answer(request: StaffRequest, chat_id: int) -> HttpResponse:
    """The agent opens the chat the router gave them; answers with its panel."""
    chat = selectors.chat_of_agent(user=request.user, chat_id=chat_id)
    services.chat_answer(chat=chat, by=request.user)
    chat = selectors.chat_of_agent(user=request.user, chat_id=chat_id)
    return render(request, "chat/_panel.html", _panel_context(request, chat))


@front_line_required
@require_POST
def agent_send(request: StaffRequest, chat_id: int) -> HttpResponse:
    chat = selectors.chat_of_agent(user=request.user, chat_id=chat_id)
    try:
        message, created = services.chat_send(
            chat=chat,
            body=request.POST.get("body", ""),
            client_id=request.POST.get("client_id", "")[:100],
            by=request.user,
        )
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"errors": _errors(error)}, status=400)
        messages.error(request, " ".join(m for ms in _errors(error).values() for m in ms))
        return redirect("chat:agent_chat", chat_id=chat.pk)
    if _wants_json(request):
        return JsonResponse(_message(message), status=201 if created else 200)
    return redirect("chat:agent_chat", chat_id=chat.pk)


@front_line_required
@require_POST
def agent_end(request: StaffRequest, chat_id: int) -> HttpResponse:
    """End the chat: the contact is logged through the intake with the transcript."""
    chat = selectors.chat_of_agent(user=request.user, chat_id=chat_id)
    form = ChatEndForm(request.POST, prefix=f"chat{chat.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = None
            if data["outcome"] == Outcome.LINKED and data["case_reference"]:
                case = case_selectors.case_get(user=request.user, reference=data["case_reference"])
            contact = services.chat_end(
                chat=chat,
                by=request.user,
                end=services.ChatEnd(
                    outcome=data["outcome"],
                    summary=data["summary"],
                    case_type=data["case_type"],
                    case=case,
                    resident=getattr(chat, "resident", None),
                ),
            )
        except Http404:
            form.add_error("case_reference", _("No such open case."))
        except ValidationError as error:
            for name, problems in _errors(error).items():
                field = {"case": "case_reference"}.get(name, name)
                form.add_error(field if field in form.fields else None, problems)
        else:
            reference = contact.case.reference if contact.case else ""
            if _wants_json(request):
                return JsonResponse({"contact": contact.pk, "case": reference})
            messages.success(request, _("Chat ended; contact logged."))
            return redirect("desk:desk")
    if _wants_json(request):
        errors = {name: [str(m) for m in problems] for name, problems in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    return render(request, "chat/agent.html", _panel_context(request, chat, form), status=400)
