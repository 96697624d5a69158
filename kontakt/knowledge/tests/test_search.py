"""Search quality, on whichever database the suite runs on (SQLite's FTS5 or PostgreSQL)."""

import pytest
from django.db import connection

from kontakt.cases.tests.factories import CaseTypeFactory
from kontakt.knowledge import selectors, services
from kontakt.knowledge.models import Article, SearchGap

from .factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(department_a) -> dict[str, Article]:
    """A small knowledge base in Swedish, Norwegian and English."""
    d = department_a
    return {
        "bygglov": make_article(
            "När behöver jag bygglov?",
            "Du behöver bygglov för att bygga nytt eller bygga till.",
            "Ansök i e-tjänsten. Handläggningstiden är tio veckor.",
            department=d,
        ),
        "altan": make_article(
            "Bygga en altan",
            "En låg altan kräver inget lov.",
            "Är altanen högre än 1,2 meter kan den kräva lov.",
            department=d,
        ),
        "karl": make_article(
            "Byta avfallskärl",
            "Du kan byta kärlet till ett större eller mindre.",
            "Beställ i e-tjänsten Avfallsabonnemang.",
            department=d,
        ),
        "faktura": make_article(
            "Frågor om fakturan",
            "Har du fått en faktura du inte förstår?",
            "Ring Ekonomiservice.",
            department=d,
        ),
        "ansokan": make_article(
            "Ansökan om hemtjänst",
            "Så ansöker du om hjälp i hemmet.",
            "Skicka in ansökningen till biståndshandläggaren.",
            department=d,
        ),
        "barnehage": make_article(
            "Søke barnehageplass",
            "Du søker barnehageplass på Min side.",
            "Hovedopptaket har frist 1. mars. Barnehagen gir svar i april.",
            language="nb",
            department=d,
        ),
        "byggesak": make_article(
            "Byggesøknad for garasje",
            "En garasje over 50 kvadratmeter krever byggesøknad.",
            "Send byggesøknaden digitalt.",
            language="nb",
            department=d,
        ),
        "bin_en": make_article(
            "Changing your waste bin",
            "You can order a larger or smaller bin.",
            "Use the e-service.",
            language="en",
            department=d,
            translation_key="byta-avfallskarl",
        ),
        "internal": make_article(
            "Rutin: lovfrågor i telefon",
            "Intern rutin för samtal om bygglov.",
            "Koppla till handläggaren.",
            department=d,
            visibility="internal",
        ),
    }


def titles(user, query: str, **options) -> list[str]:
    result = selectors.article_search(user=user, query=query, **options)
    return [hit.article.title for hit in result.hits]


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("bygglovet", "sv", "När behöver jag bygglov?"),
        ("bygglov", "sv", "När behöver jag bygglov?"),
        ("altanen", "sv", "Bygga en altan"),
        ("altan", "sv", "Bygga en altan"),
        ("kärl", "sv", "Byta avfallskärl"),
        ("kärlen", "sv", "Byta avfallskärl"),
        ("fakturor", "sv", "Frågor om fakturan"),
        ("fakturan", "sv", "Frågor om fakturan"),
        ("ansökan hemtjänst", "sv", "Ansökan om hemtjänst"),
        ("ansökningar", "sv", "Ansökan om hemtjänst"),
        ("barnehageplassen", "nb", "Søke barnehageplass"),
        ("barnehage", "nb", "Søke barnehageplass"),
        ("byggesøknaden", "nb", "Byggesøknad for garasje"),
        ("bins", "en", "Changing your waste bin"),
    ],
)
def test_inflected_forms_find_their_article_first(library, agent, query, language, expected):
    assert titles(agent, query, language=language)[0] == expected


def test_a_typed_question_finds_its_article_in_the_first_three(library, agent):
    assert "Bygga en altan" in titles(agent, "Behöver jag bygglov för altanen?", language="sv")[:3]
    assert (
        "Søke barnehageplass" in titles(agent, "hvordan søke plass i barnehagen", language="nb")[:3]
    )


def test_synonyms_from_the_admin_are_searched(library, agent):
    assert "Byta avfallskärl" not in titles(agent, "soptunna", language="sv")
    services.synonym_save(words="soptunna, avfallskärl", language="sv")
    assert titles(agent, "soptunna", language="sv")[0] == "Byta avfallskärl"
    bhg = services.synonym_save(words="barnehage, bhg", language="")
    assert titles(agent, "bhg", language="nb") == ["Søke barnehageplass"]
    # The groups are cached; deleting one (as the admin does) is seen at once.
    services.synonym_delete(synonym=bhg)
    assert titles(agent, "bhg", language="nb") == []


@pytest.mark.parametrize(
    ("typo", "expected"),
    [("byggglov", "När behöver jag bygglov?"), ("barnehageplas", "Søke barnehageplass")],
)
def test_a_typo_finds_the_article_by_a_correction(library, agent, typo, expected):
    result = selectors.article_search(user=agent, query=typo)
    assert expected in [hit.article.title for hit in result.hits][:3]
    assert result.corrections, connection.vendor


def test_internal_articles_never_reach_residents(library, agent):
    assert "Rutin: lovfrågor i telefon" in titles(agent, "bygglov", language="sv")
    for resident in (None,):
        found = titles(resident, "bygglov rutin telefon", language="sv")
        assert "Rutin: lovfrågor i telefon" not in found
        assert "När behöver jag bygglov?" in found


def test_drafts_and_archived_articles_are_not_found(library, agent):
    services.article_save(
        draft=services.ArticleDraft(
            title="Utkast om bygglov",
            summary="Inte klart",
            language="sv",
            owner_department=library["bygglov"].owner_department,
            status="draft",
        ),
        by=None,
    )
    assert "Utkast om bygglov" not in titles(agent, "bygglov")


def scores(user, query: str, **options) -> dict[str, float]:
    result = selectors.article_search(user=user, query=query, **options)
    return {hit.article.title: hit.score for hit in result.hits}


def test_the_contacts_case_type_and_closed_contacts_rank_higher(library, agent, department_a):
    permit = CaseTypeFactory(code="bygglov", name="Bygglov", department=department_a)
    garden = make_article("Bygglov för plank", "Plank kräver bygglov.", department=department_a)
    garden.case_types.set([permit])
    plain = scores(agent, "bygglov", language="sv")
    boosted = scores(agent, "bygglov", language="sv", case_type=permit)
    assert boosted["Bygglov för plank"] == pytest.approx(plain["Bygglov för plank"] * 1.5)
    assert boosted["När behöver jag bygglov?"] == plain["När behöver jag bygglov?"]
    assert titles(agent, "bygglov", language="sv", case_type=permit)[0] == "Bygglov för plank"
    Article.objects.filter(pk=library["bygglov"].pk).update(closed_contacts=40)
    assert titles(agent, "bygglov", language="sv")[0] == "När behöver jag bygglov?"
    Article.objects.filter(pk=garden.pk).update(closed_contacts=400)
    assert titles(agent, "bygglov", language="sv")[0] == "Bygglov för plank"


def test_one_hit_per_answer_in_the_preferred_language(library, agent):
    # The Swedish and English bin articles are translations of one answer.
    library["karl"].translation_key = "byta-avfallskarl"
    library["karl"].save(update_fields=["translation_key"])
    found = selectors.article_search(user=agent, query="bin avfallskärl", prefer_language="en")
    keys = [hit.article.translation_key for hit in found.hits]
    assert keys.count("byta-avfallskarl") == 1
    assert found.hits[keys.index("byta-avfallskarl")].article.language == "en"


def test_a_pinned_article_tops_every_search(library, agent, supervisor):
    services.article_pin(article=library["faktura"], by=supervisor)
    result = selectors.article_search(user=agent, query="bygglov", language="sv")
    assert result.hits[0].article == library["faktura"] and result.hits[0].pinned
    assert result.hits[1].article == library["bygglov"]
    assert not result.found_nothing
    nothing = selectors.article_search(user=agent, query="zebra", language="sv")
    assert [hit.article for hit in nothing.hits] == [library["faktura"]]
    assert nothing.found_nothing
    services.article_unpin(article=library["faktura"], by=supervisor)
    assert selectors.article_search(user=agent, query="zebra", language="sv").hits == []


def test_matching_words_are_highlighted_and_the_rest_escaped(library, agent, department_a):
    make_article("Tecken <b>&</b> altaner", "Om <script> och altanen.", department=department_a)
    hit = selectors.article_search(user=agent, query="altan", language="sv").hits[0]
    assert "<mark>altan</mark>" in hit.title_html or "<mark>altaner</mark>" in hit.title_html
    assert "<script>" not in hit.snippet_html and "<b>" not in hit.title_html


def test_an_edit_is_searchable_at_once_and_the_old_words_are_gone(library, agent):
    article = library["faktura"]
    draft = services.ArticleDraft(
        title="Frågor om räkningen",
        summary="Om räkningar från kommunen.",
        language="sv",
        owner_department=article.owner_department,
        visibility="public",
    )
    services.article_save(draft=draft, article=article, by=None)
    assert "Frågor om räkningen" in titles(agent, "räkning")
    assert "Frågor om räkningen" not in titles(agent, "fakturan", language="sv")


def test_a_deleted_article_leaves_the_index(library, agent, administrator):
    services.article_delete(article=library["altan"], by=administrator)
    assert "Bygga en altan" not in titles(agent, "altan")


def test_searches_that_found_nothing_are_counted(agent, parking_type):
    services.search_gap_record(query="Båtplats  i hamnen", language="sv", case_type=None)
    services.search_gap_record(query="båtplats i hamnen", language="sv", case_type=None)
    services.search_gap_record(query="båtplats i hamnen", language="sv", case_type=parking_type)
    gaps = {(g.query, g.case_type_id): g.count for g in SearchGap.objects.all()}
    assert gaps == {("båtplats i hamnen", None): 2, ("båtplats i hamnen", parking_type.pk): 1}


@pytest.mark.parametrize("query", ["", "   ", "och att", "\"'*()NEAR:^", "a" * 500, "x\u0301 ü ß"])
def test_odd_queries_find_nothing_or_something_but_never_fail(library, agent, query):
    selectors.article_search(user=agent, query=query)


def test_a_query_without_a_language_is_searched_in_the_language_it_is_written_in(library, agent):
    # "inte" would start English "intend" and Norwegian "intern": a Swedish question
    # searches the Swedish articles.
    make_article(
        "Internal phone routine", "We intend to answer within a day.", language="en",
        department=library["karl"].owner_department,
    )  # fmt: skip
    swedish = selectors.article_search(user=agent, query="kärlet har inte tömts")
    assert {hit.article.language for hit in swedish.hits} == {"sv"}
    norwegian = selectors.article_search(user=agent, query="søke plass i barnehagen")
    assert norwegian.hits[0].article.title == "Søke barnehageplass"
    assert {hit.article.language for hit in norwegian.hits} == {"nb"}
    # Known in no language (a typo): every language is tried, with corrections.
    assert "Søke barnehageplass" in titles(agent, "barnehageplas")


def test_a_rare_word_is_not_lost_among_many_matches_of_a_common_one(agent, department_a):
    for n in range(50):
        make_article(
            f"Bygglov för sak {n}", "Om bygglov, bygglov och bygglov.", department=department_a
        )
    make_article(
        "Växthus på tomten", "Ett litet växthus kräver inget bygglov.", department=department_a
    )
    assert titles(agent, "behöver växthuset bygglov", language="sv")[0] == "Växthus på tomten"


def test_an_unrelated_word_gets_no_far_fetched_correction(library, agent):
    result = selectors.article_search(user=agent, query="cryptocurrency mining", language="en")
    assert result.corrections == {} and result.found_nothing


def test_residents_get_no_corrections_from_internal_articles(library, agent):
    make_article(
        "Procedure", "Only for staff.", language="en", visibility="internal",
        department=library["karl"].owner_department,
    )  # fmt: skip
    assert selectors.article_search(user=agent, query="proceduer", language="en").corrections
    resident = selectors.article_search(user=None, query="proceduer", language="en")
    assert resident.corrections == {} and resident.hits == []


def test_only_stop_words_search_nothing_and_report_no_gap(library, agent):
    result = selectors.article_search(user=agent, query="och att det", language="sv")
    assert not result.searched and result.hits == []
