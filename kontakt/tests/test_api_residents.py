"""The residents API: register, find, read; who sees which resident and which digits."""

import pytest

from kontakt.cases.tests.factories import CaseFactory
from kontakt.residents.models import Resident, ResidentAccess
from kontakt.residents.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_a_resident_is_registered_and_the_number_masked_for_an_agent(
    api_client, api_client_for, second_line
):
    response = api_client.post(
        "/api/v1/residents",
        {
            "name": "Karin Lindqvist",
            "identity_number": "19121212-1212",
            "phones": ["070-123 45 67"],
            "emails": ["Karin@Example.se"],
            "preferred_channel": "email",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["identity_number"] == "19121212-****"
    assert (body["phones"], body["emails"]) == (["+46701234567"], ["karin@example.se"])

    full = api_client_for(second_line).get(f"/api/v1/residents/{body['id']}").json()
    assert full["identity_number"] == "19121212-1212"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Karin", "identity_number": "19121212-1213"}, "identity_number"),
        ({"name": ""}, "name"),
        ({"name": "Karin", "kind": "robot"}, "kind"),
        ({"name": "Karin", "phones": ["12"]}, "phones"),
        ({"name": "Karin", "emails": ["inte en adress"]}, "emails"),
        ({"name": "Karin", "phones": ["0701234567"] * 11}, "phones"),
    ],
)
def test_an_invalid_resident_gets_field_errors(api_client, body, field):
    response = api_client.post("/api/v1/residents", body, content_type=JSON)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert Resident.objects.count() == 0


def test_a_duplicate_identity_number_is_refused(api_client, resident):
    response = api_client.post(
        "/api/v1/residents", {"name": "Någon", "identity_number": "121212+1212"}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "identity_number": ["A resident with this number is already registered."]
    }


def test_residents_are_found_and_reading_one_is_recorded(api_client, agent, resident):
    ResidentFactory(name="Kalle Svensson")
    found = api_client.get("/api/v1/residents?q=0701234567").json()
    assert [r["id"] for r in found] == [resident.pk]
    assert found[0]["identity_number"] == "19121212-****"
    assert api_client.get("/api/v1/residents").json()["errors"].keys() == {"q"}

    assert ResidentAccess.objects.count() == 0
    assert api_client.get(f"/api/v1/residents/{resident.pk}").status_code == 200
    access = ResidentAccess.objects.get()
    assert (access.user, access.resident, access.what) == (agent, resident, "api")
    assert api_client.get("/api/v1/residents/99999999").status_code == 404


def test_department_staff_read_only_residents_with_cases_in_their_department(
    api_client_for, handler, second_line, parking_type, care_type, resident
):
    theirs = ResidentFactory(name="Karin Berg")
    CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    CaseFactory(case_type=care_type, resident=theirs, by=second_line)
    client = api_client_for(handler)
    assert client.get(f"/api/v1/residents/{resident.pk}").status_code == 200
    missing = client.get(f"/api/v1/residents/{theirs.pk}")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Not found.", "errors": {}}
    assert [r["id"] for r in client.get("/api/v1/residents?q=Karin").json()] == [resident.pk]
    assert client.post("/api/v1/residents", {"name": "Ny"}, content_type=JSON).status_code == 403


def test_a_resident_is_found_by_identity_number_without_it_in_the_url(api_client, resident):
    response = api_client.post(
        "/api/v1/residents/search", {"q": "19121212-1212"}, content_type=JSON
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [resident.pk]
