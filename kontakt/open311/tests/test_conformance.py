"""The conformance table: every endpoint of GeoReport v2, in both formats, with every
answer it gives, success and each error (the spec's list of {code, description})."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from kontakt.open311.models import Open311Client

from .documents import as_text, read, root

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@dataclass(frozen=True)
class Row:
    id: str
    method: str
    path: str
    status: int
    data: dict[str, Any] = field(default_factory=dict)
    xml_root: str = ""
    # The error's description mentions this (the field at fault).
    names: str = ""


def good(**changes: str | None) -> dict[str, Any]:
    """The lamp request of the fixture, changed (a value None drops the field)."""
    return {"__good__": True, **changes}


ROWS = [
    Row("discovery", "get", "discovery", 200, xml_root="discovery"),
    Row("services", "get", "services", 200, xml_root="services"),
    Row(
        "services-jurisdiction",
        "get",
        "services",
        200,
        {"jurisdiction_id": "kommun.example"},
        "services",
    ),
    Row(
        "services-other-jurisdiction",
        "get",
        "services",
        404,
        {"jurisdiction_id": "other.example"},
        names="jurisdiction_id",
    ),
    Row("definition", "get", "services/gatlampa", 200, xml_root="service_definition"),
    Row("definition-unknown", "get", "services/nothing", 404, names="service_code"),
    Row("definition-unpublished", "get", "services/hemtjanst", 404, names="service_code"),
    Row("requests", "get", "requests", 200, xml_root="service_requests"),
    Row(
        "requests-filtered",
        "get",
        "requests",
        200,
        {
            "service_code": "gatlampa,parkbank",
            "status": "open,closed",
            "start_date": "2026-01-01T00:00:00Z",
            "end_date": "2026-03-01T00:00:00+01:00",
        },
        "service_requests",
    ),
    Row(
        "requests-ids",
        "get",
        "requests",
        200,
        {"service_request_id": "KC-2026-000001,KC-2026-000002"},
        "service_requests",
    ),
    Row("requests-bad-status", "get", "requests", 400, {"status": "fixed"}, names="status"),
    Row(
        "requests-bad-start",
        "get",
        "requests",
        400,
        {"start_date": "yesterday"},
        names="start_date",
    ),
    Row(
        "requests-year-9999",
        "get",
        "requests",
        400,
        {"end_date": "9999-12-31T00:00:00Z"},
        names="end_date",
    ),
    Row(
        "requests-month-13",
        "get",
        "requests",
        400,
        {"start_date": "2026-13-01T00:00:00Z"},
        names="start_date",
    ),
    Row(
        "requests-end-before-start",
        "get",
        "requests",
        400,
        {"start_date": "2026-03-01", "end_date": "2026-02-01"},
        names="end_date",
    ),
    Row(
        "requests-too-long-window",
        "get",
        "requests",
        400,
        {"start_date": "2025-01-01", "end_date": "2026-01-01"},
        names="start_date",
    ),
    Row(
        "requests-other-jurisdiction",
        "get",
        "requests",
        404,
        {"jurisdiction_id": "x"},
        names="jurisdiction_id",
    ),
    Row("request-unknown", "get", "requests/KC-2026-999999", 404, names="service_request_id"),
    Row("token", "get", "tokens/abc", 404, names="token"),
    Row("create", "post", "requests", 200, good(), "service_requests"),
    Row("create-no-key", "post", "requests", 403, good(api_key=None), names="api_key"),
    Row("create-wrong-key", "post", "requests", 403, good(api_key="ko_nothing"), names="api_key"),
    Row(
        "create-other-jurisdiction",
        "post",
        "requests",
        404,
        good(jurisdiction_id="x"),
        names="jurisdiction_id",
    ),
    Row(
        "create-no-service", "post", "requests", 400, good(service_code=None), names="service_code"
    ),
    Row(
        "create-unknown-service",
        "post",
        "requests",
        400,
        good(service_code="hemtjanst"),
        names="service_code",
    ),
    Row(
        "create-no-place",
        "post",
        "requests",
        400,
        good(lat=None, long=None, address_string=None),
        names="lat",
    ),
    Row("create-half-place", "post", "requests", 400, good(long=None), names="long"),
    Row("create-lat-9999", "post", "requests", 400, good(lat="9999"), names="lat"),
    Row(
        "create-no-answer",
        "post",
        "requests",
        400,
        good(**{"attribute[fel]": None}),
        names="attribute[fel]",
    ),
    Row(
        "create-bad-answer",
        "post",
        "requests",
        400,
        good(**{"attribute[fel]": "melted"}),
        names="attribute[fel]",
    ),
    Row("create-bad-email", "post", "requests", 400, good(email="not an address"), names="email"),
    Row("create-bad-phone", "post", "requests", 400, good(phone="12"), names="phones"),
    Row(
        "create-bad-media",
        "post",
        "requests",
        400,
        good(media_url="javascript:alert(1)"),
        names="media_url",
    ),
    Row("create-nul", "post", "requests", 400, good(description="lamp\x00"), names="description"),
    Row("create-10k", "post", "requests", 400, good(description="x" * 10_000), names="description"),
    Row(
        "updates",
        "get",
        "servicerequestupdates",
        200,
        {"__key__": True},
        "service_requests_updates",
    ),
    Row("updates-no-key", "get", "servicerequestupdates", 403, names="api_key"),
    Row(
        "updates-bad-date",
        "get",
        "servicerequestupdates",
        400,
        {"__key__": True, "start_date": "2026-02-30"},
        names="start_date",
    ),
    Row("method", "put", "requests", 405),
    Row("method-services", "post", "services", 405),
]


@pytest.mark.parametrize("format", ["json", "xml"])
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_every_endpoint_answers_as_the_spec_says(
    row, format, lamp_type, bench_type, hidden_type, api_key, lamp_request
):
    data = dict(row.data)
    if data.pop("__good__", False):
        data = {**lamp_request, **data}
    if data.pop("__key__", False):
        data["api_key"] = api_key
    data = {name: value for name, value in data.items() if value is not None}
    url = f"{BASE}/{row.path}.{format}"
    client = Client()
    if row.method == "get":
        response = client.get(url, data)
    elif row.method == "post":
        response = client.post(url, data)
    else:
        response = client.generic(row.method.upper(), url)
    assert response.status_code == row.status, response.content
    document = read(response, format)
    if row.status >= 400:
        if format == "xml":
            assert root(response) == "errors"
        assert isinstance(document, list) and document
        for error in document:
            assert set(error) == {"code", "description"}
            assert str(error["code"]) == str(row.status)
            assert error["description"]
        assert row.names in " ".join(str(e["description"]) for e in document)
    elif format == "xml":
        assert root(response) == row.xml_root


def test_the_formats_carry_the_same_document(lamp_type, bench_type, api_key, lamp_request):
    client = Client()
    client.post(f"{BASE}/requests.json", lamp_request)
    for path in ("discovery", "services", "services/gatlampa", "requests"):
        as_json = read(client.get(f"{BASE}/{path}.json"), "json")
        as_xml = read(client.get(f"{BASE}/{path}.xml"), "xml")
        assert as_text(as_json) == as_xml, path


def test_an_unknown_format_is_an_error_in_xml(lamp_type):
    response = Client().get(f"{BASE}/services.csv")
    assert response.status_code == 404
    assert root(response) == "errors"


def test_services_list_the_published_types_with_their_fields(lamp_type, bench_type, hidden_type):
    services = Client().get(f"{BASE}/services.json").json()
    assert {s["service_code"] for s in services} == {"gatlampa", "parkbank"}
    lamp = next(s for s in services if s["service_code"] == "gatlampa")
    assert lamp == {
        "service_code": "gatlampa",
        "service_name": "Trasig gatlampa",
        "description": "A street lamp that is dark or blinks.",
        "metadata": True,
        "type": "realtime",
        "keywords": "lamp,belysning",
        "group": "Gator och trafik",
    }
    bench = next(s for s in services if s["service_code"] == "parkbank")
    assert bench["metadata"] is False


def test_a_service_definition_names_the_questions(lamp_type):
    definition = Client().get(f"{BASE}/services/gatlampa.json").json()
    assert definition["service_code"] == "gatlampa"
    assert definition["attributes"] == [
        {
            "variable": True,
            "code": "fel",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "What is wrong?",
            "values": [{"key": "dark", "name": "Dark"}, {"key": "blinks", "name": "Blinks"}],
        },
        {
            "variable": True,
            "code": "stolpe",
            "datatype": "string",
            "required": False,
            "datatype_description": "On a sticker at eye height.",
            "order": 2,
            "description": "The number on the post",
            "values": [],
        },
    ]


def test_an_inactive_client_is_refused(lamp_type, api_key, lamp_request):
    Open311Client.objects.update(active=False)
    response = Client().post(f"{BASE}/requests.json", lamp_request)
    assert response.status_code == 403


def test_errors_come_in_the_clients_language(lamp_type, lamp_request):
    response = Client().post(
        f"{BASE}/requests.json", {**lamp_request, "api_key": ""}, HTTP_ACCEPT_LANGUAGE="sv"
    )
    assert response.status_code == 403
    assert response.headers["Content-Language"] == "sv"
