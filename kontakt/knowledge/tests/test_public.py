"""The residents' pages: public answers only, searchable, in the resident's language."""

import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kontakt.directory.tests.factories import DepartmentFactory
from kontakt.knowledge.models import ArticleLink, LinkKind
from kontakt.knowledge.services import ArticleDraft, LinkDraft, article_save

pytestmark = pytest.mark.django_db

# Session and user cost nothing for a visitor without a cookie: the index asks which
# language to show (1) and reads the articles with their departments (1).
INDEX_PAGE = 2
ARTICLE_PAGE = 3  # the article, its links, its translations


def answer(department, title, *, language="sv", visibility="public", status="published", **more):
    """An article saved as an author would, public and published unless told."""
    return article_save(
        draft=ArticleDraft(
            title=title,
            summary=more.pop("summary", f"Kort om {title.lower()}."),
            language=language,
            owner_department=department,
            visibility=visibility,
            status=status,
            **more,
        ),
        by=None,
    )


def visit(client: Client, url: str, language: str = "sv", **params: str):
    """The page as a browser asking for `language` gets it. Tests that read the page's own
    words ask for English, so they hold whatever the Swedish and Norwegian catalogues say."""
    return client.get(url, params, headers={"accept-language": language})


def text(response) -> str:
    """The page's words, without tags, as a reader sees them."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def titles_listed(response) -> list[str]:
    return [
        article.title
        for department in response.context["departments"]
        for article in department.articles
    ]


# The index ---------------------------------------------------------------------------------


def test_the_index_lists_the_public_answers_of_the_language_by_department(
    client, department_a, department_b
):
    answer(department_b, "Hemtjänst")
    answer(department_a, "Parkeringstillstånd")
    answer(department_a, "Boendeparkering")
    answer(department_a, "Felparkering", visibility="internal")
    answer(department_a, "Snöröjning", status="draft")
    answer(department_a, "Vinterväghållning", status="archived")
    answer(department_a, "Parkering", language="nb", translation_key="parkeringstillstand")

    response = visit(client, "/answers/")

    assert response.status_code == 200
    groups = [(d.name, [a.title for a in d.articles]) for d in response.context["departments"]]
    assert groups == [
        ("Gatu- och parkförvaltningen", ["Boendeparkering", "Parkeringstillstånd"]),
        ("Socialförvaltningen", ["Hemtjänst"]),
    ]
    words = text(response)
    for hidden in ("Felparkering", "Snöröjning", "Vinterväghållning"):
        assert hidden not in words
    assert 'href="/answers/sv/boendeparkering/"' in response.content.decode()


def test_the_index_is_in_the_alphabet_of_the_language(client):
    for name, code in [("Överförmyndaren", "overformyndare"), ("Äldreomsorgen", "aldre")]:
        answer(DepartmentFactory(name=name, code=code), f"Fråga till {name}")
    environment = DepartmentFactory(name="Återvinningscentralen", code="atervinning")
    for title in ("Ödeläggelse", "ärende", "Återvinning", "avfall", "Zon"):
        answer(environment, title)

    response = visit(client, "/answers/", "sv")

    names = [department.name for department in response.context["departments"]]
    assert names == ["Återvinningscentralen", "Äldreomsorgen", "Överförmyndaren"]
    assert response.context["departments"][0].articles[0].title == "avfall"
    assert [a.title for a in response.context["departments"][0].articles] == [
        "avfall",
        "Zon",
        "Återvinning",
        "ärende",
        "Ödeläggelse",
    ]


def test_without_answers_in_the_residents_language_the_first_language_is_shown(
    client, department_a
):
    answer(department_a, "Parkeringstillstånd")

    response = visit(client, "/answers/", "en")

    assert response.context["language"] == "sv"
    assert titles_listed(response) == ["Parkeringstillstånd"]
    assert (
        "There are no answers in your language yet. Language of the answers below: Swedish."
        in text(response)
    )
    # The Swedish titles are marked as Swedish on the English page.
    assert '<li lang="sv">' in response.content.decode()


def test_a_signed_in_staff_member_sees_only_public_answers_here_too(
    client_for, supervisor, department_a
):
    answer(department_a, "Parkeringstillstånd")
    answer(department_a, "Rutin vid hot", visibility="internal")

    client = client_for(supervisor)
    listed = visit(client, "/answers/")
    found = visit(client, "/answers/", q="rutin hot")

    assert titles_listed(listed) == ["Parkeringstillstånd"]
    assert "Rutin vid hot" not in text(found)
    assert found.context["result"].found_nothing


def test_the_index_has_no_staff_navigation(client, department_a):
    answer(department_a, "Parkeringstillstånd")

    body = visit(client, "/answers/").content.decode()

    assert 'class="kt-nav"' not in body
    for staff_page in ("/desk/", "/queue/", "/cases/", "/admin/", "/staffing/", "/login/"):
        assert f'href="{staff_page}' not in body


# Search -----------------------------------------------------------------------------------


def test_search_finds_a_public_answer_and_never_an_internal_one(client, department_a):
    answer(
        department_a,
        "Parkeringstillstånd för boende",
        summary="Så ansöker du om parkeringstillstånd.",
        body="Ansök i e-tjänsten. Tillståndet gäller ett år.",
    )
    answer(
        department_a,
        "Parkeringstillstånd för boende, intern rutin",
        summary="Så handlägger vi parkeringstillstånd för boende.",
        body="Kontrollera folkbokföringen. Tillståndet gäller ett år.",
        visibility="internal",
        translation_key="intern-parkering",
    )
    answer(
        department_a,
        "Parkeringstillstånd utkast",
        summary="Parkeringstillstånd för boende, nytt.",
        status="draft",
        translation_key="utkast-parkering",
    )

    response = visit(client, "/answers/", "en", q="parkeringstillstånd boende")

    assert response.status_code == 200
    assert [hit.article.title for hit in response.context["hits"]] == [
        "Parkeringstillstånd för boende"
    ]
    words = text(response)
    assert "intern rutin" not in words
    assert "folkbokföringen" not in words
    assert "utkast" not in words
    body = response.content.decode()
    assert "<mark>Parkeringstillstånd</mark>" in body
    assert 'href="/answers/sv/parkeringstillstand-for-boende/"' in body
    assert "1 answer for “parkeringstillstånd boende”" in words


def test_search_keeps_to_the_residents_language(client, department_a):
    answer(department_a, "Parkeringstillstånd", body="Parkering för boende.")
    answer(
        department_a,
        "Parkeringstillatelse",
        language="nb",
        body="Parkering for beboere.",
        translation_key="parkeringstillstand",
    )

    swedish = visit(client, "/answers/", "sv", q="parkering")
    norwegian = visit(client, "/answers/", "nb", q="parkering")

    assert [h.article.language for h in swedish.context["hits"]] == ["sv"]
    assert [h.article.language for h in norwegian.context["hits"]] == ["nb"]


def test_nothing_found_offers_the_contact_centers_phone_and_email(client, department_a, settings):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "MUNICIPALITY_NAME": "Sjöstads kommun",
        "CENTER_PHONE": "0910-73 50 00",
        "CENTER_EMAIL": "kontakt@sjostad.example",
    }
    answer(department_a, "Parkeringstillstånd")

    response = visit(client, "/answers/", "en", q="krokodil")

    assert response.status_code == 200
    assert response.context["result"].found_nothing
    words = text(response)
    assert "Nothing found for “krokodil”" in words
    assert "Call us: 0910-73 50 00" in words
    assert "Write to us: kontakt@sjostad.example" in words
    body = response.content.decode()
    assert 'href="tel:0910735000"' in body
    assert 'href="mailto:kontakt@sjostad.example"' in body
    assert "Sjöstads kommun" in words


def test_without_a_phone_or_email_in_the_settings_none_is_shown(client, department_a, settings):
    settings.KONTAKT = {
        key: value
        for key, value in settings.KONTAKT.items()
        if key not in ("CENTER_PHONE", "CENTER_EMAIL")
    }

    response = visit(client, "/answers/", "en", q="krokodil")

    assert response.status_code == 200
    body = response.content.decode()
    assert "tel:" not in body
    assert "mailto:" not in body
    assert "Call or write to" in text(response)


def test_the_query_is_shown_as_text_never_as_markup(client, department_a):
    answer(department_a, "Parkeringstillstånd")

    response = visit(client, "/answers/", q='<script>alert("x")</script> "><img src=x>')

    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body
    assert "<img src=x>" not in body
    assert "&lt;script&gt;alert" in body


ODD_QUERIES = [
    "x" * 10_000,
    "parkering\x00",
    "\x00",
    "\x00' OR 1=1 --",
    '"unterminated',
    "NEAR(a b) AND OR NOT * ^ :",
    "title:parkering",
    "%_\\",
    "()[]{}",
    "😀 ﷽ \u202e\u200b",
    "  ",
    "å" * 300,
]


@pytest.mark.parametrize("query", ODD_QUERIES, ids=range(len(ODD_QUERIES)))
def test_odd_queries_never_fail(client, department_a, query):
    answer(department_a, "Parkeringstillstånd", body="Parkering för boende.")

    response = visit(client, "/answers/", q=query)

    assert response.status_code == 200
    assert "\x00" not in response.content.decode()
    assert len(response.context["query"]) <= 200


@given(query=st.text(max_size=250))
def test_any_query_gets_a_page(client, department_a, query):
    response = client.get("/answers/", {"q": query})
    assert response.status_code == 200


def test_several_q_parameters_take_the_last(client, department_a):
    answer(department_a, "Parkeringstillstånd")

    response = client.get(
        "/answers/?q=krokodil&q=parkeringstillst%C3%A5nd", headers={"accept-language": "sv"}
    )

    assert response.context["query"] == "parkeringstillstånd"


# The article page ------------------------------------------------------------------------


def test_a_public_article_has_its_page(client, department_a):
    article = answer(
        department_a,
        "Parkeringstillstånd för boende",
        summary="Boende i innerstaden kan få parkeringstillstånd.",
        body="## Vem kan ansöka?\n\nDu som är **folkbokförd** i zonen.",
        links=[
            LinkDraft("Ansök om parkeringstillstånd", "https://e.sjostad.example/parkering"),
            LinkDraft("Blankett", "https://sjostad.example/blankett.pdf", LinkKind.FORM),
            LinkDraft("Karta över zonerna", "https://sjostad.example/zoner", LinkKind.INFORMATION),
        ],
    )

    response = visit(client, f"/answers/sv/{article.translation_key}/", "en")

    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r"<h1[^>]*>Parkeringstillstånd för boende</h1>", body)
    assert "Boende i innerstaden kan få parkeringstillstånd." in body
    assert "<h2>Vem kan ansöka?</h2>" in body
    assert "<strong>folkbokförd</strong>" in body
    assert re.search(r'class="ds-button"[^>]*href="https://e.sjostad.example/parkering"', body)
    words = text(response)
    assert "E-service: Ansök om parkeringstillstånd" in words
    assert "Form: Blankett" in words
    assert "Karta över zonerna (More information)" in words
    assert "Last updated" in words
    # The page says the municipality's date (near midnight it is not UTC's).
    assert f'<time datetime="{timezone.localtime(article.updated_at):%Y-%m-%d}">' in body
    assert 'href="/answers/"' in body  # back to search


def test_an_address_that_is_no_web_address_never_becomes_a_link(client, department_a):
    article = answer(department_a, "Parkeringstillstånd")
    ArticleLink.objects.create(article=article, label="Klicka", url="javascript:alert(1)")

    response = visit(client, f"/answers/sv/{article.translation_key}/")

    assert "javascript:" not in response.content.decode()


def test_script_in_an_article_body_is_text_at_most(client, department_a):
    article = answer(
        department_a,
        "Parkeringstillstånd",
        body=(
            "<script>window.__pwned=1</script>\n\n"
            '<img src=x onerror="window.__pwned=1">\n\n'
            "[klicka](javascript:window.__pwned=1)"
        ),
    )

    body = visit(client, f"/answers/sv/{article.translation_key}/").content.decode()

    assert "<script>window" not in body
    assert "<img" not in body
    assert 'href="javascript:' not in body


@pytest.mark.parametrize(
    ("visibility", "status"),
    [("internal", "published"), ("public", "draft"), ("public", "archived")],
)
def test_an_article_that_is_not_public_is_not_found(client, department_a, visibility, status):
    article = answer(
        department_a, "Rutin vid hot", visibility=visibility, status=status, body="Hemligt."
    )

    response = visit(client, f"/answers/sv/{article.translation_key}/", "en")

    assert response.status_code == 404
    assert "Rutin vid hot" not in text(response)
    assert "Hemligt" not in text(response)
    assert "We could not find that answer" in text(response)


@pytest.mark.parametrize(
    "url",
    [
        "/answers/nb/parkeringstillstand/",  # it exists in Swedish only
        "/answers/xx/parkeringstillstand/",
        "/answers/sv/finns-inte/",
        "/answers/SV/parkeringstillstand/",
    ],
)
def test_a_wrong_language_or_key_is_not_found(client, department_a, url):
    answer(department_a, "Parkeringstillstånd")

    assert visit(client, url).status_code == 404


def test_the_other_public_languages_are_linked(client, department_a):
    swedish = answer(department_a, "Parkeringstillstånd", translation_key="parkering")
    answer(department_a, "Parkeringstillatelse", language="nb", translation_key="parkering")
    answer(
        department_a,
        "Parking permit",
        language="en",
        translation_key="parkering",
        visibility="internal",
    )

    response = visit(client, "/answers/sv/parkering/", "sv")

    assert [t.language for t in response.context["translations"]] == ["nb"]
    body = response.content.decode()
    assert 'href="/answers/nb/parkering/" hreflang="nb" lang="nb"' in body
    assert "Parkeringstillatelse" in body
    assert "/answers/en/parkering/" not in body
    assert "Parking permit" not in body
    assert swedish.title in body


def test_a_resident_reading_another_language_is_pointed_to_their_own(client, department_a):
    answer(department_a, "Parkeringstillstånd", translation_key="parkering")
    answer(department_a, "Parkeringstillatelse", language="nb", translation_key="parkering")

    response = visit(client, "/answers/sv/parkering/", "nb")

    assert response.context["in_your_language"].language == "nb"
    # The page is Norwegian, the answer on it Swedish, and both are marked so.
    body = response.content.decode()
    assert '<html lang="nb"' in body
    assert re.search(r'<h1[^>]*lang="sv"[^>]*>Parkeringstillstånd</h1>', body)


# Languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "skip_link", "search"),
    [
        ("sv", "Hoppa till innehållet", "Sök"),
        ("nb", "Hopp til innholdet", "Søk"),
        ("en", "Skip to content", "Search"),
    ],
)
def test_the_pages_are_in_the_residents_language(client, department_a, language, skip_link, search):
    article = answer(department_a, "Parkeringstillstånd")

    for url in ("/answers/", f"/answers/sv/{article.translation_key}/"):
        by_header = visit(client, url, language)
        assert f'<html lang="{language}"' in by_header.content.decode()
        assert skip_link in text(by_header)
        assert by_header.context["LANGUAGE_CODE"] == language

    by_cookie = Client()
    by_cookie.cookies["django_language"] = language
    response = by_cookie.get("/answers/", headers={"accept-language": "de"})
    assert f'<html lang="{language}"' in response.content.decode()
    assert f">{search}</button>" in response.content.decode()


def test_the_language_switcher_changes_the_language_and_returns_to_the_page(client, department_a):
    article = answer(department_a, "Parkeringstillstånd")
    url = f"/answers/sv/{article.translation_key}/"
    form = visit(client, url, "en").content.decode()
    assert re.search(r'<label class="ds-label" for="language">Language</label>', form)
    assert "onchange" not in form
    assert re.search(
        r'<input name="next" type="hidden" value="/answers/sv/parkeringstillstand/">', form
    )

    switched = client.post("/i18n/setlang/", {"language": "nb", "next": url})

    assert switched.status_code == 302
    assert switched["Location"] == url
    assert '<html lang="nb"' in client.get(url).content.decode()


# Query counts -----------------------------------------------------------------------------


def test_the_index_reads_a_fixed_number_of_queries(
    client, department_a, department_b, django_assert_num_queries
):
    answer(department_a, "Parkeringstillstånd")
    with django_assert_num_queries(INDEX_PAGE):
        visit(client, "/answers/")
    for number in range(30):
        answer(department_a if number % 2 else department_b, f"Fråga {number}")
    with django_assert_num_queries(INDEX_PAGE):
        response = visit(client, "/answers/")
    assert len(titles_listed(response)) == 31


def test_the_article_page_reads_a_fixed_number_of_queries(
    client, department_a, django_assert_num_queries
):
    links = [LinkDraft(f"Tjänst {n}", f"https://e.sjostad.example/{n}") for n in range(5)]
    answer(department_a, "Parkeringstillstånd", translation_key="parkering", links=links)
    answer(department_a, "Parkeringstillatelse", language="nb", translation_key="parkering")
    answer(department_a, "Parking permit", language="en", translation_key="parkering")

    with django_assert_num_queries(ARTICLE_PAGE):
        response = visit(client, "/answers/sv/parkering/")
    assert len(response.context["links"]) == 5
