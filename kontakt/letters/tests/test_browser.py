"""In a real browser, the operator's walk with a scanned letter: upload it, see its first
page and the words OCR read beside it, register it for a resident as a new case, and find
it again by a word in it."""

import re

import pytest
from playwright.sync_api import FilePayload, Page, expect

from kontakt.desk.tests.test_browser import sign_in
from kontakt.knowledge.tests.test_browser_public import axe_violations, readable
from kontakt.letters.models import Letter, LetterState
from kontakt.letters.samples import scanned_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINES = [
    "Sjöstad kommun, Gatukontoret",
    "Gatubelysningen på Storgatan 12 är trasig.",
    "Med vänlig hälsning, Karin Lindqvist",
]


def test_a_scanned_letter_is_registered_and_found_by_a_word(
    live_server, municipality, page: Page, shot, browser_errors
):
    base = live_server.url
    # OCR takes a few seconds, and more on a busy machine.
    page.set_default_timeout(20_000)
    sign_in(page, base, municipality.agent, municipality.password)
    page.locator("nav a", has_text="Letters").click()
    expect(page).to_have_url(f"{base}/letters/")
    page.locator("#letters-new").click()
    scan: FilePayload = {
        "name": "brev.pdf",
        "mimeType": "application/pdf",
        "buffer": scanned_pdf(LINES),
    }
    page.set_input_files("#id_scans", files=[scan])
    page.locator("#letters-upload button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/letters/\d+/$"))
    # Read on the task queue (in process here); the page polls until it is.
    expect(page.locator("#letter-text")).to_contain_text("Gatubelysningen", timeout=30_000)
    expect(page.locator("#letter-preview")).to_be_visible()
    assert page.locator("#letter-preview").evaluate("img => img.naturalWidth") > 100
    expect(page.locator(".kt-letter-state")).to_have_text("Read")
    assert axe_violations(page) == [], readable({"letter": axe_violations(page)})
    shot(page, "letter-read")

    # The writer is found as at the desk, and the letter becomes a forwarded case.
    page.fill("#id_q", "Karin Lindqvist")
    page.locator("#resident-search button[type=submit]").click()
    expect(page.locator(".kt-letter-resident")).to_contain_text("Karin Lindqvist")
    page.select_option("#id_case_type", "gatubelysning")
    page.locator("#letter-register button[type=submit]").click()
    expect(page.locator(".ds-alert[data-color=success]")).to_contain_text(
        "Letter registered on case"
    )
    expect(page.locator(".kt-letter-state")).to_have_text("Registered")
    shot(page, "letter-registered")

    letter = Letter.objects.get()
    assert letter.state == LetterState.REGISTERED
    assert letter.contact is not None and letter.contact.channel == "letter"
    assert letter.resident == municipality.resident

    # On the case: the scan attached and the letter's words as the resident's message.
    page.locator("#letter-case").click()
    expect(page.locator(".kt-event-message_in")).to_contain_text("Storgatan 12 är trasig")
    expect(page.locator("main")).to_contain_text("brev.pdf")

    # Found again by a word in it.
    page.goto(f"{base}/letters/")
    page.fill("#id_q", "gatubelysningen")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#letters tbody tr")).to_have_count(1)
    expect(page.locator("#letters tbody")).to_contain_text("brev.pdf")
    page.fill("#id_q", "snöskottning")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#letters tbody")).to_contain_text("No letter holds these words.")
    shot(page, "letter-search")
    assert browser_errors == []
