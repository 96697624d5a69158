"""The residents' pages in a real Chromium: WCAG 2.1 AA by axe-core, and article text that
can never run a script.

Run alone with: pytest -m browser kontakt/knowledge. Screenshots land in /tmp/kontakt-shots
(KONTAKT_SHOTS_DIR).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Dialog, Page, expect

from kontakt.directory.models import Department
from kontakt.knowledge.models import Article, LinkKind
from kontakt.knowledge.services import ArticleDraft, LinkDraft, article_save

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
        nodes: v.nodes.map(n => ({
            target: n.target.join(' '), html: n.html, why: n.failureSummary,
        })),
    }));
}"""

BODY = {
    "sv": """Du som bor i en zon för boendeparkering kan få parkera där till lägre avgift.

## Vem kan ansöka?

- Du är folkbokförd på en adress i zonen.
- Bilen är registrerad på dig, eller du leasar den.

## Vad kostar det?

| Zon | Per månad |
| --- | ---: |
| Innerstaden | 800 kr |
| Ytterområden | 400 kr |

Läs mer om [zonerna på kartan](https://sjostad.example/zoner).
""",
    "nb": """Bor du i en sone for beboerparkering, kan du parkere der for lavere avgift.

## Hvem kan søke?

- Du er folkeregistrert på en adresse i sonen.
- Bilen er registrert på deg.
""",
    "en": """If you live in a residents' parking zone, you may park there at a lower fee.

## Who may apply?

- You are registered at an address in the zone.
- The car is registered to you.
""",
}
SUMMARIES = {
    "sv": "Boendeparkering är för dig som bor i en zon och vill parkera nära hemmet.",
    "nb": "Beboerparkering er for deg som bor i en sone og vil parkere nær hjemmet.",
    "en": "Residents' parking is for those who live in a zone and park near home.",
}
TITLES = {"sv": "Boendeparkering", "nb": "Beboerparkering", "en": "Residents' parking"}
QUERIES = {"sv": "boendeparkering", "nb": "beboerparkering", "en": "parking"}


@dataclass(frozen=True)
class Answers:
    """What the pages show; everything is saved in the live server's database."""

    parking: dict[str, Article]
    base: str


@pytest.fixture
def answers(live_server, settings) -> Answers:
    """Two departments, an answer in three languages with e-services, and a few more."""
    settings.KONTAKT = {
        **settings.KONTAKT,
        "MUNICIPALITY_NAME": "Sjöstads kommun",
        "CENTER_PHONE": "0910-73 50 00",
        "CENTER_EMAIL": "kontakt@sjostad.example",
    }
    streets = Department.objects.create(name="Trafikkontoret", code="trafik")
    waste = Department.objects.create(name="Avfall och vatten", code="avfall")
    links = [
        LinkDraft("Ansök om boendeparkering", "https://e.sjostad.example/parkering"),
        LinkDraft("Blankett för fullmakt", "https://sjostad.example/fullmakt.pdf", LinkKind.FORM),
        LinkDraft("Avgifter och zoner", "https://sjostad.example/zoner", LinkKind.INFORMATION),
    ]
    parking = {
        language: article_save(
            draft=ArticleDraft(
                title=TITLES[language],
                summary=SUMMARIES[language],
                body=BODY[language],
                language=language,
                owner_department=streets,
                translation_key="boendeparkering",
                visibility="public",
                links=links,
            ),
            by=None,
        )
        for language in ("sv", "nb", "en")
    }
    for language, title, summary in [
        ("sv", "Missad sophämtning", "Anmäl om soporna inte hämtades på din hämtdag."),
        ("sv", "Felparkerade bilar", "Så anmäler du en bil som står fel."),
        ("nb", "Glemt søppeltømming", "Meld fra hvis søppelet ikke ble hentet."),
        ("en", "Missed bin collection", "Tell us if your bin was not emptied."),
    ]:
        article_save(
            draft=ArticleDraft(
                title=title,
                summary=summary,
                language=language,
                owner_department=waste if "sop" in title or "bin" in title else streets,
                visibility="public",
            ),
            by=None,
        )
    return Answers(parking=parking, base=live_server.url)


def in_language(page: Page, base: str, language: str) -> None:
    """The resident chose this language before (Django's language cookie)."""
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])


def axe_violations(page: Page) -> list[dict]:
    # The page's CSP allows scripts of its own origin only: axe comes as if from there.
    url = page.url.split("/", 3)
    axe_url = f"{url[0]}//{url[2]}/__axe.min.js"
    page.route(axe_url, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=axe_url)
    return page.evaluate(RUN_AXE, WCAG_21_AA)


def readable(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for v in violations:
            lines.append(f"{where}: {v['id']} ({v['impact']}) {v['help']} – {v['url']}")
            lines.extend(
                f"    {n['target']}: {n['html'][:160]}\n      {n['why']}" for n in v["nodes"]
            )
    return "\n".join(lines)


def visit_every_page(page: Page, town: Answers, language: str, shot, name: str) -> dict:
    """The index, a search with results, one without, an article: axe's findings on each."""
    found = {}
    article = town.parking[language]
    pages = [
        ("index", "/answers/"),
        ("results", f"/answers/?q={QUERIES[language]}"),
        ("nothing", "/answers/?q=krokodilfarm"),
        ("article", f"/answers/{language}/{article.translation_key}/"),
    ]
    for kind, url in pages:
        page.goto(town.base + url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("h1")).to_have_count(1)
        shot(page, f"{name}-{kind}")
        violations = axe_violations(page)
        if violations:
            found[f"{language} {kind} {url}"] = violations
    return found


@pytest.mark.parametrize("language", ["sv", "nb", "en"])
def test_every_page_meets_wcag_21_aa(page: Page, answers, shot, browser_errors, language):
    in_language(page, answers.base, language)

    found = visit_every_page(page, answers, language, shot, f"answers-{language}")

    assert found == {}, "axe-core found WCAG 2.1 AA violations:\n" + readable(found)
    assert browser_errors == []


def test_at_320_px_nothing_scrolls_sideways_and_wcag_holds(
    page: Page, answers, shot, browser_errors
):
    page.set_viewport_size({"width": 320, "height": 720})
    in_language(page, answers.base, "sv")

    found = visit_every_page(page, answers, "sv", shot, "answers-320-sv")

    assert found == {}, "axe-core found WCAG 2.1 AA violations:\n" + readable(found)
    for url in ("/answers/", "/answers/sv/boendeparkering/", "/answers/?q=boendeparkering"):
        page.goto(answers.base + url)
        # Reflow (1.4.10): the page itself is never wider than the screen; a wide table
        # may scroll inside its own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
    assert browser_errors == []


def test_a_resident_searches_reads_and_switches_language_by_keyboard(
    page: Page, answers, shot, browser_errors
):
    # English pages (the browser asks for en-GB), so the words below stay as they are.
    page.goto(answers.base + "/answers/")

    # The first Tab reaches the skip link, which shows itself and leads to the content.
    page.keyboard.press("Tab")
    skip = page.locator(".ds-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    shot(page, "answers-skip-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{answers.base}/answers/#main")

    search = page.get_by_label("Search the answers")
    search.fill("parking zone")
    search.press("Enter")
    result = page.locator(".kt-public-results a", has_text="Residents' parking")
    expect(result.locator("mark")).to_have_text("parking")
    result.focus()
    shot(page, "answers-focus-on-result")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Residents' parking")
    button = page.get_by_role("link", name="E-service: Ansök om boendeparkering")
    expect(button).to_have_attribute("href", "https://e.sjostad.example/parkering")
    expect(page.get_by_role("link", name="Avgifter och zoner")).to_be_visible()
    expect(page.locator("nav[aria-labelledby=translations-heading] a")).to_have_count(2)

    # Change the language with the form: choosing alone does nothing, the button does.
    page.get_by_label("Language", exact=True).select_option("nb")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page).to_have_url(f"{answers.base}/answers/en/boendeparkering/")
    # The English answer now points the Norwegian reader to the Norwegian one.
    page.locator(".kt-public-notice a", has_text="Beboerparkering").click()
    expect(page.locator("h1")).to_have_text("Beboerparkering")
    expect(page.locator("h1")).to_have_attribute("lang", "nb")
    assert browser_errors == []


HOSTILE_BODY = """Vanlig text före.

<script>window.__pwned=1</script>

<img src=x onerror="window.__pwned=1">

<svg onload="alert('svg')"></svg>

<iframe src="javascript:alert('iframe')"></iframe>

[click](javascript:window.__pwned=1)

<a href="javascript:window.__pwned=1">raw link</a>

<a href="https://sjostad.example/" onclick="window.__pwned=1">onclick link</a>

[Alla svar](/answers/) och [kommunens webbplats](https://sjostad.example/).
"""


def test_script_in_an_article_never_runs(live_server, page: Page, shot, browser_errors):
    department = Department.objects.create(name="Trafikkontoret", code="trafik")
    article = article_save(
        draft=ArticleDraft(
            title="Parkering <script>window.__pwned=1</script>",
            summary="Parkering <img src=x onerror=\"alert('summary')\">",
            body=HOSTILE_BODY,
            language="sv",
            owner_department=department,
            visibility="public",
        ),
        by=None,
    )
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    in_language(page, live_server.url, "sv")
    url = f"{live_server.url}/answers/sv/{article.translation_key}/"

    page.goto(url)
    shot(page, "answers-hostile-article")
    prose = page.locator(".kt-public-prose")
    expect(prose).to_contain_text("Vanlig text före.")
    assert prose.locator("script, img, svg, iframe, [onerror], [onload], [onclick]").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    # What was a script is shown as text at most, never as an element.
    shown = prose.inner_text()
    assert "<script>window.__pwned=1</script>" in shown or "__pwned" not in shown
    expect(page.locator("h1")).to_have_text("Parkering <script>window.__pwned=1</script>")

    # Click every link of the text, and everything that looked like one before. A click on
    # a javascript: address would run in this page; the municipality's site is stubbed.
    page.route(
        "https://sjostad.example/**",
        lambda route: route.fulfill(content_type="text/html", body="<title>Sjöstad</title>"),
    )
    links = prose.locator("a")
    hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
    assert hrefs == ["/answers/", "https://sjostad.example/"]
    for index, href in enumerate(hrefs):
        assert href is not None
        page.goto(url)
        prose.locator("a").nth(index).click()
        expect(page).to_have_url(href if href.startswith("https:") else live_server.url + href)
        assert page.evaluate("typeof window.__pwned") == "undefined"
    page.goto(url)
    for words in ("[click](javascript:", "raw link", "onclick link"):
        prose.get_by_text(words).click()
        expect(page).to_have_url(url)
        assert page.evaluate("typeof window.__pwned") == "undefined"

    # Nor does the search run it when it quotes the text.
    page.goto(f"{live_server.url}/answers/?q=parkering+pwned")
    shot(page, "answers-hostile-search")
    expect(page.locator(".kt-public-results li")).to_have_count(1)
    assert page.locator("main script, main img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"

    assert dialogs == []
    assert browser_errors == [], json.dumps(browser_errors, indent=2)
