"""End to end in a real browser: an agent forwards a resident's matter, a handler closes it.

Run alone with: pytest -m browser. Screenshots land in /tmp/kontakt-shots (KONTAKT_SHOTS_DIR).
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from kontakt.accounts.models import User
from kontakt.cases.models import Case, CaseEvent, Contact, Outcome

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"KC-\d{4}-\d{6}")
SUMMARY = "Lampan utanför Storgatan 12 är släckt sedan en vecka.\nStolpe nummer 4411."
RESOLUTION = "Armaturen bytt den här veckan; lampan lyser igen."


def sign_in(page: Page, base: str, user: User, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".kt-user")).to_contain_text(user.get_full_name())


def sign_out(page: Page) -> None:
    page.locator(".kt-user form[action$='/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def open_resident_by_search(page: Page, name: str, typed: str) -> None:
    """Type into the search field and follow the live (htmx) result to the resident."""
    search = page.locator("#q")
    search.click()
    search.press_sequentially(typed, delay=30)
    result = page.locator("#search-results a", has_text=name)
    expect(result).to_be_visible()
    # The results came in place, without a page load: the address is still the bare desktop.
    expect(page).to_have_url(re.compile(r"/desk/$"))
    result.click()
    expect(page.locator("#resident-heading")).to_have_text(name)


@pytest.mark.parametrize("press", ["click", "Alt+3"])
def test_agent_forwards_and_handler_closes(
    page: Page, live_server, municipality, shot, browser_errors, press
):
    town = municipality
    base = live_server.url
    if press != "click":  # one set of screenshots is enough

        def shot(page: Page, name: str) -> None:
            pass

    # The agent signs in and lands on the desktop; the page's styles and scripts load.
    page.goto(f"{base}/login/")
    assert browser_errors == []
    shot(page, "login")
    sign_in(page, base, town.agent, town.password)
    expect(page).to_have_url(re.compile(r"/desk/$"))

    open_resident_by_search(page, "Karin Lindqvist", "lindq")
    # An agent sees the identity number masked.
    expect(page.locator(".kt-resident")).to_contain_text("19121212-****")

    case_type = page.locator("#id_case_type")
    case_type.click()
    case_type.press_sequentially("Trasig gatubelysning", delay=10)
    # Choosing a case type shows its routine and suggests its department.
    expect(page.locator("#routine")).to_have_text(town.street_light.routine)
    expect(page.locator("#id_department")).to_have_value("gata")
    page.fill("#id_summary", SUMMARY)
    shot(page, "desk-resident")

    forwarded = page.locator("#contact-form button[name=outcome][value=forwarded]")
    expect(forwarded).to_contain_text("Alt+3")
    if press == "click":
        forwarded.click()
    else:
        page.locator("#id_summary").press("Alt+3")

    confirmation = page.locator("main > .ds-alert")
    expect(confirmation).to_contain_text(REFERENCE)
    case = Case.objects.get()
    expect(confirmation).to_contain_text(case.reference)
    expect(confirmation).to_contain_text(town.streets.name)
    shot(page, "desk-confirmation")

    contact = Contact.objects.get()
    assert (contact.outcome, contact.agent, contact.resident, contact.case) == (
        Outcome.FORWARDED,
        town.agent,
        town.resident,
        case,
    )
    # A textarea submits CRLF line breaks, and they are stored as they came.
    assert contact.summary.splitlines() == SUMMARY.splitlines()
    assert (case.status, case.department, case.handler, case.case_type) == (
        "forwarded",
        town.streets,
        None,
        town.street_light,
    )
    assert case.subject == SUMMARY.splitlines()[0]
    assert case.resident == town.resident
    assert case.due_at is not None
    sign_out(page)

    # The department's handler finds the case in the queue and takes it.
    sign_in(page, base, town.handler, town.password)
    expect(page).to_have_url(re.compile(r"/queue/$"))
    row = page.locator("table tbody tr", has_text=case.reference)
    expect(row).to_contain_text("Trasig gatubelysning")
    expect(row).to_contain_text("Forwarded")
    shot(page, "queue")
    row.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    # A handler sees the whole identity number.
    expect(page.locator(".kt-facts")).to_contain_text("19121212-1212")

    page.locator("#take").click()
    expect(page.locator("#case-status")).to_have_text("Open")
    expect(page.locator(".kt-facts")).to_contain_text("Hugo Holm")
    expect(page.locator("#take")).to_have_count(0)

    status_form = page.locator("#status-form")
    status_form.locator("select[name=status]").select_option("closed")
    status_form.locator("textarea[name=resolution]").fill(RESOLUTION)
    status_form.locator("button[type=submit]").click()

    expect(page.locator("#case-status")).to_have_text("Closed")
    expect(page.locator("main > .ds-alert")).to_contain_text("Case closed")
    timeline = page.locator(".kt-timeline")
    for kind in ("created", "forwarded", "assigned", "status", "closed"):
        expect(timeline.locator(f".kt-event-{kind}").first).to_be_visible()
    expect(timeline.locator(".kt-event-closed")).to_contain_text(RESOLUTION)
    shot(page, "case")

    case.refresh_from_db()
    assert (case.status, case.handler, case.resolution) == ("closed", town.handler, RESOLUTION)
    assert case.closed_at is not None
    events = list(
        CaseEvent.objects.filter(case=case)
        .order_by("at", "id")
        .values_list("kind", "from_status", "to_status", "by__username")
    )
    assert events == [
        ("created", "", "new", "agnes"),
        ("status", "new", "forwarded", "agnes"),
        ("forwarded", "", "", "agnes"),
        ("assigned", "", "", "hugo"),
        ("status", "forwarded", "open", "hugo"),
        ("status", "open", "closed", "hugo"),
        ("closed", "", "", "hugo"),
    ]
    # Karin chose e-mail: she got a receipt, and is told the resolution (tasks run at once
    # in these tests); both are notices on the case.
    receipt, closing = mail.outbox
    assert receipt.to == closing.to == ["karin.lindqvist@example.se"]
    assert case.reference in closing.subject
    assert RESOLUTION in closing.body
    assert list(case.notices.values_list("kind", "state")) == [
        ("receipt", "sent"),
        ("closed", "sent"),
    ]
    assert browser_errors == []


def focus_walk(page: Page, until: str, limit: int = 60) -> list[str]:
    """Press Tab from the top of the page until `until` has focus; name each stop."""
    page.locator("body").focus()
    page.evaluate("document.activeElement.blur()")
    stops: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (el.matches('button[name=outcome]')) return 'outcome:' + el.value;
                if (el.id) return '#' + el.id;
                return el.tagName.toLowerCase() + ':' + el.textContent.trim().slice(0, 30);
            }"""
        )
        stops.append(stop)
        if stop == until:
            return stops
    raise AssertionError(f"Tab never reached {until}; it went through {stops}")


TAB_ORDER = ("#q", "#id_case_type", "#id_summary", "outcome:closed", "outcome:closed_order")


def assert_tab_order(stops: list[str]) -> None:
    """Search, case type, summary and the outcomes are reached by Tab, in that order."""
    missing = [stop for stop in TAB_ORDER if stop not in stops]
    assert not missing, f"Tab skips {missing}; it went through {stops}"
    positions = [stops.index(stop) for stop in TAB_ORDER]
    assert positions == sorted(positions), stops


def test_desktop_and_resident_page_work_with_the_keyboard_alone(
    page: Page, live_server, municipality, browser_errors
):
    town = municipality
    page.goto(f"{live_server.url}/login/")
    assert browser_errors == []
    # The user name field has focus from the start.
    page.keyboard.type(town.agent.username)
    page.keyboard.press("Tab")
    page.keyboard.type(town.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/desk/$"))

    stops = focus_walk(page, until="outcome:forwarded")
    assert_tab_order(stops)
    assert "outcome:linked" not in stops  # no open case to link to

    # "/" jumps to the search; past the search button, Tab reaches the live results.
    page.locator("body").focus()
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("karin")
    expect(page.locator("#search-results a", has_text="Karin Lindqvist")).to_be_visible()
    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")  # the first result
    expect(page.locator(":focus")).to_have_text("Karin Lindqvist")
    page.keyboard.press("Enter")
    expect(page.locator("#resident-heading")).to_have_text("Karin Lindqvist")

    # The resident's page keeps the order, and the whole contact is logged from the keyboard.
    assert_tab_order(focus_walk(page, until="outcome:forwarded"))
    focus_walk(page, until="#id_case_type")
    page.keyboard.type("Sophämtning")
    # Enter in a field must not log the contact with the first outcome, "closed".
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert not Contact.objects.exists()
    expect(page.locator("#id_case_type")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_summary")).to_be_focused()
    page.keyboard.type("Kärlet vid Storgatan 12 tömdes inte i tisdags.")
    while page.evaluate("document.activeElement.value") != "forwarded":
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") in {"SUMMARY", "BUTTON"}
    # A keyboard user must see where focus is: nothing takes the focus ring away.
    ring = page.locator(":focus").evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).boxShadow"
    )
    assert ring != "none none", ring
    page.keyboard.press("Enter")

    expect(page.locator("main > .ds-alert")).to_contain_text(REFERENCE)
    case = Case.objects.get()
    assert (case.case_type, case.resident, case.status) == (town.waste, town.resident, "forwarded")
    assert browser_errors == []
