"""My pages in a real Chromium: the resident's path from the private link to a photo that
reaches the case, the e-ID sign-in against the local provider, and WCAG 2.1 AA by axe-core
in Swedish and Norwegian at 320 px and on a desktop.

Run alone with: pytest -m browser kontakt/portal. Screenshots land in /tmp/kontakt-shots.
"""

import io
import re
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from kontakt.cases.links import case_link_create
from kontakt.cases.models import Attachment, Case
from kontakt.cases.services import case_add_message, case_take
from kontakt.cases.surveys import survey_create
from kontakt.cases.tests.factories import CaseFactory
from kontakt.knowledge.tests.test_browser_public import axe_violations, readable

from .my_fixtures import eid_settings

pytestmark = pytest.mark.browser

ANSWER = "Tack! Vilket nummer har stolpen?"


@dataclass(frozen=True)
class Street:
    case: Case
    token: str
    survey: str
    base: str


@pytest.fixture
def street(live_server, settings, resident, parking_type, handler) -> Street:
    """A resident's case about a street lamp, answered by its handler; the link and survey."""
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SITE_URL": live_server.url,
        "MUNICIPALITY_NAME": "Sjöstads kommun",
        "CENTER_PHONE": "0910-73 50 00",
    }
    parking_type.next_steps = "Vi lagar lampan inom två veckor."
    parking_type.save()
    case = CaseFactory.create(case_type=parking_type, resident=resident, subject="Gatlampa")
    case_take(case=case, by=handler)
    case_add_message(case=case, body=ANSWER, direction="out", channel="email", by=handler)
    return Street(
        case=case,
        token=case_link_create(case=case),
        survey=survey_create(case=case, channel="email"),
        base=live_server.url,
    )


def in_language(page: Page, base: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])


def jpeg() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(data, format="JPEG")
    return data.getvalue()


def check(page: Page, language: str, name: str, shot, found: dict) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_count(1)
    shot(page, name)
    violations = axe_violations(page)
    if violations:
        found[name] = violations


@pytest.mark.parametrize("width", [320, 1440], ids=["320px", "desktop"])
@pytest.mark.parametrize("language", ["sv", "nb"])
def test_the_residents_path_from_the_link_to_a_photo_on_the_case(
    page: Page, street, shot, browser_errors, language, width
):
    page.set_viewport_size({"width": width, "height": 900})
    in_language(page, street.base, language)
    found: dict = {}

    page.goto(f"{street.base}/my/c/{street.token}/")

    expect(page).to_have_url(re.compile(rf"/my/cases/{street.case.reference}/$"))
    expect(page.locator("#timeline")).to_contain_text(ANSWER)
    check(page, language, f"my-{language}-{width}-case", shot, found)
    page.locator("#body").fill("Stolpen har nummer 1234.")
    page.locator("#files").set_input_files(
        [FilePayload(name="lampa.jpg", mimeType="image/jpeg", buffer=jpeg())]
    )
    page.locator("#body").press("Tab")  # to the files, then the button: keyboard alone
    page.get_by_role("button", name=re.compile("Send|Skicka")).first.click()
    expect(page.locator("#timeline")).to_contain_text("Stolpen har nummer 1234.")
    expect(page.locator("#timeline")).to_contain_text("lampa.jpg")
    check(page, language, f"my-{language}-{width}-sent", shot, found)
    assert Attachment.objects.filter(case=street.case, uploaded_by__isnull=True).count() == 1

    # An error is told beside its field and in a summary that links to it.
    page.locator("#body").fill("")
    page.get_by_role("button", name=re.compile("Send|Skicka")).first.click()
    expect(page.locator("#errors")).to_be_visible()
    expect(page.locator("#body")).to_have_attribute("aria-invalid", "true")
    check(page, language, f"my-{language}-{width}-error", shot, found)

    for url, name in [
        ("/my/", "index"),
        ("/my/c/not-a-link/", "link-failed"),
        (f"/my/survey/{street.survey}/", "survey"),
    ]:
        page.goto(street.base + url)
        check(page, language, f"my-{language}-{width}-{name}", shot, found)
    page.get_by_label(re.compile("^4")).check()
    page.get_by_role("button", name=re.compile("Send|Skicka")).first.click()
    expect(page.locator(".kt-public-lead[role=status]")).to_be_visible()
    check(page, language, f"my-{language}-{width}-thanks", shot, found)

    assert found == {}, "axe-core found WCAG 2.1 AA violations:\n" + readable(found)
    assert browser_errors == []
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width


def test_an_eid_sign_in_in_the_browser_shows_the_cases_of_that_number(
    page: Page, street, oidc_provider_for, settings, shot, browser_errors
):
    provider = oidc_provider_for(
        site=street.base, accounts={"karin": {"pid": "191212121212", "name": "Karin Lindqvist"}}
    )
    settings.KONTAKT = {**eid_settings(provider, site=street.base), **_kept(settings)}
    in_language(page, street.base, "sv")
    page.goto(f"{street.base}/my/")

    page.get_by_role("link", name=re.compile("BankID")).click()
    page.locator("input[name=login]").fill("karin")
    page.locator("input[name=password]").fill("vad som helst")
    page.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{street.base}/my/")
    expect(page.locator("main")).to_contain_text(street.case.reference)
    expect(page.locator("main")).to_contain_text("Karin Lindqvist")
    found: dict = {}
    check(page, "sv", "my-sv-eid-signed-in", shot, found)
    assert found == {}, "axe-core found WCAG 2.1 AA violations:\n" + readable(found)
    ours = [error for error in browser_errors if street.base in error]
    assert ours == []

    page.get_by_role("button", name=re.compile("Logga ut|Sign out")).click()
    # The provider asks whether to sign out there too; then back to My pages.
    page.locator("button[autofocus], button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(street.base)}/my/"))
    expect(page.locator("main")).not_to_contain_text(street.case.reference)


def _kept(settings) -> dict:
    """What the street fixture set, kept beside e-ID."""
    return {
        key: settings.KONTAKT[key]
        for key in ("MUNICIPALITY_NAME", "CENTER_PHONE")
        if key in settings.KONTAKT
    }
