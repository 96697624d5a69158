"""Malformed input never gives a 500: random JSON, wrong types, huge strings, invalid
datetimes and bodies that are not JSON at all, to every endpoint of the API.

A 400 always carries JSON with an "errors" dict of field name to a list of messages.
"""

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontakt.cases.models import Contact
from kontakt.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

DATETIMES = [
    "2026-03-02T09:00:00+01:00",
    "2026-03-02T09:00:00Z",
    "2026-03-02T09:00:00",  # no offset
    "2026-03-02",
    "2026-13-45T25:61:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "1970-01-01T00:00:00+00:00",
    "2026-03-02T09:00:00+23:59",  # Python takes it, PostgreSQL does not
    "yesterday",
    "",
]
PLAUSIBLE = [
    "phone",
    "email",
    "fax",
    "in",
    "out",
    "closed",
    "closed_order",
    "forwarded",
    "linked",
    "new",
    "open",
    "waiting",
    "parkering",
    "hemtjanst",
    "gata",
    "social",
    "KC-2026-000001",
    "KC-1999-999999",
    "19121212-1212",
    "19121212-1213",
    "070-123 45 67",
    "karin@example.se",
    "person",
    "organisation",
    "open,waiting",
    "true",
    "0",
    "-1",
    *DATETIMES,
]
HUGE = st.sampled_from([0, 1, 199, 200, 201, 10_001, 60_000]).map(lambda n: "ä" * n)
TEXT = st.text(max_size=30)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
    HUGE,
    st.sampled_from(PLAUSIBLE),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)

POST_FIELDS = {
    "/api/v1/contacts": [
        "channel",
        "outcome",
        "direction",
        "summary",
        "resident_id",
        "case_type",
        "started_at",
        "ended_at",
        "case_reference",
        "subject",
        "priority",
        "feedback_channel",
        "department",
    ],
    "/api/v1/cases": [
        "case_type",
        "subject",
        "description",
        "resident_id",
        "priority",
        "feedback_channel",
        "department",
    ],
    "/api/v1/cases/{ref}/notes": ["body"],
    "/api/v1/cases/{ref}/messages": ["body", "direction", "channel"],
    "/api/v1/cases/{ref}/status": ["status", "note", "resolution"],
    "/api/v1/cases/{ref}/forward": ["department", "note"],
    "/api/v1/residents": [
        "name",
        "kind",
        "identity_number",
        "phones",
        "emails",
        "street_address",
        "postal_code",
        "city",
        "preferred_language",
        "preferred_channel",
    ],
}
GET_PARAMS = {
    "/api/v1/cases": [
        "status",
        "case_type",
        "department",
        "handler",
        "resident_id",
        "due_before",
        "due_after",
        "overdue",
        "q",
        "limit",
        "offset",
    ],
    "/api/v1/contacts": [
        "resident_id",
        "agent",
        "channel",
        "since",
        "until",
        "q",
        "limit",
        "offset",
    ],
    "/api/v1/residents": ["q"],
    "/api/v1/cases/{ref}": [],
    "/api/v1/residents/{resident}": [],
    "/api/v1/case-types": [],
    "/api/v1/departments": [],
}


def bodies(fields: list[str]) -> st.SearchStrategy[object]:
    """Objects with the endpoint's fields (some missing, some wrong, some unknown besides),
    or any JSON at all; mostly the first, so validation is passed often enough to go deep."""
    field_values = st.one_of(SCALARS, JSON_VALUES, st.lists(SCALARS, max_size=3))
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, field_values))
    with_unknown = st.tuples(known, st.dictionaries(TEXT, SCALARS, min_size=1, max_size=2)).map(
        lambda pair: {**pair[0], **pair[1]}
    )
    return st.one_of(known, known, with_unknown, JSON_VALUES)


def assert_handled(response) -> None:
    assert response.status_code < 500, response.content[:2000]
    if response.status_code == 400:
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert isinstance(body["message"], str) and body["message"]
        errors = body["errors"]
        assert isinstance(errors, dict) and errors, body
        for field, messages in errors.items():
            assert isinstance(field, str)
            assert isinstance(messages, list) and messages
            assert all(isinstance(m, str) and m for m in messages)


@pytest.fixture
def world(api_client_for, second_line, parking_type, care_type, resident):
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    return {"client": api_client_for(second_line), "ref": case.reference, "resident": resident.pk}


def url_of(template: str, world: dict[str, object], ref: str | None = None) -> str:
    return template.replace("{ref}", ref or str(world["ref"])).replace(
        "{resident}", str(world["resident"])
    )


@pytest.mark.parametrize("endpoint", list(POST_FIELDS))
def test_any_json_body_gets_an_answer_not_a_crash(world, endpoint):
    @settings(max_examples=40)
    @given(body=bodies(POST_FIELDS[endpoint]))
    def check(body: object) -> None:
        raw = json.dumps(body)
        response = world["client"].post(
            url_of(endpoint, world), raw, content_type="application/json"
        )
        assert_handled(response)

    check()


@pytest.mark.parametrize("endpoint", list(POST_FIELDS))
def test_a_body_that_is_not_json_gets_field_errors(world, endpoint):
    @settings(max_examples=40)
    @given(
        raw=st.one_of(
            st.binary(min_size=1, max_size=200),
            st.sampled_from(
                [
                    b"{",
                    b"not json",
                    b"channel=phone&outcome=closed",
                    b'{"body": "\\ud800"}',
                    b'{"name": "a\\u0000b", "subject": "a\\u0000b", "body": "a\\u0000b"}',
                    b'{"summary": "\\udfff", "channel": "phone", "outcome": "closed"}',
                    b"\xff\xfe",
                    b"[]",
                    b"null",
                    b"1e999",
                ]
            ),
        ),
        content_type=st.sampled_from(
            ["application/json", "text/plain", "application/x-www-form-urlencoded"]
        ),
    )
    def check(raw: bytes, content_type: str) -> None:
        response = world["client"].post(url_of(endpoint, world), raw, content_type=content_type)
        assert_handled(response)

    check()


QUERY_VALUES = st.one_of(TEXT, HUGE, st.sampled_from(PLAUSIBLE), st.integers().map(str))


@pytest.mark.parametrize("endpoint", list(GET_PARAMS))
def test_any_query_string_gets_an_answer_not_a_crash(world, endpoint):
    names = GET_PARAMS[endpoint] + ["unknown", "limit"]

    @settings(max_examples=40)
    @given(
        params=st.lists(st.tuples(st.sampled_from(names) | TEXT, QUERY_VALUES), max_size=5),
        ref=st.one_of(st.none(), TEXT.filter(bool).map(lambda text: quote(text, safe=""))),
    )
    def check(params: list[tuple[str, str]], ref: str | None) -> None:
        response = world["client"].get(url_of(endpoint, world, ref) + "?" + urlencode(params))
        assert_handled(response)

    check()


def test_a_huge_valid_looking_body_is_refused_politely(world):
    body = {"channel": "phone", "outcome": "closed", "summary": "x" * 2_000_000}
    response = world["client"].post(
        "/api/v1/contacts", json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (400, 413)


ANY_TIME = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
    st.integers(min_value=-1439, max_value=1439),
)


@settings(max_examples=60)
@given(started=st.none() | ANY_TIME, ended=st.none() | ANY_TIME)
def test_any_contact_times_are_stored_in_order_or_refused(world, started, ended):
    body = {"channel": "phone", "outcome": "closed", "started_at": started, "ended_at": ended}
    response = world["client"].post(
        "/api/v1/contacts", json.dumps(body), content_type="application/json"
    )
    assert_handled(response)
    assert response.status_code in (201, 400)
    if response.status_code == 201:
        contact = Contact.objects.get(pk=response.json()["id"])
        assert contact.started_at <= contact.ended_at
