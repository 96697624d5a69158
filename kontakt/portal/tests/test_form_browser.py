"""The web form in a real Chromium: filed by keyboard alone with JavaScript (the browser
solves the challenge) and without it (the form waits a moment, and comes back with
everything kept), in Swedish and Norwegian; WCAG 2.1 AA by axe-core at 320 px and on a
desktop.

Run alone with: pytest -m browser kontakt/portal. Screenshots land in /tmp/kontakt-shots.
"""

import hashlib
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from kontakt.cases.models import Case
from kontakt.knowledge.tests.test_browser_public import axe_violations, in_language, readable
from kontakt.portal import form_services
from kontakt.portal.tests.form_fixtures import jpeg_with_gps

pytestmark = pytest.mark.browser


@pytest.fixture
def town(live_server, settings, street_light, lamp_answer, monkeypatch) -> str:
    settings.KONTAKT = {
        **settings.KONTAKT,
        "MUNICIPALITY_NAME": "Sjöstads kommun",
        "CENTER_PHONE": "0910-73 50 00",
        "SITE_URL": live_server.url,
        "WEB_FORM": {**settings.KONTAKT["WEB_FORM"], "CHALLENGE_BITS": 10},
    }
    monkeypatch.setattr(form_services, "NO_SCRIPT_WAIT", timedelta(seconds=1))
    return live_server.url


def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element is focused, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def photo(tmp_path) -> str:
    path = tmp_path / "lampa.jpg"
    path.write_bytes(jpeg_with_gps())
    return str(path)


@pytest.mark.parametrize("language", ["sv", "nb"])
def test_filed_by_keyboard_with_javascript(
    page: Page, town, shot, browser_errors, tmp_path, language
):
    in_language(page, town, language)
    page.goto(town + "/form/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    tab_to(page, "a[href='/form/gatlampa/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Trasig gatlampa")
    expect(page.locator(".kt-public-services")).to_contain_text("Gatlampor som inte lyser")
    tab_to(page, "a[href='#form-heading']")
    page.keyboard.press("Enter")

    type_into(page, "[name='attribute[lamp]']", "GL-1234")
    tab_to(page, "[name='attribute[fault]']")
    page.keyboard.press("Space")
    type_into(page, "#id_address", "Storgatan 12")
    type_into(page, "#id_description", "Lampan är släckt.")
    # The file chooser is the system's own dialog: the file is given to the input directly.
    page.locator("#id_attachments").set_input_files(photo(tmp_path))
    type_into(page, "#id_name", "Ada Exempel")
    type_into(page, "#id_email", "ada@example.se")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    expect(page.locator("#id_website")).to_be_hidden()
    # The browser solved the challenge (in its worker) while the form was filled.
    solution = page.locator("#id_pow_solution")
    expect(solution).to_have_value(re.compile(r"^\d+$"))
    token = page.locator("#id_pow_challenge").input_value()
    digest = hashlib.sha256(f"{token}:{solution.input_value()}".encode()).digest()
    assert form_services.leading_zero_bits(digest) >= 10
    shot(page, f"form-js-{language}-filled")
    tab_to(page, "#send")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/form/thanks/"), timeout=20_000)
    case = Case.objects.get()
    expect(page.locator(".kt-form-reference")).to_have_text(case.reference)
    expect(page.locator(".kt-form-link")).to_have_attribute("href", re.compile(r"/my/c/"))
    shot(page, f"form-js-{language}-thanks")
    assert case.attributes == {"lamp": "GL-1234", "fault": "dark"}
    assert case.attachments.get().name == "lampa.jpg"
    assert case.resident is not None and case.resident.preferred_language == language
    assert browser_errors == []


@pytest.mark.parametrize("language", ["sv", "nb"])
def test_filed_without_javascript_and_nothing_is_lost(
    browser, town, shot, tmp_path, language, browser_errors
):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(5_000)
    page = context.new_page()
    in_language(page, town, language)
    page.goto(town + "/form/gatlampa/")

    type_into(page, "#id_description", "Lampan blinkar hela natten.")
    tab_to(page, "[name='attribute[fault]']")
    page.keyboard.press("ArrowDown")  # the second choice: blinks
    page.locator("#id_attachments").set_input_files(photo(tmp_path))
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "#send")
    page.keyboard.press("Enter")

    # No name: the form comes back with a summary, the field marked, everything kept.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_name']")).to_be_visible()
    expect(page.locator("#id_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_description")).to_have_value("Lampan blinkar hela natten.")
    expect(page.locator("[name='attribute[fault]'][value='blinks']")).to_be_checked()
    expect(page.locator(".kt-form-held")).to_contain_text("lampa.jpg")
    expect(page.locator("#id_consent")).to_be_checked()
    shot(page, f"form-nojs-{language}-errors")

    type_into(page, "#id_name", "Ola Nordmann")
    type_into(page, "#id_email", "ola@example.no")
    page.wait_for_timeout(1100)
    tab_to(page, "#send")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/form/thanks/"))
    case = Case.objects.get()
    expect(page.locator(".kt-form-reference")).to_have_text(case.reference)
    assert case.attributes == {"fault": "blinks"}
    assert [a.name for a in case.attachments.all()] == ["lampa.jpg"]
    shot(page, f"form-nojs-{language}-thanks")
    context.close()
    assert browser_errors == []


def visit(page: Page, town: str, language: str, name: str, shot) -> dict:
    """Every page of the form (with errors too, and the thank-you page): axe's findings."""
    found: dict = {}

    def check(kind: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", language)
        shot(page, f"{name}-{kind}")
        violations = axe_violations(page)
        if violations:
            found[f"{language} {kind} {page.url}"] = violations

    for kind, url in [("start", "/form/"), ("form", "/form/gatlampa/")]:
        page.goto(town + url)
        check(kind)
    page.goto(town + "/form/gatlampa/answered/")
    check("answered")
    page.goto(town + "/form/gatlampa/")
    page.locator("#send").click()
    expect(page.locator("#error-summary")).to_be_visible(timeout=20_000)
    check("errors")
    page.locator("[name='attribute[fault]']").first.check()
    page.locator("#id_description").fill("Lampan är släckt.")
    page.locator("#id_name").fill("Ada Exempel")
    page.locator("#id_email").fill("ada@example.se")
    page.locator("#id_consent").check()
    page.locator("#send").click()
    expect(page).to_have_url(re.compile(r"/form/thanks/"), timeout=20_000)
    check("thanks")
    return found


@pytest.mark.parametrize("language", ["sv", "nb"])
@pytest.mark.parametrize("width", [320, 1280])
def test_every_page_meets_wcag_21_aa(page: Page, town, shot, browser_errors, language, width):
    page.set_viewport_size({"width": width, "height": 800})
    in_language(page, town, language)

    found = visit(page, town, language, f"form-{width}-{language}", shot)

    assert found == {}, "axe-core found WCAG 2.1 AA violations:\n" + readable(found)
    if width == 320:
        for url in ("/form/", "/form/gatlampa/"):
            page.goto(town + url)
            # Reflow (1.4.10): nothing scrolls sideways on a 320 px screen.
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
    assert browser_errors == []
