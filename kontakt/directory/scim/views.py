"""The SCIM 2.0 endpoint at /scim/v2/: each view parses, calls one service or selector,
and answers with a SCIM document (errors too, as `application/scim+json`)."""

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import discovery, selectors, services
from .errors import CONTENT_TYPE, ScimError, bad
from .resources import (
    LIST_SCHEMA,
    SEARCH_SCHEMA,
    check_group_body,
    group_document,
    group_members_patched,
    member_ids,
    user_document,
    user_patched,
    user_values,
)

MAX_BODY_BYTES = 1_000_000
MAX_JSON_DEPTH = 32
_ALWAYS = {"id", "schemas", "meta"}

View = Callable[..., HttpResponse]


def scim_response(document: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(error: ScimError) -> HttpResponse:
    response = scim_response(error.document(), error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="kontakt-scim"'
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2").rstrip("/")


def scim_view(methods: set[str]) -> Callable[[View], View]:
    """An endpoint of SCIM: a provisioning client's or an administrator's bearer token,
    the methods given, and every refusal as a SCIM error document."""

    def decorate(view: View) -> View:
        @csrf_exempt
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                header = request.headers.get("Authorization", "")
                scheme, _, token = header.partition(" ")
                if (
                    scheme.lower() != "bearer"
                    or selectors.provisioning_caller(token.strip()) is None
                ):
                    raise ScimError(401, "A provisioning client's bearer token is needed.")
                if request.method not in methods:
                    raise ScimError(405, f"{request.method} is not supported here.")
                return view(request, *args, **kwargs)
            except ScimError as error:
                return error_response(error)

        return wrapped

    return decorate


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(item, level + 1) for item in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level)
    return level


def _body(request: HttpRequest) -> Any:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise ScimError(413, f"A body has at most {MAX_BODY_BYTES} bytes.")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ScimError(413, f"A body has at most {MAX_BODY_BYTES} bytes.") from None
    try:
        text = raw.decode("utf-8")
        if "\x00" in text:
            raise bad("The body holds a NUL character.", "invalidValue")
        body = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad("The body is not JSON.", "invalidSyntax") from None
    if _depth(body) > MAX_JSON_DEPTH:
        raise bad("The body nests too deep.", "invalidSyntax")
    return body


def _parameter(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, list) and name in ("attributes", "excludedAttributes"):
        value = ",".join(str(item) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or "\x00" in value or len(value) > 2000:
        raise bad(f"{name} is too long, no string or holds a NUL character.")
    return value


def _integer(params: Mapping[str, Any], name: str, default: int) -> int:
    value = _parameter(params, name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise bad(f"{name} is a whole number.") from None
    return max(min(number, 10**9), -(10**9))


def _names(params: Mapping[str, Any], name: str) -> set[str]:
    value = _parameter(params, name) or ""
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def _project(document: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """`attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), on top-level attributes and
    sub-attributes (name.givenName)."""
    wanted = _names(params, "attributes")
    unwanted = _names(params, "excludedAttributes")
    if not wanted and not unwanted:
        return document

    def path(key: str) -> str:
        lower = key.lower()
        return lower.rsplit(":", 1)[-1] if lower.startswith("urn:") and ":" in lower else lower

    result: dict[str, Any] = {}
    for key, value in document.items():
        name = path(key)
        if name in _ALWAYS or key.lower() in _ALWAYS:
            result[key] = value
            continue
        if wanted:
            subs = {w.split(".", 1)[1] for w in wanted if w.startswith(name + ".")}
            if name in wanted or key.lower() in wanted:
                result[key] = value
            elif subs and isinstance(value, dict):
                result[key] = {k: v for k, v in value.items() if k.lower() in subs}
            continue
        if name in unwanted or key.lower() in unwanted:
            continue
        subs = {w.split(".", 1)[1] for w in unwanted if w.startswith(name + ".")}
        if subs and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k.lower() not in subs}
        result[key] = value
    return result


def _page(params: Mapping[str, Any]) -> tuple[int, int]:
    start = max(_integer(params, "startIndex", 1), 1)
    count = min(max(_integer(params, "count", discovery.MAX_RESULTS), 0), discovery.MAX_RESULTS)
    return start, count


def _list_response(
    params: Mapping[str, Any], total: int, start: int, documents: list[dict[str, Any]]
) -> HttpResponse:
    return scim_response(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(documents),
            "Resources": [_project(document, params) for document in documents],
        }
    )


def _user_list(params: Mapping[str, Any], base: str) -> HttpResponse:
    start, count = _page(params)
    found = selectors.scim_users(_parameter(params, "filter"))
    page = list(found[start - 1 : start - 1 + count]) if count else []
    return _list_response(params, found.count(), start, [user_document(e, base) for e in page])


def _group_list(params: Mapping[str, Any], base: str) -> HttpResponse:
    start, count = _page(params)
    members = "members" not in _names(params, "excludedAttributes")
    found = selectors.scim_groups(_parameter(params, "filter"))
    if members:
        found = found.prefetch_related("employees")
    page = list(found[start - 1 : start - 1 + count]) if count else []
    documents = [group_document(unit, base, members=members) for unit in page]
    return _list_response(params, found.count(), start, documents)


def _search_body(request: HttpRequest) -> dict[str, Any]:
    body = _body(request)
    if not isinstance(body, dict) or SEARCH_SCHEMA not in (body.get("schemas") or []):
        raise bad(f"A search names the schema {SEARCH_SCHEMA}.", "invalidSyntax")
    return body


# Discovery.


@scim_view({"GET"})
def service_provider_config(request: HttpRequest) -> HttpResponse:
    documentation = request.build_absolute_uri("/")
    return scim_response(discovery.service_provider_config(_base(request), documentation))


@scim_view({"GET"})
def schemas(request: HttpRequest) -> HttpResponse:
    found = [discovery.schema_document(s, _base(request)) for s in discovery.SCHEMAS.values()]
    return scim_response(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": len(found),
            "startIndex": 1,
            "itemsPerPage": len(found),
            "Resources": found,
        }
    )


@scim_view({"GET"})
def schema(request: HttpRequest, schema_id: str) -> HttpResponse:
    found = discovery.SCHEMAS.get(schema_id)
    if found is None:
        raise ScimError(404, "No such schema.")
    return scim_response(discovery.schema_document(found, _base(request)))


@scim_view({"GET"})
def resource_types(request: HttpRequest) -> HttpResponse:
    found = discovery.resource_types(_base(request))
    return scim_response(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": len(found),
            "startIndex": 1,
            "itemsPerPage": len(found),
            "Resources": found,
        }
    )


@scim_view({"GET"})
def resource_type(request: HttpRequest, name: str) -> HttpResponse:
    for found in discovery.resource_types(_base(request)):
        if found["id"] == name:
            return scim_response(found)
    raise ScimError(404, "No such resource type.")


# Users.


@scim_view({"GET", "POST"})
def users(request: HttpRequest) -> HttpResponse:
    base = _base(request)
    if request.method == "POST":
        created = services.user_create(values=user_values(_body(request)))
        document = user_document(selectors.scim_users().get(pk=created.pk), base)
        return scim_response(document, 201, Location=document["meta"]["location"])
    return _user_list(request.GET, base)


@scim_view({"GET", "PUT", "PATCH", "DELETE"})
def user(request: HttpRequest, scim_id: str) -> HttpResponse:
    base = _base(request)
    employee = selectors.scim_user(scim_id)
    if employee is None:
        raise ScimError(404, f"No user has the id {scim_id[:100]}.")
    if request.method == "DELETE":
        services.user_deactivate(employee=employee)
        return HttpResponse(status=204)
    if request.method == "PUT":
        services.user_replace(employee=employee, values=user_values(_body(request)))
    elif request.method == "PATCH":
        values = user_patched(employee, _body(request), base)
        services.user_replace(employee=employee, values=values)
    saved = selectors.scim_users().get(pk=employee.pk)
    return scim_response(_project(user_document(saved, base), request.GET))


# Groups.


@scim_view({"GET", "POST"})
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        raise ScimError(
            403, "Units are kept in Kontakt; the identity system may change their members."
        )
    return _group_list(request.GET, _base(request))


@scim_view({"GET", "PUT", "PATCH", "DELETE"})
def group(request: HttpRequest, group_id: str) -> HttpResponse:
    base = _base(request)
    unit = selectors.scim_group(group_id)
    if unit is None:
        raise ScimError(404, f"No group has the id {group_id[:100]}.")
    if request.method == "DELETE":
        raise ScimError(403, "Units are kept in Kontakt, not deleted by the identity system.")
    if request.method == "PUT":
        body = _body(request)
        check_group_body(unit, body)
        services.group_members_set(unit=unit, ids=member_ids(body.get("members")))
    elif request.method == "PATCH":
        services.group_members_set(unit=unit, ids=group_members_patched(unit, _body(request), base))
    unit = selectors.scim_groups().get(pk=unit.pk)
    members = "members" not in _names(request.GET, "excludedAttributes")
    return scim_response(_project(group_document(unit, base, members=members), request.GET))


@scim_view({"POST"})
def search(request: HttpRequest, resource: str = "") -> HttpResponse:
    """POST …/.search (RFC 7644 §3.4.3): the query in the body. At the root it searches
    Users, and Groups too when the filter names no attribute only Users have."""
    params = _search_body(request)
    base = _base(request)
    if resource == "Users":
        return _user_list(params, base)
    if resource == "Groups":
        return _group_list(params, base)
    try:
        selectors.scim_groups(_parameter(params, "filter"))
    except ScimError:
        return _user_list(params, base)
    start, count = _page(params)
    users_found = selectors.scim_users(_parameter(params, "filter"))
    groups_found = selectors.scim_groups(_parameter(params, "filter")).prefetch_related("employees")
    documents = [user_document(e, base) for e in users_found[: start - 1 + count]] + [
        group_document(unit, base) for unit in groups_found[: start - 1 + count]
    ]
    total = users_found.count() + groups_found.count()
    return _list_response(params, total, start, documents[start - 1 : start - 1 + count])


@scim_view({"GET", "POST", "PUT", "PATCH", "DELETE"})
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    raise ScimError(404, "No such SCIM endpoint.")
