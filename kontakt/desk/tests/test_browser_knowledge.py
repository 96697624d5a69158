"""End to end in a real browser: an agent finds an answer in the knowledge base, closes the
contact with it, flags another article; its owner sees the task and revises the article.

Run alone with: pytest -m browser. Screenshots land in /tmp/kontakt-shots (KONTAKT_SHOTS_DIR).
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Dialog, Page, expect

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.cases.models import Contact
from kontakt.knowledge import services
from kontakt.knowledge.models import ArticleFlag, SearchGap

from .test_browser import open_resident_by_search, sign_in, sign_out

pytestmark = pytest.mark.browser


def test_agent_answers_with_an_article_and_flags_another(
    page: Page, live_server, municipality, shot, browser_errors
):
    town = municipality
    base = live_server.url
    owner = User.objects.create_user(
        username="olle", password=town.password, first_name="Olle", last_name="Ek",
        department=town.streets,
    )  # fmt: skip
    owner.groups.add(Group.objects.get(name=Role.DEPARTMENT_CONTACT.value))
    services.synonym_save(words="soptunna, kärl", language="sv")
    answer = services.article_save(
        draft=services.ArticleDraft(
            title="Missad sophämtning – så gör du",
            summary="Har kärlet inte tömts? Anmäl det senast dagen efter hämtdagen.",
            body="Anmäl i e-tjänsten **Felanmälan avfall**. Bilen kommer inom två arbetsdagar.",
            language="sv",
            owner_department=town.streets,
            owner=owner,
            visibility="public",
            case_types=[town.waste],
            links=[services.LinkDraft("Felanmälan avfall", "https://sjostad.example/felanmalan")],
        ),
        by=None,
    )
    hours = services.article_save(
        draft=services.ArticleDraft(
            title="Återvinningscentralens öppettider",
            summary="Öppet vardagar 10–19 och lördagar 9–15.",
            language="sv",
            owner_department=town.streets,
            owner=owner,
            visibility="public",
        ),
        by=None,
    )

    sign_in(page, base, town.agent, town.password)
    open_resident_by_search(page, "Karin Lindqvist", "lindq")
    page.locator("#id_case_type").fill(town.waste.name)
    # A question in the resident's words: a definite form and a synonym of the article's word.
    page.keyboard.press("Alt+k")
    expect(page.locator("#kb-q")).to_be_focused()
    page.locator("#kb-q").press_sequentially("soptunnan har inte tömts", delay=20)
    first = page.locator("#kb-results .kt-kb-hit").first
    expect(first).to_contain_text("Missad sophämtning")
    expect(first.locator("mark").first).to_be_visible()
    shot(page, "knowledge-desk-search")
    # Enter uses the chosen (first) hit: its title and address go into the summary.
    page.locator("#kb-q").press("Enter")
    summary = page.locator("#id_summary")
    expect(summary).to_have_value(
        re.compile(r"Missad sophämtning – så gör du: http://.*/answers/sv/")
    )
    expect(page.locator("#kb-used")).to_contain_text("Missad sophämtning")
    shot(page, "knowledge-desk-used")
    page.locator("#contact-form button[value=closed]").click()
    expect(page.locator(".ds-alert")).to_contain_text("Contact logged")
    contact = Contact.objects.get()
    assert [use.article for use in contact.article_uses.all()] == [answer]
    answer.refresh_from_db()
    assert answer.closed_contacts == 1

    # A question the knowledge base cannot answer goes with the next contact to the gap list.
    page.keyboard.press("Alt+k")
    page.locator("#kb-q").press_sequentially("båtplats i hamnen", delay=10)
    expect(page.locator("#kb-nothing")).to_be_visible()
    page.locator("#id_case_type").fill(town.waste.name)
    page.locator("#contact-form button[value=closed]").click()
    expect(page.locator(".ds-alert")).to_contain_text("Contact logged")
    gap = SearchGap.objects.get()
    assert (gap.query, gap.case_type) == ("båtplats i hamnen", town.waste)

    # The agent finds the opening hours outdated and flags them to their owner.
    page.goto(f"{base}/knowledge/?q=återvinningscentralen")
    page.locator(".kt-kb-hit a", has_text="Återvinningscentralens öppettider").click()
    page.locator("label.kt-chip", has_text="Outdated").click()
    page.fill("#id_comment", "Nya vintertider från december.")
    page.locator("button", has_text="Send to the owner").click()
    expect(page.locator(".ds-alert")).to_contain_text("the owner has been told")
    expect(page.locator("#open-flags")).to_contain_text("Nya vintertider")
    sign_out(page)

    # The owner sees the task, revises the article, and the task is done.
    sign_in(page, base, owner, town.password)
    page.goto(f"{base}/knowledge/tasks/")
    task = page.locator(f"tr[data-flag='{ArticleFlag.objects.get().pk}']")
    expect(task).to_contain_text("Återvinningscentralens öppettider")
    expect(task).to_contain_text("Nya vintertider från december.")
    shot(page, "knowledge-tasks")
    task.locator("a", has_text="Revise").click()
    page.fill("#id_summary", "Vintertid från december: vardagar 10–18, lördagar 10–14.")
    page.fill("#id_note", "Vintertider")
    page.locator("button", has_text="Save").click()
    expect(page.locator(".ds-alert")).to_contain_text("version 2")
    expect(page.locator(".kt-summary")).to_contain_text("Vintertid från december")
    page.goto(f"{base}/knowledge/tasks/")
    expect(page.locator("tbody")).to_contain_text("Nothing to do.")
    flag = ArticleFlag.objects.get()
    assert flag.closed_in_version == 2 and flag.article == hours
    assert browser_errors == []


def test_script_in_an_article_never_runs_on_the_staff_page(
    page: Page, live_server, municipality, browser_errors
):
    town = municipality
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    article = services.article_save(
        draft=services.ArticleDraft(
            title="Försök",
            summary='<img src=x onerror="window.__pwned=1">',
            body=(
                "<script>window.__pwned=1</script>\n\n"
                '<img src=x onerror="window.__pwned=1">\n\n'
                "[klicka](javascript:window.__pwned=1)\n\n"
                '<a href="javascript:window.__pwned=1" id="raw">rå länk</a>'
            ),
            language="sv",
            owner_department=town.streets,
            visibility="public",
        ),
        by=None,
    )
    sign_in(page, live_server.url, town.agent, town.password)
    page.goto(f"{live_server.url}/knowledge/articles/{article.pk}/")
    expect(page.locator("#article-heading")).to_have_text("Försök")
    for link in page.locator(".kt-article-body a").all():
        link.click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    assert page.locator(".kt-article-body script, .kt-article-body img").count() == 0
