"""The API against its own OpenAPI document, by schemathesis: requests generated from the
document (valid ones and ones that break it: the fuzzing and coverage phases, positive and
negative) are sent to the app in process, with a staff token that may do everything, and
every answer goes through all of schemathesis' checks: no server error, a documented status
code, content type and body, schema-valid requests accepted, schema-violating ones refused,
authentication enforced.

Deterministic (a fixed seed, derandomized), without shrinking (a failure prints the request
that reproduces it), one test per operation so that xdist spreads them.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

import kontakt.urls  # noqa: F401  (mounts every app's router on the API)
from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.services import api_token_create
from kontakt.cases.tests.factories import CaseFactory
from kontakt.directory.models import AnswerGroup, Employee
from kontakt.knowledge.tests.factories import make_article
from kontakt.telephony.models import PhoneNumber
from kontakt.web.api import api
from kontakt.wsgi import application

# Cases per operation in the fuzzing phase; the coverage phase adds its own (boundaries,
# missing and wrong-typed fields). Every operation that takes input must reach FUZZ_CASES,
# and FUZZ_CASES times those operations is over 1,000 (test_enough_cases_are_generated).
FUZZ_CASES = 50

ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' default
# Rules that JSON Schema cannot state, so a request the document allows may still get a 400
# with the field named. Each operation listed here keeps every other check; only its
# positive_data_acceptance also takes 400. Keep the list short: a rule that can be stated
# belongs in the schema instead.
RULES_BEYOND_THE_SCHEMA = {
    # case_type, department, resident_id, articles, case_reference, call_id and
    # work_reference must name existing rows; outcome `linked` needs case_reference,
    # `forwarded` a case type, `closed` one that first line may close; ended_at not before
    # started_at.
    "POST /api/v1/contacts": "references to existing rows; rules across fields",
    # case_type, department and resident_id must name existing rows.
    "POST /api/v1/cases": "references to existing rows",
    # The department must exist; the transition table decides which status may follow.
    "POST /api/v1/cases/{reference}/forward": "an existing department",
    "POST /api/v1/cases/{reference}/status": "the transition table, a resolution to close",
    # The identity number's checksum, phone numbers that normalise, e-mail addresses as
    # Django validates them.
    "POST /api/v1/residents": "checksums, phone numbers, e-mail addresses",
    # The case type must exist.
    "GET /api/v1/knowledge/search": "an existing case type",
    # The answer group must exist (or a number with a menu be given).
    "POST /api/v1/telephony/events": "an existing answer group",
    "POST /api/v1/routing/offers": "an existing answer group, or a number with a menu",
    "POST /api/v1/routing/contacts": "an existing answer group",
    # The end after the start; the answer group must exist.
    "GET /api/v1/stats/service-level": "the end after the start; an existing answer group",
    # The end after the start, at most 400 days; an existing department and unit, the unit
    # in the department.
    "GET /api/v1/stats/switchboard": "a period of at most 400 days; existing department, unit",
}

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261207,
        "generation": {
            "mode": "all",
            "max-examples": FUZZ_CASES,
            "deterministic": True,
            "no-shrink": True,
        },
        # Every check schemathesis has, none turned off.
        "checks": {"enabled": True},
        "operations": [
            {
                "include-name": name,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for name in RULES_BEYOND_THE_SCHEMA
        ],
    }
)

# The document as the API serves it at /api/v1/openapi.json, built from the same object.
schema = schemathesis.openapi.from_dict(
    api.get_openapi_schema(path_prefix="/api/v1"), config=CONFIG
)
schema.app = application

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(parking_type, care_type, resident) -> Iterator[dict[str, Any]]:
    """What the generated requests may meet: departments, case types, a resident, a case,
    an answer group behind a number with a menu, an employee's direct number, a published
    article."""
    group = AnswerGroup.objects.create(name="Avfall", code="avfall")
    PhoneNumber.objects.create(
        number="+46406280400",
        name="Växel",
        greeting="Hej",
        closed_message="Stängt",
        default_group=group,
    )
    Employee.objects.create(display_name="Anna Berg", direct_number="+46406281234")
    make_article(
        "Boendeparkering", "Så får du parkera nära hemmet.", department=parking_type.department
    )
    everyone = User.objects.create_user(
        username="conformance", password=None, is_superuser=True, is_staff=True
    )
    everyone.groups.add(*Group.objects.filter(name__in=[role.value for role in Role]))
    CaseFactory(case_type=parking_type, resident=resident, by=everyone)
    _token, key = api_token_create(user=everyone, name="conformance")
    # The app is called as a server would call it, and a server's request closes the
    # database connection when it ends: here that would end the test's transaction
    # (PostgreSQL), so, like Django's test client, the connection stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"token": key}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def counted() -> Iterator[list[str]]:
    """The cases one operation's test ran; enough of them for an operation with input."""
    seen: list[str] = []
    yield seen
    operation = seen[0] if seen else None
    if operation is not None and takes_input(operation):
        fuzzed = sum(1 for phase in seen[1:] if phase == "fuzzing")
        assert fuzzed >= FUZZ_CASES * 0.9, f"{operation}: only {fuzzed} fuzzing cases"


def takes_input(label: str) -> bool:
    method, path = label.split(" ", 1)
    operation = schema.raw_schema["paths"][path][method.lower()]
    return bool(operation.get("parameters") or operation.get("requestBody"))


@schema.parametrize()
@settings(
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=FUZZ_CASES,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_document(case, world, counted):
    if not counted:
        counted.append(case.operation.label)
    counted.append(case.meta.phase.name.value if case.meta else "")
    case.call_and_validate(headers={"Authorization": f"Bearer {world['token']}"})


def test_enough_cases_are_generated():
    operations = [
        f"{method.upper()} {path}"
        for path, methods in schema.raw_schema["paths"].items()
        for method in methods
    ]
    with_input = [label for label in operations if takes_input(label)]
    assert len(operations) >= 28
    assert int(FUZZ_CASES * 0.9) * len(with_input) >= 1000


def test_a_bare_number_is_not_a_time(api_client_for, administrator):
    """The two requests schemathesis found accepted against the document: a Unix time."""
    client = api_client_for(administrator)
    listed = client.get("/api/v1/contacts", {"until": "0.5"})
    assert listed.status_code == 400
    assert list(listed.json()["errors"]) == ["until"]
    event = {"event_id": "e1", "call_id": "c1", "type": "offered", "at": 0}
    posted = client.post("/api/v1/telephony/events", event, content_type="application/json")
    assert posted.status_code == 400
    assert list(posted.json()["errors"]) == ["at"]
    far = {**event, "at": "9999-12-31T23:59:59+00:00"}
    posted = client.post("/api/v1/telephony/events", far, content_type="application/json")
    assert posted.status_code == 400
    assert posted.json()["errors"]["at"] == ["Give a time from the year 1970 to the year 2100."]


def test_a_resident_id_that_is_no_number_gets_a_json_error(api_client):
    response = api_client.get("/api/v1/residents/null,null")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_the_document_states_the_time_and_text_rules():
    operation = schema.raw_schema["paths"]["/api/v1/contacts"]["get"]
    until = next(p for p in operation["parameters"] if p["name"] == "until")
    time = until["schema"]["anyOf"][0]
    assert time["format"] == "date-time" and time["pattern"].startswith("^(?:197")
    summary = schema.raw_schema["components"]["schemas"]["ContactIn"]["properties"]["summary"]
    assert summary["pattern"] == "^[^\\x00]*$"
