"""Signing in: lockout after failures (per user name and address, per user name, per address),
Argon2 hashes, the idle session age, a disabled user's sessions and tokens, the API's 401
without a valid token, and the TOTP second factor of supervisors and administrators."""

import importlib
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.signin import RENEWED_KEY
from kontakt.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "lykta-cykel-snö-42"  # the factory's
PRODUCTION = importlib.import_module("kontakt.settings")


def sign_in(client: Client, username: str, password: str, url: str = "/login/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def is_signed_in_as(client: Client, user: User) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def fail(client: Client, username: str, times: int, url: str = "/login/", **extra) -> list[int]:
    return [sign_in(client, username, "wrong", url, **extra).status_code for _ in range(times)]


def after_the_cool_off() -> None:
    """The recorded failures become as old as the cool-off (the clock is not touched)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - django_settings.AXES_COOLOFF_TIME)


# Lockout ---------------------------------------------------------------------------------


def test_wrong_passwords_lock_the_user_out_and_the_right_one_is_refused_until_the_cool_off(
    client, agent, caplog
):
    with caplog.at_level(logging.WARNING, logger="axes"):
        statuses = fail(client, "agent", 5)
    assert statuses == [200, 200, 200, 200, 429]
    assert "Locking out" in caplog.text and "agent" in caplog.text  # logged

    response = sign_in(client, "agent", PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in_as(client, agent)
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "Try again in 15 minutes" in response.content.decode()

    after_the_cool_off()
    response = sign_in(client, "agent", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_signed_in_as(client, agent)


def test_another_user_at_the_same_address_is_not_locked_out(client, agent, second_line):
    fail(client, "agent", 5)
    colleague = Client()  # the same office address, 127.0.0.1
    assert sign_in(colleague, "second", PASSWORD).status_code == 302
    assert is_signed_in_as(colleague, second_line)


def test_a_successful_sign_in_clears_only_its_own_typos(client, agent, second_line):
    fail(client, "agent", 4)
    fail(client, "second", 2)
    assert sign_in(Client(), "agent", PASSWORD).status_code == 302
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("second", 2)
    ]


def test_an_account_is_locked_after_failures_from_many_addresses(settings, agent):
    settings.KONTAKT_LOGIN_LIMITS = {**settings.KONTAKT_LOGIN_LIMITS, "username": 8}
    assert fail(Client(REMOTE_ADDR="127.0.0.2"), "agent", 4) == [200] * 4
    assert fail(Client(REMOTE_ADDR="127.0.0.3"), "agent", 4) == [200, 200, 200, 429]
    elsewhere = Client(REMOTE_ADDR="127.0.0.4")
    assert sign_in(elsewhere, "agent", PASSWORD).status_code == 429
    assert not is_signed_in_as(elsewhere, agent)


def test_an_address_is_locked_after_failures_over_many_user_names(settings, agent, second_line):
    settings.KONTAKT_LOGIN_LIMITS = {**settings.KONTAKT_LOGIN_LIMITS, "ip_address": 12}
    spraying = Client(REMOTE_ADDR="127.0.0.9")
    for n in range(12):
        sign_in(spraying, f"guess{n}", "Sommar2026!")
    assert sign_in(Client(REMOTE_ADDR="127.0.0.9"), "second", PASSWORD).status_code == 429
    # Below the address's limit nothing is locked for the others there (the office's typos).
    office = Client(REMOTE_ADDR="127.0.0.10")
    for n in range(11):
        sign_in(office, f"typo{n}", "oops")
    assert sign_in(office, "agent", PASSWORD).status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings, agent, second_line):
    settings.KONTAKT_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    # Whatever a client writes before the proxy's own entry changes nothing.
    for spoofed in ("127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24", "127.0.0.25"):
        xff = {"HTTP_X_FORWARDED_FOR": f"{spoofed}, 127.0.0.8"}
        sign_in(Client(**proxy, **xff), "agent", "wrong")
    assert AccessAttempt.objects.get().ip_address == "127.0.0.8"
    office = Client(**proxy, HTTP_X_FORWARDED_FOR="127.0.0.8")
    assert sign_in(office, "agent", PASSWORD).status_code == 429
    assert sign_in(office, "second", PASSWORD).status_code == 302
    home = Client(**proxy, HTTP_X_FORWARDED_FOR="127.0.0.9")
    assert sign_in(home, "agent", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_locked_out_too(client, administrator):
    url = "/admin/login/?next=/admin/"
    assert fail(client, "administrator", 5, url) == [200, 200, 200, 200, 429]
    response = sign_in(client, "administrator", PASSWORD, url)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert not is_signed_in_as(client, administrator)
    after_the_cool_off()
    assert sign_in(client, "administrator", PASSWORD, url).status_code == 302
    assert is_signed_in_as(client, administrator)


# Passwords and sessions ------------------------------------------------------------------


def test_production_hashes_with_argon2_and_upgrades_older_hashes_at_sign_in(settings, client):
    settings.PASSWORD_HASHERS = PRODUCTION.PASSWORD_HASHERS
    user = UserFactory(username="older", role=Role.AGENT)
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    assert sign_in(client, "older", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_the_idle_session_age_is_a_shift_by_default_and_configurable():
    assert PRODUCTION.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert PRODUCTION.KONTAKT_SESSION_RENEW_SECONDS == 300
    env = {**os.environ, "KONTAKT_SESSION_IDLE_MINUTES": "30"}
    env.pop("DATABASE_URL", None)
    age = subprocess.run(
        [sys.executable, "-c", "import kontakt.settings as s; print(s.SESSION_COOKIE_AGE)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert age.strip() == "1800"


def test_use_renews_the_idle_session_at_most_every_few_minutes_and_a_stream_does_not(
    settings, client_for, agent
):
    # A new KONTAKT, not a key set in the shared one, which would outlive this test.
    settings.KONTAKT = {
        **settings.KONTAKT,
        "LIVE": {**settings.KONTAKT["LIVE"], "STREAM_SECONDS": 0.1},
    }
    browser = client_for(agent)

    def renewed_at(stamp: int) -> datetime:
        """The session's expiry after a request whose last renewal was at `stamp`."""
        session = browser.session
        session[RENEWED_KEY] = stamp
        session.save()
        soon = timezone.now() + timedelta(minutes=1)
        Session.objects.update(expire_date=soon)
        return soon

    soon = renewed_at(int(time.time()))
    assert browser.get("/desk/").status_code == 200
    assert Session.objects.get().expire_date == soon  # renewed a moment ago: no write

    soon = renewed_at(int(time.time()) - settings.KONTAKT_SESSION_RENEW_SECONDS)
    b"".join(browser.get("/live/events/").streaming_content)
    assert Session.objects.get().expire_date == soon  # the live stream is no use

    browser.get("/desk/")
    assert Session.objects.get().expire_date > soon + timedelta(hours=7)

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert browser.get("/desk/")["Location"].startswith("/login/")  # idle too long


# A disabled user -------------------------------------------------------------------------


def test_a_disabled_user_loses_every_session_at_once(client_for, agent, second_line):
    at_desk, at_home = client_for(agent), client_for(agent)
    colleague = client_for(second_line)
    assert at_desk.get("/desk/").status_code == 200
    agent.is_active = False
    agent.save()
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert remaining == [str(second_line.pk)]
    for browser in (at_desk, at_home):
        assert browser.get("/desk/")["Location"].startswith("/login/")
    assert colleague.get("/desk/").status_code == 200


def test_a_disabled_users_token_is_refused(api_client_for, agent):
    client = api_client_for(agent)
    assert client.get("/api/v1/cases").status_code == 200
    agent.is_active = False
    agent.save()
    assert client.get("/api/v1/cases").status_code == 401


# The API without a valid token -----------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Bearer kt_not-a-real-token"])
def test_a_write_without_a_valid_token_is_401_not_a_csrf_failure(agent, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    client = Client(enforce_csrf_checks=True, headers=headers)
    response = client.post("/api/v1/cases", {"subject": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"message": "Sign in, or send a valid API token.", "errors": {}}


def test_a_session_write_without_the_csrf_token_is_a_json_403(agent):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    response = browser.post("/api/v1/cases", {}, content_type="application/json")
    assert response.status_code == 403
    assert set(response.json()) == {"message", "errors"}


# The second factor -----------------------------------------------------------------------


@pytest.fixture
def mfa(settings):
    settings.KONTAKT_MFA_REQUIRED = True


def code_of(device: TOTPDevice) -> str:
    """The code an authenticator app shows now, computed from the device's key."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_supervisor_enrols_and_gives_a_code_before_any_staff_page(mfa, client, supervisor):
    assert sign_in(client, "supervisor", PASSWORD).status_code == 302
    response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"] == "/login/second-factor/?next=%2Fdesk%2F"
    assert client.get("/staffing/")["Location"].startswith("/login/second-factor/")
    assert client.get("/api/v1/cases").status_code == 401  # the session, not yet the API

    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["enrolling"]
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert page.context["secret"] and page.context["secret"] in page.content.decode()

    wrong = client.post("/login/second-factor/", {"code": "000000", "next": "/desk/"})
    if code_of(device) != "000000":
        assert wrong.status_code == 200 and wrong.context["form"].errors
        assert client.get("/desk/").status_code == 302

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/login/second-factor/", {"code": code_of(device), "next": "/desk/"})
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert TOTPDevice.objects.get(user=supervisor).confirmed
    assert client.get("/desk/").status_code == 200
    assert client.get("/api/v1/cases").status_code == 200


def test_an_enrolled_administrator_gives_a_code_to_reach_the_admin(mfa, client, administrator):
    device = TOTPDevice.objects.create(user=administrator, name="TOTP", confirmed=True)
    url = "/admin/login/?next=/admin/"
    assert sign_in(client, "administrator", PASSWORD, url).status_code == 302
    response = client.get("/admin/")
    assert response["Location"] == "/login/second-factor/?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert not page.context["enrolling"] and "secret" not in page.context
    response = client.post("/login/second-factor/", {"code": code_of(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_agents_and_handlers_need_no_second_factor(mfa, client, agent, handler):
    for username, page in (("agent", "/desk/"), ("handler", "/queue/")):
        browser = Client()
        assert sign_in(browser, username, PASSWORD).status_code == 302
        assert browser.get(page).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_a_supervisors_token_needs_no_second_factor(mfa, api_client_for, supervisor):
    assert api_client_for(supervisor).get("/api/v1/cases").status_code == 200


def test_the_second_factor_can_be_turned_off(settings, client, supervisor):
    settings.KONTAKT_MFA_REQUIRED = False
    assert sign_in(client, "supervisor", PASSWORD).status_code == 302
    assert client.get("/desk/").status_code == 200
    assert PRODUCTION.KONTAKT_MFA_REQUIRED is True  # on unless turned off


def test_the_second_factor_page_goes_only_to_this_site(mfa, client, supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="TOTP", confirmed=True)
    client.force_login(supervisor)
    response = client.post(
        "/login/second-factor/", {"code": code_of(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
