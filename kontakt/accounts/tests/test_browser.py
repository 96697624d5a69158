"""The second factor in a real browser: a supervisor enrols an authenticator app from the QR
page's key and reaches the desk. Run alone with: pytest -m browser."""

import re
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from kontakt.accounts.roles import Role
from kontakt.accounts.services import roles_sync
from kontakt.accounts.tests.factories import UserFactory

# The desk's real Chromium.
from kontakt.desk.tests.conftest import browser, browser_errors, page, shot  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_supervisor_enrols_an_authenticator_app_and_reaches_the_desk(
    page: Page,  # noqa: F811
    live_server,
    settings,
    transactional_db,
    shot,  # noqa: F811
    browser_errors,  # noqa: F811
):
    settings.KONTAKT_MFA_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the second try comes within a second
    if not Group.objects.filter(name=Role.SUPERVISOR.value).exists():
        roles_sync()
    supervisor = UserFactory.create(
        username="sara", first_name="Sara", last_name="Sund", role=Role.SUPERVISOR
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sara")
    page.fill("#id_password", "lykta-cykel-snö-42")
    page.locator("main button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/login/second-factor/\?next="))
    expect(page.locator(".kt-qr svg")).to_be_visible()
    shot(page, "second-factor-enrol")
    secret = page.locator("[data-testid=totp-secret]").inner_text()
    page.fill("#id_code", "000000" if totp(b32decode(secret)) != 0 else "111111")
    page.locator("main form.kt-form button[type=submit]").click()
    expect(page.locator("[role=alert]")).to_contain_text("The code is wrong")

    page.fill("#id_code", f"{totp(b32decode(secret)):06d}")
    page.locator("main form.kt-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    expect(page.locator(".kt-user")).to_contain_text(supervisor.get_full_name())
    assert browser_errors == []
