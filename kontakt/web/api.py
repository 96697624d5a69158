"""The JSON API v1's object, authentication and the shape of errors (apps' routers are
mounted on it in `kontakt.urls`).

Every error is JSON with per-field messages in the caller's language (Accept-Language);
no input, however malformed, gets a 500.
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kontakt.accounts.models import ApiToken, User
from kontakt.accounts.selectors import is_staff_user
from kontakt.accounts.signin import needs_second_factor


class TokenAuth(HttpBearer):
    """An integration's bearer token (create one with `kontakt create_api_token`)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active or not is_staff_user(found.user):
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class StaffSessionAuth(APIKeyCookie):
    """A signed-in staff user of the web pages (CSRF-checked), past the second factor where
    their role needs one."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User | None:
        # Only a request that a session signs in is CSRF-checked: any other (a bad or
        # missing token, no session) is simply not authenticated here, and gets the 401.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_staff_user(user):
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(_("The CSRF token is missing or wrong: reload the page."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not is_staff_user(user) or needs_second_factor(user):
            return None
        return user


class StaffApiRequest(HttpRequest):
    """The request of a handler behind the API's own authentication (TokenAuth or
    StaffSessionAuth): both let only an active staff user through, that user is on `user`,
    and ninja puts what they return, the same user, on `auth`. Only an annotation."""

    user: User
    auth: User


# How deep a JSON body may nest (objects and lists): no input of the API nests deeper than a
# few levels, and a deeper body is refused before any validation walks it.
MAX_JSON_DEPTH = 32


class JsonTooDeep(ValueError):
    pass


def json_depth_check(data: object, limit: int = MAX_JSON_DEPTH) -> object:
    """The parsed JSON, or JsonTooDeep when it nests deeper than `limit` (walked without
    recursion, so no depth can overflow the stack here)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    raise JsonTooDeep
                stack.append((child, depth + 1))
    return data


def too_deep_message() -> str:
    return _("The JSON nests too deeply (at most %(n)s levels).") % {"n": MAX_JSON_DEPTH}


def parse_json_body(body: bytes) -> object:
    """A JSON body parsed for any endpoint (the exchange's too): ValidationError with a
    message when it is not JSON or nests deeper than MAX_JSON_DEPTH."""
    try:
        return json_depth_check(json.loads(body))
    except (JsonTooDeep, RecursionError):
        raise ValidationError({"__all__": [too_deep_message()]}) from None
    except ValueError:
        raise ValidationError({"__all__": [_("The body is not valid JSON.")]}) from None


class DepthLimitedParser(Parser):
    """Ninja's JSON parser with the depth limit."""

    def parse_body(self, request: HttpRequest) -> dict[str, object]:
        data = json.loads(request.body)
        json_depth_check(data)
        return data


def staff_only_docs(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI document and its viewer, for signed-in staff and API tokens only.

    Anonymous: the viewer sends to the login page, the document answers 401; signed in
    without a staff role: 403.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (user.is_authenticated and is_staff_user(user)) or TokenAuth()(request) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            if user.is_authenticated:
                body = {"message": _("You may not do this."), "errors": {}}
                return JsonResponse(body, status=403)
            body = {"message": _("Sign in, or send a valid API token."), "errors": {}}
            return JsonResponse(body, status=401)
        if user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    title="Kontakt API",
    version="1",
    description=(
        "Contacts, cases and residents of a municipal contact center. Authenticate with "
        "`Authorization: Bearer <token>`; errors are JSON with per-field messages."
    ),
    auth=[TokenAuth(), StaffSessionAuth()],
    urls_namespace="api-v1",
    parser=DepthLimitedParser(),
    # Swagger UI from django-ninja's own static files ("ninja" in INSTALLED_APPS), no CDN.
    docs=Swagger(),
    docs_decorator=staff_only_docs,
)

# Pydantic's error types, in words a person understands, in their language.
SCHEMA_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "string_too_long": lambda ctx: _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
    "string_too_short": lambda ctx: _("At least %(n)s characters.") % {"n": ctx.get("min_length")},
    "string_type": lambda ctx: _("Give a text."),
    "int_parsing": lambda ctx: _("Give a whole number."),
    "int_type": lambda ctx: _("Give a whole number."),
    "bool_parsing": lambda ctx: _("Give true or false."),
    "datetime_parsing": lambda ctx: _(
        "Give a date and time as ISO 8601, e.g. 2026-03-02T09:15:00+01:00."
    ),
    "datetime_from_date_parsing": lambda ctx: _(
        "Give a date and time as ISO 8601, e.g. 2026-03-02T09:15:00+01:00."
    ),
    "timezone_aware": lambda ctx: _("Give the time with its UTC offset, e.g. +01:00."),
    "literal_error": lambda ctx: (
        _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected")}
    ),
    "enum": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected")},
    "greater_than_equal": lambda ctx: _("At least %(n)s.") % {"n": ctx.get("ge")},
    "less_than_equal": lambda ctx: _("At most %(n)s.") % {"n": ctx.get("le")},
    "json_invalid": lambda ctx: _("The body is not valid JSON."),
    "model_attributes_type": lambda ctx: _("Give a JSON object."),
    "dict_type": lambda ctx: _("Give a JSON object."),
    "list_type": lambda ctx: _("Give a list."),
    "extra_forbidden": lambda ctx: _("This field is not known."),
}


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            name: [str(m) for e in errs for m in e.messages]
            for name, errs in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}


def _error(
    request: HttpRequest, status: int, errors: dict[str, list[str]], message: str
) -> HttpResponse:
    return api.create_response(request, {"message": message, "errors": errors}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 400, field_errors(exc), _("The request has errors."))


@api.exception_handler(SchemaValidationError)
def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        # ("body", "payload", "body") is the field "body": drop only the leading source and
        # parameter names, never a field that happens to share one.
        location = [str(part) for part in item.get("loc", ())]
        if location and location[0] in ("body", "query", "path"):
            location = location[1:]
        if location and location[0] in ("payload", "filters"):
            location = location[1:]
        name = ".".join(location) or "__all__"
        describe = SCHEMA_MESSAGES.get(item.get("type", ""))
        message = (
            describe(item.get("ctx") or {})
            if describe
            else str(item.get("msg", _("Invalid value.")))
        )
        errors.setdefault(name, []).append(message)
    return _error(request, 400, errors, _("The request has errors."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, {}, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, {}, _("Not found."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, {}, _("Sign in, or send a valid API token."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and exc.__cause__ is not None:
        # Ninja could not parse the body: say so per field, in the caller's language.
        if isinstance(exc.__cause__, JsonTooDeep | RecursionError):
            errors = {"__all__": [too_deep_message()]}
        else:
            errors = {"__all__": [_("The body is not valid JSON.")]}
        return _error(request, 400, errors, _("The request has errors."))
    return _error(request, exc.status_code, {}, str(exc))


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, {}, body_too_large_message())


@api.exception_handler(RecursionError)
def on_too_deep(request: HttpRequest, exc: RecursionError) -> HttpResponse:
    return _error(request, 400, {"__all__": [too_deep_message()]}, _("The request has errors."))


# The size of a body ------------------------------------------------------------------------


def body_too_large_message() -> str:
    return _("The body is larger than %(n)s bytes.") % {"n": settings.KONTAKT["API_MAX_BODY_BYTES"]}


def api_body_limit(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[..., object]:
    """Middleware: an API request whose declared body is larger than API_MAX_BODY_BYTES is
    refused with the API's JSON error before its body is read (a body without a length is
    cut off at DATA_UPLOAD_MAX_MEMORY_SIZE as it is read, answered by on_body_too_large)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.KONTAKT["API_MAX_BODY_BYTES"]:
                return JsonResponse({"message": body_too_large_message(), "errors": {}}, status=413)
            # No query parameter of the API is a list: one given twice would be read as its
            # last value, and the document says each is given once.
            repeated = [key for key in request.GET if len(request.GET.getlist(key)) > 1]
            if repeated:
                message = _("Give this parameter once.")
                errors = {key: [message] for key in repeated}
                return JsonResponse({"message": message, "errors": errors}, status=400)
        return get_response(request)

    return middleware
