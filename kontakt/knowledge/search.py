"""The article search index on each engine: writing an article into it, and asking it.

SQLite: an FTS5 table holds each article's stemmed text (stemmed in Python with the
article's language; FTS5 itself does not stem), ranked by BM25 with the title weighted
highest. PostgreSQL: a tsvector column built with the article's language configuration
(`swedish`, `norwegian`, `english`, …), weighted A–D, GIN-indexed, ranked by ts_rank; typo
corrections come from trigram similarity (pg_trgm) over the vocabulary of article words.

Both are asked with the query plan of `kontakt.core.text_search`, so they find the same
articles; the final ranking is made from the same fields in Python by the selectors.
"""

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models.functions import Length

from kontakt.core import text_search

from .models import Article, ArticleStatus, Term, Visibility

FTS_TABLE = "knowledge_article_fts"
# Weights of title, keywords, summary and body in the engines' own ranks.
BM25_WEIGHTS = "10.0, 6.0, 3.0, 1.0"
MAX_WORD = 60


def _lengths(word: str) -> tuple[int, int]:
    """A correction is at most two letters longer or shorter than the word."""
    return len(word) - 2, len(word) + 2


def postgres_config(language: str) -> str:
    return text_search.SNOWBALL.get(language, "simple")


def index_articles(articles: Iterable[Article]) -> None:
    """Write the articles' current text into the search index and the vocabulary."""
    articles = list(articles)
    if not articles:
        return
    if connection.vendor == "sqlite":
        _index_sqlite(articles)
    elif connection.vendor == "postgresql":
        _index_postgres(articles)
    _add_terms(articles)


def unindex_articles(article_ids: Sequence[int]) -> None:
    if connection.vendor == "sqlite" and article_ids:
        marks = ", ".join(["%s"] * len(article_ids))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", list(article_ids))


def _index_sqlite(articles: list[Article]) -> None:
    rows = [
        (
            article.pk,
            text_search.index_text(article.title, article.language),
            text_search.index_text(article.keywords, article.language),
            text_search.index_text(article.summary, article.language),
            text_search.index_text(article.body_text, article.language),
        )
        for article in articles
    ]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(rows))
        cursor.execute(
            f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", [row[0] for row in rows]
        )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, keywords, summary, body) "
            "VALUES (%s, %s, %s, %s, %s)",
            rows,
        )


POSTGRES_HEAD = """
    setweight(to_tsvector(cfg, title), 'A') ||
    setweight(to_tsvector(cfg, keywords), 'B') ||
    setweight(to_tsvector(cfg, summary), 'C')
"""


def _index_postgres(articles: list[Article]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(
            f"""UPDATE knowledge_article SET (search_head, search_document) = (
                SELECT {POSTGRES_HEAD},
                    {POSTGRES_HEAD} || setweight(to_tsvector(cfg, body_text), 'D')
                FROM (SELECT %s::regconfig AS cfg) AS config)
                WHERE id = %s""",
            [(postgres_config(article.language), article.pk) for article in articles],
        )


def _add_terms(articles: list[Article]) -> None:
    """Add the articles' words to the vocabulary, marking those of public articles (words
    are never removed: a stale one can only suggest a correction that then finds nothing)."""
    internal: set[tuple[str, str]] = set()
    public: set[tuple[str, str]] = set()
    for article in articles:
        text = " ".join([article.title, article.keywords, article.summary, article.body_text])
        pairs = public if article.is_public else internal
        for word in text_search.words(text):
            if 3 <= len(word) <= MAX_WORD and not word.isdigit():
                pairs.add((article.language, word))
    Term.objects.bulk_create(
        [Term(language=language, word=word) for language, word in sorted(internal - public)],
        ignore_conflicts=True,
        batch_size=2000,
    )
    Term.objects.bulk_create(
        [Term(language=language, word=word, public=True) for language, word in sorted(public)],
        update_conflicts=True,
        unique_fields=["language", "word"],
        update_fields=["public"],
        batch_size=2000,
    )


def candidates(
    terms: Sequence[text_search.Term],
    language: str,
    *,
    public_only: bool,
    limit: int,
    enough: int | None = None,
) -> list[tuple[int, float]]:
    """(article id, engine score; higher is better) of published articles in `language`
    that match the terms, best first: those with every term, then those with any (unless
    `enough` articles have every term: they rank above the rest anyway).

    Every term first is what the ranking prefers anyway, and it is cheap: a question
    with a common word ("hur ansöker jag om bygglov för altan") matches thousands of
    articles with any word but a handful with all, and a rare word ("växthuset") is not
    lost among the thousands that the engine's rank would put before it.
    """
    if not terms:
        return []
    found = _matching(terms, language, every=True, public_only=public_only, limit=limit)
    if len(terms) == 1 or len(found) >= (enough or limit):
        return found
    known = {article_id for article_id, _score in found}
    anyone = _matching(terms, language, every=False, public_only=public_only, limit=limit)
    # Below every match of all terms: a match of some is never ranked above one of all.
    floor = min((score for _id, score in found), default=0.0)
    found += [(i, min(score, floor)) for i, score in anyone if i not in known]
    return found[:limit]


def _matching(
    terms: Sequence[text_search.Term],
    language: str,
    *,
    every: bool,
    public_only: bool,
    limit: int,
) -> list[tuple[int, float]]:
    visibility = " AND a.visibility = %s" if public_only else ""
    extra = [Visibility.PUBLIC.value] if public_only else []
    if connection.vendor == "sqlite":
        match = text_search.fts5_query(terms, language, every=every)
        if not match:
            return []
        sql = f"""
            SELECT a.id, -bm25({FTS_TABLE}, {BM25_WEIGHTS}) AS score
            FROM {FTS_TABLE} JOIN knowledge_article a ON a.id = {FTS_TABLE}.rowid
            WHERE {FTS_TABLE} MATCH %s AND a.language = %s AND a.status = %s{visibility}
            ORDER BY bm25({FTS_TABLE}, {BM25_WEIGHTS}) LIMIT %s"""
        params: list[str | int] = [match, language, ArticleStatus.PUBLISHED.value, *extra, limit]
    else:
        query = text_search.tsquery(terms, every=every)
        if not query:
            return []
        # Matches are found in the whole article but ranked by its title, other words and
        # summary alone: ranking reads each match's vector, and a common word matches
        # thousands of articles whose whole vectors are large (stored apart, compressed).
        # Beyond the best forty, Kontakt's own ranking decides anyway.
        sql = f"""
            SELECT a.id, ts_rank(a.search_head, q) AS score
            FROM knowledge_article a, to_tsquery(%s::regconfig, %s) AS q
            WHERE a.search_document @@ q AND a.language = %s AND a.status = %s{visibility}
            ORDER BY score DESC, a.id LIMIT %s"""
        params = [
            postgres_config(language),
            query,
            language,
            ArticleStatus.PUBLISHED.value,
            *extra,
            limit,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def languages_of(query: str, languages: list[str], *, public_only: bool) -> list[str]:
    """The languages a query is written in: those whose articles hold the most of its words
    (stop words included: "inte", "ikke" and "not" tell the languages apart best). A query
    with no known word at all may be misspelt in any language: all of them."""
    typed = list(dict.fromkeys(text_search.words(query)))[:20]
    if not typed or len(languages) < 2:
        return languages
    known: dict[str, int] = dict.fromkeys(languages, 0)
    vocabulary = Term.objects.filter(language__in=languages, word__in=typed)
    if public_only:
        vocabulary = vocabulary.filter(public=True)
    for language in vocabulary.values_list("language", flat=True):
        known[language] += 1
    most = max(known.values())
    return [language for language in languages if known[language] == most] if most else languages


def corrections(words: Sequence[str], language: str, *, public_only: bool) -> dict[str, list[str]]:
    """For each word that no article contains, the closest words that some article does
    (with `public_only`, some public article)."""
    found: dict[str, list[str]] = {}
    vocabulary = Term.objects.filter(language=language)
    if public_only:
        vocabulary = vocabulary.filter(public=True)
    known = set(vocabulary.filter(word__in=list(words)).values_list("word", flat=True))
    for word in words:
        if word in known or len(word) < 4 or word.isdigit():
            continue
        similar = _similar_words(word, language, public_only=public_only)
        if similar:
            found[word] = similar
    return found


def _similar_words(word: str, language: str, *, public_only: bool, count: int = 2) -> list[str]:
    """The vocabulary's closest words to a misspelt one, judged alike on both engines."""
    if connection.vendor == "postgresql":
        # pg_trgm's % operator (similarity ≥ 0.3) finds the candidates through the index.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT word FROM knowledge_term
                WHERE language = %s AND word %% %s AND length(word) BETWEEN %s AND %s
                    {"AND public" if public_only else ""}
                ORDER BY similarity(word, %s) DESC, word LIMIT 20""",
                [language, word, *_lengths(word), word],
            )
            pool: list[str] = [row[0] for row in cursor.fetchall()]
    else:
        # SQLite has no trigram index: the words of the same first letter and a similar
        # length (a typo rarely hits the first letter).
        terms = Term.objects.filter(language=language, word__startswith=word[0])
        if public_only:
            terms = terms.filter(public=True)
        shortest, longest = _lengths(word)
        pool = list(
            terms.annotate(length=Length("word"))
            .filter(length__gte=shortest, length__lte=longest)
            .values_list("word", flat=True)
        )
    return text_search.closest_words(word, pool, count=count)
