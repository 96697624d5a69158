"""A resident's whole matter in a real Chromium, as the issue tells it: the web form files a
broken street light with a photo; the receipt carries the reference, the answer-by date and
the private link; the handler writes to the resident, who reads it on My pages and adds a
photo; the handler sees it on the case page, closes the case, and the resident answers the
satisfaction question from the closing notice.

Run alone with: pytest -m browser kontakt/portal. Screenshots land in /tmp/kontakt-shots.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.cases.models import Case, NoticeKind, SatisfactionSurvey
from kontakt.desk.tests.test_browser import sign_in
from kontakt.knowledge.tests.test_browser_public import in_language
from kontakt.portal import form_services
from kontakt.portal.tests.form_fixtures import jpeg_with_gps

pytestmark = pytest.mark.browser

PASSWORD = "lykta-cykel-snö-42"
MY_LINK = re.compile(r"https?://\S+/my/c/[\w-]+/")
SURVEY_LINK = re.compile(r"https?://\S+/my/survey/[\w-]+/")


@pytest.fixture
def town(live_server, settings, street_light, lamp_answer, monkeypatch) -> str:
    settings.KONTAKT = {
        **settings.KONTAKT,
        "MUNICIPALITY_NAME": "Sjöstads kommun",
        "SITE_URL": live_server.url,
        "WEB_FORM": {**settings.KONTAKT["WEB_FORM"], "CHALLENGE_BITS": 8},
    }
    monkeypatch.setattr(form_services, "NO_SCRIPT_WAIT", timedelta(seconds=1))
    return live_server.url


def test_a_street_light_from_the_form_to_the_residents_rating(
    browser: Browser, page: Page, town, street_light, shot, tmp_path, browser_errors
):
    handler: Any = UserFactory(
        username="handler.trafik", role=Role.HANDLER, department=street_light.department
    )
    photo = tmp_path / "lampa.jpg"
    photo.write_bytes(jpeg_with_gps())

    # The resident files it on the form, in Swedish.
    in_language(page, town, "sv")
    page.goto(town + "/form/gatlampa/")
    page.locator("[name='attribute[lamp]']").fill("GL-1234")
    page.locator("[name='attribute[fault]']").first.check()
    page.locator("#id_address").fill("Storgatan 12")
    page.locator("#id_description").fill("Lampan utanför porten är släckt sedan i fredags.")
    page.locator("#id_attachments").set_input_files(str(photo))
    page.locator("#id_name").fill("Ada Exempel")
    page.locator("#id_email").fill("ada@example.se")
    page.locator("#id_consent").check()
    expect(page.locator("#id_pow_solution")).to_have_value(re.compile(r"^\d+$"))
    page.locator("#send").click()
    expect(page).to_have_url(re.compile(r"/form/thanks/"), timeout=20_000)
    case = Case.objects.get()
    expect(page.locator(".kt-form-reference")).to_have_text(case.reference)
    shot(page, "journey-1-thanks")

    # The receipt: reference, answer-by date and the private link, by e-mail.
    (receipt,) = [m for m in mail.outbox if case.reference in f"{m.subject} {m.body}"]
    assert receipt.to == ["ada@example.se"]
    assert case.notices.filter(kind=NoticeKind.RECEIPT, state="sent").exists()
    assert case.due_at is not None and str(case.due_at.day) in receipt.body
    my_link = MY_LINK.search(str(receipt.body))
    assert my_link is not None

    # The handler sees the case with its place, answers and photo, and writes to the resident.
    staff = browser.new_context(locale="en-GB")
    desk = staff.new_page()
    sign_in(desk, town, handler, PASSWORD)
    desk.goto(f"{town}/cases/{case.reference}/")
    expect(desk.locator("#case-place")).to_contain_text("Storgatan 12")
    expect(desk.locator("main")).to_contain_text("GL-1234")
    expect(desk.locator("main")).to_contain_text("lampa.jpg")
    desk.locator("form[action$='/messages/'] textarea[name='body']").fill(
        "Tack! Vilken sida av gatan står stolpen på?"
    )
    desk.locator("form[action$='/messages/'] select[name='channel']").select_option("web_form")
    desk.locator("form[action$='/messages/'] button[type=submit]").click()
    expect(desk.locator(".kt-timeline")).to_contain_text("Vilken sida av gatan")
    shot(desk, "journey-2-handler-wrote")

    # The resident follows the link, reads the message and adds information and a photo.
    page.goto(my_link.group(0).replace("http://testserver", town))
    expect(page).to_have_url(re.compile(rf"/my/cases/{case.reference}/$"))
    expect(page.locator("#timeline")).to_contain_text("Vilken sida av gatan")
    page.locator("#body").fill("Norra sidan, mittemot busshållplatsen.")
    page.locator("#files").set_input_files(str(photo))
    page.get_by_role("button", name=re.compile("Skicka|Send")).first.click()
    expect(page.locator("#timeline")).to_contain_text("Norra sidan")
    shot(page, "journey-3-my-pages")

    # The handler sees it, and closes the case.
    desk.goto(f"{town}/cases/{case.reference}/")
    expect(desk.locator(".kt-timeline")).to_contain_text("Norra sidan")
    expect(desk.locator("main")).to_have_count(1)
    assert case.attachments.count() == 2
    form = desk.locator("#status-form")
    form.locator("select[name='status']").select_option("closed")
    form.locator("textarea[name='resolution']").fill("Lampan är lagad.")
    form.locator("button[type=submit]").click()
    expect(desk.locator("#case-status")).to_contain_text("Closed")
    shot(desk, "journey-4-closed")

    # The closing notice asks the one question; the resident answers it.
    closing = [m for m in mail.outbox if "Lampan är lagad." in m.body]
    assert closing, [m.subject for m in mail.outbox]
    survey_link = SURVEY_LINK.search(str(closing[-1].body))
    assert survey_link is not None
    page.goto(survey_link.group(0))
    page.locator("input[name='score'][value='5']").check()
    page.locator("textarea[name='comment']").fill("Snabbt och bra.")
    page.get_by_role("button", name=re.compile("Skicka|Send")).first.click()
    expect(page.locator("main")).to_contain_text(re.compile("Tack|Thank"))
    shot(page, "journey-5-rated")
    answer = SatisfactionSurvey.objects.get(case=case)
    assert (answer.score, answer.comment) == (5, "Snabbt och bra.")
    assert answer.department == street_light.department
    assert browser_errors == []
