"""The query plan and highlighting of the knowledge-base search, without a database."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontakt.core import text_search as ts

# Forms the Snowball Swedish stemmer leaves apart (https://snowballstem.org/algorithms/swedish/
# stemmer.html has no rule for -et or a definite -n after a vowel), found by the roots.
DEFINITE_FORMS = [
    ("sv", "kärlet", "kärl"),
    ("sv", "soptunnan", "soptunna"),
    ("sv", "fakturan", "faktura"),
    ("sv", "bygglovet", "bygglov"),
    ("sv", "altanen", "altan"),
    ("sv", "tomterna", "tomt"),
    ("nb", "barnehagen", "barnehage"),
    ("nb", "søppeldunken", "søppeldunk"),
    ("nb", "regningene", "regning"),
    ("en", "permits", "permit"),
]


@pytest.mark.parametrize(("language", "inflected", "base"), DEFINITE_FORMS)
def test_a_definite_or_plural_form_matches_its_base_word(
    language: str, inflected: str, base: str
) -> None:
    (term,) = ts.parse_query(inflected, language)
    assert ts.matched_terms([term], f"Om {base} och annat", language) == {0}


@pytest.mark.parametrize(("language", "inflected", "base"), DEFINITE_FORMS)
def test_a_base_word_matches_its_definite_form_as_a_prefix(
    language: str, inflected: str, base: str
) -> None:
    (term,) = ts.parse_query(base, language)
    assert ts.matched_terms([term], f"Om {inflected} här", language) == {0}


def test_stop_words_and_repeats_are_no_terms() -> None:
    terms = ts.parse_query("Hur gör jag om kärlet, kärlet?", "sv")
    assert [t.word for t in terms] == ["gör", "kärlet"]
    assert ts.parse_query("och det att", "sv") == []


def test_a_query_has_at_most_ten_terms() -> None:
    assert len(ts.parse_query(" ".join(f"ord{i}" for i in range(30)), "sv")) == ts.MAX_TERMS


def test_roots_keep_at_least_three_letters() -> None:
    assert ts.roots("ett", "sv") == []
    assert ts.roots("kärlen", "sv") == ["kärl", "kärle"]
    assert ts.roots("whatever", "xx") == []


def test_synonyms_join_the_term_they_share_a_word_with() -> None:
    synonyms = ts.synonym_map([["soptunna", "avfallskärl"]], "sv")
    (term,) = ts.parse_query("soptunnan", "sv", synonyms)
    assert ts.Alternative("avfallskärl", prefix=True) in term.alternatives
    assert ts.matched_terms([term], "Byt avfallskärl i e-tjänsten", "sv") == {0}
    (plain,) = ts.parse_query("soptunnan", "sv")
    assert ts.matched_terms([plain], "Byt avfallskärl i e-tjänsten", "sv") == set()


def test_a_synonym_group_of_phrases_keeps_its_single_words_only() -> None:
    assert ts.synonym_map([["bhg", "barne hage", "barnehage"]], "nb")["bhg"] == ["barnehage"]


def test_corrections_become_exact_alternatives() -> None:
    (term,) = ts.with_corrections(ts.parse_query("byggloov", "sv"), {"byggloov": ["bygglov"]})
    assert ts.Alternative("bygglov", prefix=False, weight=ts.CORRECTION_WEIGHT) in term.alternatives


def test_the_fts5_query_is_stemmed_and_quoted() -> None:
    terms = ts.parse_query('kärlet "OR" NEAR(', "sv")
    query = ts.fts5_query(terms, "sv")
    # "kärle" stems to "kärl" and is asked once; a two-letter word is no prefix.
    assert query == '("kärlet"* OR "kärl") OR ("or") OR ("near"*)'


def test_the_tsquery_leaves_stemming_to_postgresql() -> None:
    assert ts.tsquery(ts.parse_query("kärlet", "sv")) == "('kärlet':* | 'kärl' | 'kärle')"


def test_relevance_prefers_all_terms_and_the_title() -> None:
    terms = ts.parse_query("bygglov altan", "sv")
    both_in_title = [ts.Field("title", "Bygglov för altan", 3)]
    both_in_body = [ts.Field("title", "Om att bygga", 3), ts.Field("body", "bygglov altan", 1)]
    one_in_title = [ts.Field("title", "Bygglov", 3)]
    scores = [
        ts.relevance(terms, fields, "sv") for fields in (both_in_title, both_in_body, one_in_title)
    ]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 6.0  # 3 + 3, every term found
    assert scores[2] == 0.75  # 3 × (1/2)²
    assert ts.relevance([], both_in_title, "sv") == 0.0


def test_highlight_marks_matching_words_and_escapes_the_rest() -> None:
    terms = ts.parse_query("kärl", "sv")
    html = ts.highlight("<b>Kärlet</b> & kärlen", terms, "sv")
    assert html == "&lt;b&gt;<mark>Kärlet</mark>&lt;/b&gt; &amp; <mark>kärlen</mark>"


def test_highlight_with_a_window_quotes_the_passage_with_the_matches() -> None:
    text = " ".join(["ord"] * 50 + ["altanen"] + ["ord"] * 50)
    html = ts.highlight(text, ts.parse_query("altan", "sv"), "sv", window=10)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>altanen</mark>" in html
    assert len(html.split()) <= 12


@given(st.text(max_size=200), st.text(max_size=60))
def test_highlight_never_lets_markup_through(text: str, query: str) -> None:
    html = ts.highlight(text, ts.parse_query(query, "sv"), "sv", window=20)
    without_marks = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks


@given(st.text(max_size=300))
def test_any_query_gives_safe_engine_syntax(query: str) -> None:
    terms = ts.parse_query(query, "nb")
    fts = ts.fts5_query(terms, "nb")
    # Every word is quoted: FTS5 sees no operator, column filter or syntax of the user's.
    assert (
        re.sub(r'"[^"]*"\*?', "", fts).replace("(", "").replace(")", "").replace("OR", "").strip()
        == ""
    )
    assert "\\" not in ts.tsquery(terms)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    # Reference values: PostgreSQL 15's pg_trgm, SELECT similarity(a, b).
    [
        ("byggloov", "bygglov", 0.7),
        ("slänga", "säga", 0.2),
        ("slänga", "stängda", 0.15384616),
        ("barnehageplas", "barnehageplass", 0.8125),
    ],
)
def test_trigram_similarity_is_pg_trgms(a: str, b: str, expected: float) -> None:
    assert ts.trigram_similarity(a, b) == pytest.approx(expected, abs=1e-6)


def test_a_document_matched_only_by_a_correction_ranks_below_a_real_match() -> None:
    terms = ts.with_corrections(ts.parse_query("slänga soffa", "sv"), {"slänga": ["säga"]})
    by_correction = [ts.Field("title", "Säga upp platsen", 3.0)]
    by_word = [ts.Field("title", "Grovavfall: soffa och möbler", 3.0)]
    assert ts.relevance(terms, by_correction, "sv") == pytest.approx(3.0 * 0.6 / 4)
    assert ts.relevance(terms, by_word, "sv") > ts.relevance(terms, by_correction, "sv")


def test_a_single_letter_is_no_term_but_a_digit_is() -> None:
    assert [t.word for t in ts.parse_query("e-faktura 2 x", "sv")] == ["faktura", "2"]


def test_every_term_or_any_term() -> None:
    terms = ts.parse_query("altan tak", "sv")
    assert " AND " in ts.fts5_query(terms, "sv", every=True)
    assert " & " in ts.tsquery(terms, every=True)
    assert " OR " in ts.fts5_query(terms, "sv") and " | " in ts.tsquery(terms)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    # Reference values: Wikipedia, "Damerau–Levenshtein distance" (optimal string
    # alignment: CA → ABC is 3) and "Levenshtein distance" (kitten → sitting is 3).
    [("kitten", "sitting", 3), ("ca", "abc", 3), ("julgarn", "julgran", 1), ("kärl", "kärl", 0)],
)
def test_edit_distance_is_the_optimal_string_alignment(a: str, b: str, distance: int) -> None:
    assert ts.edit_distance(a, b, limit=5) == distance
    assert ts.edit_distance(a, b, limit=0) == min(distance, 1)


@pytest.mark.parametrize(
    ("typo", "candidates", "expected"),
    [
        ("julgarn", ["julgran", "julbord"], ["julgran"]),  # a swap: few shared trigrams
        ("allotmnet", ["allotment"], ["allotment"]),
        ("byggloov", ["bygglov", "byggnad"], ["bygglov"]),
        ("mining", ["missing", "morning"], []),  # two slips in a short word: no correction
        ("slänga", ["säga", "stängda"], []),
    ],
)
def test_closest_words_take_slips_not_other_words(
    typo: str, candidates: list[str], expected: list[str]
) -> None:
    assert ts.closest_words(typo, candidates) == expected
