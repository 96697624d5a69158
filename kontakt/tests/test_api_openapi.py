"""The OpenAPI document: served, complete, and true to what the API answers.

jsonschema is not a dependency, so a small validator below checks the subset of JSON Schema
that django-ninja emits ($ref, anyOf, type, properties, required, items, format date-time),
and also that a response carries no field the document does not describe.
"""

import re
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kontakt.cases.services import case_change_status
from kontakt.cases.tests.factories import CaseFactory
from kontakt.directory.models import AnswerGroup
from kontakt.directory.tests.factories import AbsenceFactory, EmployeeFactory
from kontakt.knowledge.services import LinkDraft
from kontakt.knowledge.tests.factories import make_article
from kontakt.telephony.models import PhoneNumber
from kontakt.telephony.services import exchange_create

pytestmark = pytest.mark.django_db

JSON = "application/json"
NOT_OPERATIONS = {"openapi-json", "openapi-view", "api-root"}


@pytest.fixture
def document(api_client) -> dict[str, Any]:
    response = api_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def api_patterns() -> list[tuple[str, str | None]]:
    """(route, url name) of every URL of the API, read from the resolver."""
    found: list[tuple[str, str | None]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and namespace == "api-v1":
                found.append(("/" + prefix + str(pattern.pattern), pattern.name))

    walk(get_resolver().url_patterns, "", None)
    return found


def openapi_path(route: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_url_of_the_api_is_documented(document):
    operations = {
        op["operationId"].rsplit("_api_", 1)[-1]: (path, method)
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    }
    patterns = [(route, name) for route, name in api_patterns() if name not in NOT_OPERATIONS]
    assert len(patterns) >= 14
    for route, name in patterns:
        assert name in operations, f"{route} ({name}) is not in the OpenAPI document"
        assert operations[name][0] == openapi_path(route)
    assert len(operations) == len(patterns)


def test_every_operation_is_described_and_secured(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Kontakt API"
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), f"{where} has no summary"
            assert operation.get("tags"), f"{where} has no tag"
            if path.startswith("/api/v1/telephony/cti/"):
                # The generic CTI webhook carries the exchange's token in its path.
                assert operation["security"] == [{}] and "{token}" in path
            else:
                assert {"TokenAuth": []} in operation["security"], f"{where} is open to anyone"
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, f"{where} documents no success"
            for code in success:
                assert "schema" in operation["responses"][code]["content"][JSON], f"{where} {code}"
            if method == "post":
                assert operation["requestBody"]["content"][JSON]["schema"], where


# A validator for the JSON Schema subset of the document -------------------------------


def schema_errors(
    value: Any, schema: dict[str, Any], document: dict[str, Any], where: str = "$"
) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return schema_errors(value, document["components"]["schemas"][name], document, where)
    if "anyOf" in schema:
        attempts = [schema_errors(value, option, document, where) for option in schema["anyOf"]]
        return (
            []
            if any(not a for a in attempts)
            else [f"{where}: matches no anyOf option: {attempts}"]
        )
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind is not None and not checks[kind](value):
        return [f"{where}: {value!r} is not of type {kind}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if kind == "string" and schema.get("format") == "date-time":
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            errors.append(f"{where}: {value!r} is not a date-time")
        else:
            if parsed.tzinfo is None:
                errors.append(f"{where}: {value!r} has no UTC offset")
    if kind == "object":
        properties = schema.get("properties", {})
        errors += [
            f"{where}: missing {key}" for key in schema.get("required", []) if key not in value
        ]
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], document, f"{where}.{key}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, document, f"{where}.{key}")
            else:
                errors.append(f"{where}: undocumented field {key}")
    if kind == "array":
        for index, item in enumerate(value):
            errors += schema_errors(item, schema.get("items", {}), document, f"{where}[{index}]")
    return errors


def response_schema(
    document: dict[str, Any], path: str, method: str, status: int
) -> dict[str, Any]:
    return document["paths"][path][method]["responses"][str(status)]["content"][JSON]["schema"]


def test_the_validator_catches_what_it_should(document):
    case_out = {"$ref": "#/components/schemas/CaseOut"}
    assert schema_errors({}, case_out, document)  # required fields missing
    assert schema_errors(
        {"results": [1], "next_offset": None}, {"$ref": "#/components/schemas/CasePage"}, document
    )
    assert schema_errors("2026-03-02T09:00:00", {"type": "string", "format": "date-time"}, document)
    assert schema_errors(True, {"type": "integer"}, document)
    assert not schema_errors(None, {"anyOf": [{"type": "string"}, {"type": "null"}]}, document)


def test_real_responses_match_the_document(
    document,
    api_client_for,
    second_line,
    parking_type,
    department_b,
    resident,
    supervisor,
    administrator,
):
    client = api_client_for(second_line)
    admin = api_client_for(administrator)
    watcher = api_client_for(supervisor)
    group = AnswerGroup.objects.create(name="Avfall", code="avfall")
    PhoneNumber.objects.create(
        number="+46406280400",
        name="Växel",
        greeting="Hej",
        closed_message="Stängt",
        default_group=group,
    )
    _exchange, key = exchange_create(name="pbx")
    at = "2026-03-02T09:00:00+01:00"
    queued = {
        "event_id": "e1",
        "call_id": "c1",
        "type": "queued",
        "at": at,
        "answer_group": "avfall",
    }
    CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    closed = CaseFactory(case_type=parking_type, by=second_line)
    case_change_status(case=closed, to_status="closed", resolution="Klart", by=second_line)

    contact = client.post(
        "/api/v1/contacts",
        {
            "channel": "phone",
            "outcome": "forwarded",
            "case_type": "parkering",
            "resident_id": resident.pk,
        },
        content_type=JSON,
    )
    reference = contact.json()["case_reference"]
    article = make_article(
        "Boendeparkering",
        "Så får du parkera nära hemmet.",
        department=parking_type.department,
        case_types=[parking_type],
        links=[LinkDraft("E-tjänst", "https://sjostad.example/parkering")],
    )
    # An employee away now, with a substitute: every field of the availability answer filled.
    absent = EmployeeFactory(direct_number="+46406281234")
    AbsenceFactory(employee=absent, substitute=EmployeeFactory(direct_number="+46406281235"))
    calls = [
        ("post", "/api/v1/contacts", contact),
        ("get", "/api/v1/contacts", client.get("/api/v1/contacts")),
        (
            "post",
            "/api/v1/cases",
            client.post(
                "/api/v1/cases", {"case_type": "parkering", "subject": "Ny"}, content_type=JSON
            ),
        ),
        ("get", "/api/v1/cases", client.get("/api/v1/cases")),
        ("get", "/api/v1/cases/{reference}", client.get(f"/api/v1/cases/{closed.reference}")),
        (
            "post",
            "/api/v1/cases/{reference}/notes",
            client.post(
                f"/api/v1/cases/{reference}/notes", {"body": "Notering"}, content_type=JSON
            ),
        ),
        (
            "post",
            "/api/v1/cases/{reference}/messages",
            client.post(
                f"/api/v1/cases/{reference}/messages",
                {"body": "Hej", "direction": "out", "channel": "sms"},
                content_type=JSON,
            ),
        ),
        (
            "post",
            "/api/v1/cases/{reference}/status",
            client.post(
                f"/api/v1/cases/{reference}/status", {"status": "waiting"}, content_type=JSON
            ),
        ),
        (
            "post",
            "/api/v1/cases/{reference}/forward",
            client.post(
                f"/api/v1/cases/{reference}/forward", {"department": "social"}, content_type=JSON
            ),
        ),
        (
            "post",
            "/api/v1/residents",
            client.post(
                "/api/v1/residents",
                {"name": "Ny Person", "identity_number": "15076500565", "phones": ["912 34 567"]},
                content_type=JSON,
            ),
        ),
        ("get", "/api/v1/residents", client.get("/api/v1/residents?q=Karin")),
        (
            "post",
            "/api/v1/residents/search",
            client.post("/api/v1/residents/search", {"q": "Karin"}, content_type=JSON),
        ),
        ("get", "/api/v1/residents/{resident_id}", client.get(f"/api/v1/residents/{resident.pk}")),
        ("get", "/api/v1/case-types", client.get("/api/v1/case-types")),
        ("get", "/api/v1/departments", client.get("/api/v1/departments")),
        (
            "get",
            "/api/v1/knowledge/search",
            client.get("/api/v1/knowledge/search", {"q": "boendeparkeringen"}),
        ),
        (
            "get",
            "/api/v1/knowledge/articles/{article_id}",
            client.get(f"/api/v1/knowledge/articles/{article.pk}"),
        ),
        (
            "post",
            "/api/v1/knowledge/articles/{article_id}/flags",
            client.post(
                f"/api/v1/knowledge/articles/{article.pk}/flags",
                {"reason": "outdated"},
                content_type=JSON,
            ),
        ),
        (
            "post",
            "/api/v1/telephony/events",
            admin.post("/api/v1/telephony/events", [queued], content_type=JSON),
        ),
        (
            "post",
            "/api/v1/telephony/cti/{token}",
            Client().post(
                f"/api/v1/telephony/cti/{key}",
                {"event": "newCall", "callId": "z1", "direction": "in", "to": "+46406280400"},
            ),
        ),
        (
            "get",
            "/api/v1/telephony/numbers/{number}/menu",
            admin.get("/api/v1/telephony/numbers/+46406280400/menu"),
        ),
        (
            "post",
            "/api/v1/routing/offers",
            admin.post(
                "/api/v1/routing/offers",
                {"call_id": "c1", "answer_group": "avfall"},
                content_type=JSON,
            ),
        ),
        (
            "post",
            "/api/v1/routing/contacts",
            admin.post(
                "/api/v1/routing/contacts",
                {"channel": "chat", "reference": "k1", "answer_group": "avfall"},
                content_type=JSON,
            ),
        ),
        (
            "post",
            "/api/v1/routing/contacts/{channel}/{reference}/done",
            admin.post("/api/v1/routing/contacts/chat/k1/done", {}, content_type=JSON),
        ),
        ("get", "/api/v1/agents/me/state", client.get("/api/v1/agents/me/state")),
        (
            "post",
            "/api/v1/agents/me/state",
            client.post("/api/v1/agents/me/state", {"state": "ready"}, content_type=JSON),
        ),
        (
            "post",
            "/api/v1/agents/{username}/state",
            admin.post(
                f"/api/v1/agents/{second_line.username}/state",
                {"state": "paused", "reason": "Lunch"},
                content_type=JSON,
            ),
        ),
        (
            "get",
            "/api/v1/directory/numbers/{number}/availability",
            admin.get("/api/v1/directory/numbers/040-628 12 34/availability?language=sv"),
        ),
        ("get", "/api/v1/telephony/commands", admin.get("/api/v1/telephony/commands")),
        (
            "post",
            "/api/v1/telephony/lines",
            admin.post(
                "/api/v1/telephony/lines",
                {"lines": [{"number": "040-628 12 34", "state": "dnd", "at": at}]},
                content_type=JSON,
            ),
        ),
        ("get", "/api/v1/stats/live", watcher.get("/api/v1/stats/live")),
        (
            "get",
            "/api/v1/stats/service-level",
            watcher.get(
                "/api/v1/stats/service-level",
                {"start": "2026-03-02T00:00:00+01:00", "end": "2026-03-03T00:00:00+01:00"},
            ),
        ),
        (
            "get",
            "/api/v1/stats/switchboard",
            watcher.get(
                "/api/v1/stats/switchboard",
                {"start": "2026-03-02T00:00:00+01:00", "end": "2026-03-03T00:00:00+01:00"},
            ),
        ),
    ]
    checked = set()
    for method, path, response in calls:
        assert response.status_code in (200, 201), (path, response.content)
        body = response.json()
        assert body, f"{method} {path} answered with nothing to check"
        errors = schema_errors(
            body, response_schema(document, path, method, response.status_code), document
        )
        assert errors == [], f"{method.upper()} {path}: {errors}"
        checked.add((path, method))
    documented = {
        (path, method) for path, methods in document["paths"].items() for method in methods
    }
    assert checked == documented, f"not checked: {documented - checked}"


def test_the_interactive_documentation_is_served(client, agent):
    client.force_login(agent)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_every_operation_documents_its_errors(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.endswith(("/openapi.json", "/docs")):
                continue
            for status in ("400", "401", "403", "404"):
                schema = operation["responses"][status]["content"][JSON]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)


def test_real_errors_match_the_document(document, client, api_client):
    error_out = {"$ref": "#/components/schemas/ErrorOut"}
    invalid = api_client.post(
        "/api/v1/cases", data={"case_type": "", "subject": 7}, content_type="application/json"
    )
    assert invalid.status_code == 400
    assert not schema_errors(invalid.json(), error_out, document)
    assert set(invalid.json()["errors"]) >= {"case_type", "subject"}
    missing = api_client.get("/api/v1/cases/KC-2026-999999")
    assert missing.status_code == 404
    assert not schema_errors(missing.json(), error_out, document)
    anonymous = client.get("/api/v1/cases")
    assert anonymous.status_code == 401
    assert not schema_errors(anonymous.json(), error_out, document)
    assert schema_errors({"message": "x", "errors": {"f": "not a list"}}, error_out, document)
