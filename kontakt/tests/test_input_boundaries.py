"""Every input is checked where it comes in: times inside the deployment's window and given
as ISO 8601 text, bodies within their size and depth, languages from the configured list,
phone numbers that exist, texts that fit their column and can be stored. A refusal is a
4xx with the field named, in the API's JSON shape; nothing is stored half-way."""

import json
from datetime import UTC, date, datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from pydantic import ValidationError as PydanticValidationError

from kontakt.cases.models import Contact
from kontakt.residents.models import Resident, ResidentPhone
from kontakt.residents.services import ResidentDraft, resident_create
from kontakt.telephony.api import EventIn
from kontakt.web.forms import StyledForm, WindowedDateTimeField, validate_time_window
from kontakt.web.schemas import time_window

pytestmark = pytest.mark.django_db
JSON = "application/json"


def log_contact(api_client, **fields):
    body = {"channel": "phone", "outcome": "closed", **fields}
    return api_client.post("/api/v1/contacts", body, content_type=JSON)


# Times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "started_at",
    [
        "9999-12-31T23:59:59+00:00",
        "2101-01-01T00:00:00+00:00",
        "1969-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+14:00",
    ],
)
def test_a_time_outside_the_window_is_a_field_error(api_client, started_at):
    response = log_contact(api_client, started_at=started_at)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["started_at"]
    assert "2100" in response.json()["errors"]["started_at"][0]
    assert not Contact.objects.exists()


def test_the_first_and_last_instant_of_the_window_are_stored(api_client):
    earliest, latest = time_window()
    assert (earliest, latest.year) == (datetime(1970, 1, 1, tzinfo=UTC), 2100)
    for at in (earliest, latest):
        response = log_contact(api_client, started_at=at.isoformat(), ended_at=at.isoformat())
        assert response.status_code == 201, response.content
    assert sorted(Contact.objects.values_list("started_at", flat=True)) == [earliest, latest]


def test_the_window_is_the_deployments(api_client, settings):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "TIME_WINDOW": {"EARLIEST_YEAR": 2000, "LATEST_YEAR": 2030},
    }
    assert log_contact(api_client, started_at="2031-01-01T00:00:00Z").status_code == 400
    assert log_contact(api_client, started_at="1999-12-31T23:00:00-01:00").status_code == 201
    refused = api_client.get("/api/v1/contacts?since=1999-12-31T23:00:00Z")
    assert refused.json()["errors"] == {
        "since": ["Give a time from the year 2000 to the year 2030."]
    }


@pytest.mark.parametrize(
    "query",
    [
        "until=0.5",
        "since=12345",
        "since=-1",
        "until=2026-03-02",
        "until=9999-12-31T23:59:59Z",
    ],
)
def test_a_query_time_is_iso_text_inside_the_window(api_client, query):
    response = api_client.get(f"/api/v1/contacts?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_a_case_query_time_is_iso_text(api_client):
    response = api_client.get("/api/v1/cases?due_before=0")
    assert list(response.json()["errors"]) == ["due_before"]


@pytest.mark.parametrize("at", [12345, 0, 0.5, "12345", True])
def test_a_time_as_a_number_is_refused_in_a_body(api_client, at):
    response = log_contact(api_client, started_at=at)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["started_at"]


@pytest.mark.parametrize("at", [12345, 0, "1700000000", "9999-12-31T23:59:59+00:00"])
def test_an_exchanges_event_time_obeys_the_same_rule(at):
    """The exchange's events are InputSchema: the window and ISO 8601 hold there too."""
    event = {"event_id": "e1", "call_id": "c1", "type": "queued", "at": at}
    with pytest.raises(PydanticValidationError) as raised:
        EventIn.model_validate(event)
    assert [error["loc"] for error in raised.value.errors()] == [("at",)]


def test_a_form_time_obeys_the_window(settings):
    class When(StyledForm):
        at = WindowedDateTimeField()
        on = forms.DateField()

    assert When({"at": "2026-03-02 09:15", "on": "2026-03-02"}).is_valid()
    late = When({"at": "9999-12-31 23:59", "on": "9999-12-31"})
    assert not late.is_valid()
    assert set(late.errors) == {"at", "on"}
    with pytest.raises(forms.ValidationError):
        validate_time_window(date(1969, 12, 31))


def test_an_absence_far_in_the_future_is_a_field_error(client_for, handler):
    response = client_for(handler).post(
        "/me/absence/", {"out_of_office_from": "2026-03-02", "out_of_office_until": "9999-12-31"}
    )
    assert response.status_code == 400
    assert "out_of_office_until" in response.context["form"].errors


# Bodies -----------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_before_it_is_read(api_client):
    """Declared 13 MB, sent two bytes: the answer comes from the length alone, as JSON."""
    response = api_client.generic(
        "POST", "/api/v1/contacts", b"{}", content_type=JSON, CONTENT_LENGTH=str(13 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "bytes" in response.json()["message"]


def test_a_large_body_gets_the_apis_json_error(api_client):
    response = api_client.post("/api/v1/residents", b" " * (3 * 1024 * 1024), content_type=JSON)
    assert response.status_code == 413
    assert set(response.json()) == {"message", "errors"}


@pytest.mark.parametrize("depth", [40, 5_000, 200_000])
@pytest.mark.parametrize("url", ["/api/v1/contacts", "/api/v1/residents", "/api/v1/cases"])
def test_deeply_nested_json_is_a_400(api_client, url, depth):
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = api_client.post(url, body, content_type=JSON)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "nests too deeply" in json.dumps(response.json()["errors"])


def test_json_nested_a_little_is_fine(api_client, parking_type):
    response = log_contact(api_client, case_type="parkering", articles=[])
    assert response.status_code == 201


# Residents --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["xx", "de", "SV", "sv\x00"])
def test_a_preferred_language_outside_the_configured_ones_is_a_field_error(api_client, language):
    response = api_client.post(
        "/api/v1/residents", {"name": "Karin", "preferred_language": language}, content_type=JSON
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["preferred_language"]
    assert not Resident.objects.exists()


def test_a_configured_language_is_taken(api_client):
    response = api_client.post(
        "/api/v1/residents", {"name": "Kari", "preferred_language": "nb"}, content_type=JSON
    )
    assert response.status_code == 201
    assert Resident.objects.get().preferred_language == "nb"


def test_the_api_document_lists_the_languages(api_client):
    document = api_client.get("/api/v1/openapi.json").json()
    field = document["components"]["schemas"]["ResidentIn"]["properties"]["preferred_language"]
    assert field["enum"] == ["sv", "nb", "en", "ar", "so", "fi"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("٠٧٠-١٢٣ ٤٥ ٦٧", "+46701234567"),  # Arabic-Indic digits
        ("۰۷۰۱۲۳۴۵۶۷", "+46701234567"),  # Extended Arabic-Indic (Persian) digits
        ("０７０１２３４５６７", "+46701234567"),  # full-width digits
        ("+47 912 34 567", "+4791234567"),
    ],
)
def test_phone_digits_of_any_script_are_stored_as_digits(api_client, typed, stored):
    response = api_client.post(
        "/api/v1/residents", {"name": "Karin", "phones": [typed]}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    assert list(ResidentPhone.objects.values_list("number", flat=True)) == [stored]


@pytest.mark.parametrize(
    "typed", ["00000000", "0000000000", "+46000000000", "+4712345678", "+999 1234567", "12"]
)
def test_a_number_no_one_can_have_is_refused(api_client, typed):
    response = api_client.post(
        "/api/v1/residents", {"name": "Karin", "phones": [typed]}, content_type=JSON
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["phones"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("city", "x" * 101), ("postal_code", "1" * 21), ("street_address", "g" * 201)],
)
def test_a_text_longer_than_its_column_is_refused_by_the_service(agent, field, value):
    """The intake's other channels reach the service without a form or a schema."""
    with pytest.raises(ValidationError) as raised:
        resident_create(draft=ResidentDraft(name="Karin", **{field: value}), by=agent)
    assert field in raised.value.message_dict


def test_a_nul_in_a_residents_details_is_refused_by_the_service(agent):
    with pytest.raises(ValidationError) as raised:
        resident_create(draft=ResidentDraft(name="Karin", city="Sk\x00e"), by=agent)
    assert "__all__" in raised.value.message_dict


# Desk forms -------------------------------------------------------------------------------


def test_a_nul_in_a_desk_form_is_a_field_error(client_for, agent, parking_type):
    desk = client_for(agent)
    response = desk.post(
        "/desk/contacts/",
        {"channel": "phone", "priority": "2", "outcome": "closed", "summary": "a\x00b"},
    )
    assert response.status_code == 400
    assert "summary" in response.context["form"].errors
    assert not Contact.objects.exists()
    response = desk.post("/residents/new/", {"name": "Kar\x00in", "kind": "person"})
    assert response.status_code == 400
    assert "name" in response.context["form"].errors


def test_the_desk_registers_a_phone_typed_in_arabic_indic_digits(client_for, agent):
    response = client_for(agent).post(
        "/residents/new/",
        {
            "name": "Karin",
            "kind": "person",
            "phone": "٠٧٠١٢٣٤٥٦٧",
            "preferred_language": "sv",
            "preferred_channel": "phone",
        },
    )
    assert response.status_code == 302
    assert list(ResidentPhone.objects.values_list("number", flat=True)) == ["+46701234567"]


def test_the_desk_offers_the_configured_languages(client_for, agent, settings):
    form = client_for(agent).get("/residents/new/").context["form"]
    choices = form.fields["preferred_language"].choices
    assert choices[3:] == [("ar", "Arabic"), ("so", "Somali"), ("fi", "Finnish")]
    settings.KONTAKT = {**settings.KONTAKT, "RESIDENT_LANGUAGES": ["sv", "ti", "fa"]}
    form = client_for(agent).get("/residents/new/").context["form"]
    assert form.fields["preferred_language"].choices == [
        ("sv", "Swedish"),
        ("ti", "ti"),
        ("fa", "Persian"),
    ]


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/desk/?call=c%001", None),
        ("post", "/desk/", {"q": "070\x00123", "call": "\x00"}),
        ("get", "/residents/new/?call=%00&name=%00", None),
        (
            "post",
            "/desk/contacts/",
            {"channel": "phone", "priority": "2", "outcome": "closed", "call": "c\x001"},
        ),
        (
            "post",
            "/desk/contacts/",
            {"channel": "phone", "priority": "2", "outcome": "closed", "kb_gap": "s\x00k"},
        ),
    ],
)
def test_a_nul_in_a_desk_parameter_does_not_reach_the_database(
    client_for, agent, method, url, data
):
    """PostgreSQL refuses NUL even in a comparison: on it these were 500s."""
    desk = client_for(agent)
    response = getattr(desk, method)(url, data) if data else getattr(desk, method)(url)
    assert response.status_code in (200, 302, 400)


def test_a_query_parameter_given_twice_is_refused(api_client):
    # Each is a single value in the document; given twice, the last one was taken silently.
    response = api_client.get("/api/v1/cases?department=avfall&department=trafik")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["department"]
