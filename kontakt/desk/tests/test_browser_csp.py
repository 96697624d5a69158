"""The main pages under their Content-Security-Policy in a real Chromium: the browser reports
no violation, and what needs script still works (htmx searches and refreshes, the language
menu, the API's viewer).

Run alone with: pytest -m browser kontakt/desk/tests/test_browser_csp.py
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.cases.tests.factories import CaseFactory
from kontakt.knowledge.tests.factories import make_article

from .test_browser import sign_in, sign_out

pytestmark = pytest.mark.browser

# Runs before any script of a page (Playwright injects it outside the page's CSP) and keeps
# every violation the browser reports, whether it blocked something or not.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
        + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Violations:
    """What the browser said about the CSP, on the page and in the console."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(WATCH)
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def check(self, where: str) -> None:
        found = self.page.evaluate("window.__csp || []") + self.console
        assert found == [], f"{where}: {found}"


def visit(page: Page, violations: Violations, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    policy = response.headers.get("content-security-policy", "")
    assert re.search(r"script-src 'self'( 'nonce-[\w-]+')?;", policy), (url, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page.wait_for_load_state("load")
    violations.check(url)


def test_main_pages_run_under_the_csp_without_a_violation(
    page: Page, live_server, municipality, browser_errors
):
    town = municipality
    base = live_server.url
    violations = Violations(page)
    supervisor = User.objects.create_user(
        username="siv", password=town.password, first_name="Siv", last_name="Berg"
    )
    supervisor.groups.add(Group.objects.get_or_create(name=Role.SUPERVISOR.value)[0])
    case = CaseFactory.create(
        case_type=town.street_light,
        subject="Släckt lampa på Storgatan",
        resident=town.resident,
        by=town.handler,
    )
    article = make_article(
        "Trasig gatubelysning",
        "Så anmäler du en släckt lampa.",
        "Ring oss eller anmäl på webben.",
        department=town.streets,
    )

    # Residents' answers, signed out.
    visit(page, violations, f"{base}/answers/")
    visit(page, violations, f"{base}/answers/{article.language}/{article.translation_key}/")
    expect(page.locator("main h1")).to_have_text(article.title)

    # The login page; its language menu submits itself (a script of ours, no inline handler).
    visit(page, violations, f"{base}/login/")
    with page.expect_navigation():
        page.select_option("#language", "sv")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    with page.expect_navigation():
        page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    violations.check("language menu")

    # The agent's desktop: the search answers through htmx as one types.
    sign_in(page, base, town.agent, town.password)
    visit(page, violations, f"{base}/desk/")
    page.locator("#q").press_sequentially("lindq", delay=30)
    result = page.locator("#search-results a", has_text=town.resident.name)
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("#resident-heading")).to_have_text(town.resident.name)
    violations.check("resident page")
    visit(page, violations, f"{base}/knowledge/?q=gatubelysning")
    expect(page.locator("main")).to_contain_text(article.title)
    visit(page, violations, f"{base}/cases/")
    sign_out(page)

    # The supervisor's pages: a case, the wallboard (htmx refreshes it every second), the
    # staffing plan, crisis mode and the API's viewer.
    sign_in(page, base, supervisor, town.password)
    visit(page, violations, f"{base}/cases/{case.reference}/")
    expect(page.locator("main")).to_contain_text(case.reference)
    with page.expect_response(
        lambda r: "/telephony/wallboard/" in r.url and "hx-request" in r.request.headers
    ):
        visit(page, violations, f"{base}/telephony/wallboard/")
    violations.check("wallboard refresh")
    visit(page, violations, f"{base}/staffing/")
    visit(page, violations, f"{base}/telephony/crisis/")
    visit(page, violations, f"{base}/api/v1/docs")
    # Swagger UI's scripts ran and drew into the page (what it draws is the document's affair).
    expect(page.locator("#swagger-ui .swagger-ui")).to_be_attached()
    violations.check("API viewer")
    assert browser_errors == []
