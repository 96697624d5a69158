"""Authentication of the API: bearer tokens for integrations, the session for staff pages."""

import pytest
from django.test import Client
from django.utils import timezone

from kontakt.accounts.models import ApiToken
from kontakt.accounts.roles import Role
from kontakt.accounts.services import api_token_create
from kontakt.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"


def assert_unauthorised(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"message": "Sign in, or send a valid API token.", "errors": {}}


def test_a_valid_token_is_accepted_and_its_use_recorded(agent):
    _token, key = api_token_create(user=agent, name="telefoni")
    response = Client(headers={"Authorization": f"Bearer {key}"}).get(CASES)
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer kt_not-a-real-token",
        "Bearer " + "x" * 5000,
        "Basic YWdlbnQ6c2VjcmV0",
        "Token kt_abc",
    ],
)
def test_a_missing_or_invalid_token_gets_401(agent, authorization):
    api_token_create(user=agent, name="telefoni")
    headers = {} if authorization is None else {"Authorization": authorization}
    assert_unauthorised(Client(headers=headers).get(CASES))
    assert_unauthorised(Client(headers=headers).post(CASES, {}, content_type="application/json"))


def test_a_revoked_token_gets_401(agent):
    token, key = api_token_create(user=agent, name="telefoni")
    token.revoked_at = timezone.now()
    token.save()
    assert_unauthorised(Client(headers={"Authorization": f"Bearer {key}"}).get(CASES))


def test_a_token_of_an_inactive_user_or_a_user_without_role_gets_401():
    for user in (UserFactory(role=Role.AGENT, is_active=False), UserFactory(role=None)):
        _token, key = api_token_create(user=user, name="x")
        assert_unauthorised(Client(headers={"Authorization": f"Bearer {key}"}).get(CASES))


def test_a_token_stops_working_when_the_user_loses_their_role(agent):
    _token, key = api_token_create(user=agent, name="telefoni")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get(CASES).status_code == 200
    agent.groups.clear()
    assert_unauthorised(client.get(CASES))


def test_a_signed_in_staff_user_may_use_the_api_from_the_pages(client_for, agent, no_role_user):
    assert client_for(agent).get(CASES).status_code == 200
    assert_unauthorised(client_for(no_role_user).get(CASES))


def test_a_session_write_needs_the_csrf_token(agent, parking_type):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    body = {"case_type": "parkering", "subject": "Från sidan"}
    response = browser.post(CASES, body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["errors"] == {}

    browser.get("/desk/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        CASES, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


def test_a_bearer_token_needs_no_csrf_token(agent, parking_type):
    _token, key = api_token_create(user=agent, name="telefoni")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {key}"})
    response = client.post(
        CASES, {"case_type": "parkering", "subject": "Från växeln"}, content_type="application/json"
    )
    assert response.status_code == 201
