"""Kontakt's side of bench/knowledge_search.py, run in Kontakt's venv as a child process.

    .venv/bin/python bench/harness/knowledge_side.py load --articles 20000 [--corpus FILE]
    .venv/bin/python bench/harness/knowledge_side.py measure --rounds 5 [--profile]

The database comes from the environment like any Kontakt process: DATABASE_URL for
PostgreSQL, KONTAKT_SQLITE_PATH for the embedded SQLite default. `load` migrates, makes the
departments, case types, an agent and a few synonym groups, then bulk-loads the articles of
bench/harness/knowledge_corpus.py (bulk_create in batches, `search.index_articles` per
batch), rendered by Kontakt's own rendering: here, or once by the benchmark into a file
that both engines' children read (`--corpus`: they migrate meanwhile and wait for a line on
standard input). `measure` times `article_search` and the naive `icontains` filter on the
same searches in-process; `--profile` adds, after the timed rounds, a round with a timer
around each stage of the search and a cProfile round. Each prints one JSON object.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from tqdm import tqdm  # noqa: E402

from harness import corpus, load  # noqa: E402
from harness import knowledge_corpus as kc  # noqa: E402
from harness.host import log  # noqa: E402
from kontakt.accounts.models import User  # noqa: E402
from kontakt.accounts.services import roles_sync  # noqa: E402
from kontakt.cases.models import CaseType  # noqa: E402
from kontakt.core import text_search  # noqa: E402
from kontakt.directory.models import Department  # noqa: E402
from kontakt.knowledge import rendering, search, selectors  # noqa: E402
from kontakt.knowledge.models import Article, ArticleStatus, Synonym, Term  # noqa: E402

AGENT = "bench.agent"
BATCH = 500
LIMIT = 10
TOP = 3
WARM = 10
SYNONYMS = {
    "sv": ("soptunna, sopkärl, avfallskärl", "förskola, dagis", "hemtjänst, hemhjälp",
           "parkeringstillstånd, p-tillstånd", "snöröjning, plogning"),
    "nb": ("søppeldunk, avfallsdunk, søppelkasse", "hjemmetjeneste, hjemmehjelp",
           "brøyting, snørydding", "faktura, regning"),
    "en": ("bin, dustbin", "preschool, nursery", "invoice, bill"),
}  # fmt: skip


# Loading ---------------------------------------------------------------------------------


def _batched(items: Iterable[kc.ArticleText], size: int) -> Iterator[list[kc.ArticleText]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _article(text: kc.ArticleText, html: str, plain: str, departments: dict[str, int]) -> Article:
    at = corpus.EPOCH - timedelta(days=text.number % 700, minutes=text.number % 1440)
    return Article(
        translation_key=text.translation_key,
        language=text.language,
        title=text.title,
        summary=text.summary,
        body=text.body,
        body_html=html,
        body_text=plain,
        keywords=text.keywords,
        owner_department_id=departments[text.department],
        visibility=text.visibility,
        status=text.status,
        review_by=date(2027, 1 + text.number % 12, 1) if text.number % 3 else None,
        closed_contacts=text.closed_contacts,
        created_at=at,
        updated_at=at,
    )


def render(markdown: str) -> tuple[str, str]:
    """HTML and plain text of an article's Markdown, by Kontakt's own rendering."""
    html = rendering.body_html(markdown)
    return html, rendering.plain_text(html)


def _texts(
    count: int, corpus_file: Path | None, demo: bool
) -> Iterator[tuple[kc.ArticleText, str, str]]:
    if corpus_file is None:
        for text in kc.articles(count, kc.demo_articles() if demo else []):
            yield text, *render(text.body)
        return
    # The benchmark writes the file while this process migrates, then sends a line.
    sys.stdin.readline()
    yield from kc.read(corpus_file)


class Progress:
    """A bar on a terminal, a log line every quarter otherwise (stderr either way)."""

    def __init__(self, total: int, label: str, position: int):
        self.total, self.label, self.done, self.next_log = total, label, 0, total // 4
        # A terminal that reports no size (script, some CI consoles) gets the usual 80x24,
        # or tqdm hides every bar.
        size = shutil.get_terminal_size()
        self.bar = (
            tqdm(
                total=total,
                desc=label,
                unit="article",
                position=position,
                file=sys.stderr,
                ncols=size.columns,
                nrows=size.lines,
            )
            if sys.stderr.isatty()
            else None
        )

    def update(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        elif self.done >= self.next_log or self.done == self.total:
            log(f"{self.label}: {self.done:,} of {self.total:,} articles")
            self.next_log += self.total // 4

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def load_articles(
    count: int, *, corpus_file: Path | None, demo: bool, position: int
) -> dict[str, object]:
    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - began
    roles_sync()
    with transaction.atomic():
        departments = {
            code: Department.objects.create(code=code, name=name).pk
            for code, name in corpus.DEPARTMENTS
        }
        case_types = {
            topic.code: CaseType.objects.create(
                code=topic.code,
                name=topic.name,
                department_id=departments[topic.department],
                response_time=timedelta(hours=16),
            ).pk
            for topic in corpus.TOPICS
        }
        agent = User(username=AGENT, first_name="Agent")
        agent.set_unusable_password()
        agent.save()
        agent.groups.add(Group.objects.get(name="agent"))
        for language, groups in SYNONYMS.items():
            Synonym.objects.bulk_create(Synonym(words=w, language=language) for w in groups)
    through = Article.case_types.through
    texts = _texts(count, corpus_file, demo)
    batches = _batched(texts, BATCH)
    first = next(batches, [])  # waits for the corpus file, if there is one
    loading = time.perf_counter()
    progress = Progress(count, f"{connection.vendor}: loading", position)
    sources: dict[str, int] = {}
    for batch in [first, *batches] if first else []:
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                [_article(text, html, plain, departments) for text, html, plain in batch]
            )
            through.objects.bulk_create(
                through(article_id=article.pk, casetype_id=case_types[text.case_type])
                for article, (text, _html, _plain) in zip(articles, batch, strict=True)
                if text.case_type
            )
            search.index_articles(articles)
        for text, _html, _plain in batch:
            sources[text.source] = sources.get(text.source, 0) + 1
        progress.update(len(batch))
    progress.close()
    loaded = time.perf_counter() - loading
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("knowledge_article", "knowledge_term", "knowledge_article_case_types"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    by_language = {
        language: Article.objects.filter(language=language).count() for language in kc.LANGUAGES
    }
    return {
        "vendor": connection.vendor,
        "articles": Article.objects.count(),
        "published": Article.objects.filter(status=ArticleStatus.PUBLISHED).count(),
        "by_language": by_language,
        "by_source": sources,
        "terms": Term.objects.count(),
        "seconds_migrate": round(migrated, 1),
        "seconds_load": round(loaded, 1),
        "articles_per_second": round(count / loaded),
        "seconds": round(time.perf_counter() - began, 1),
    }


# Measuring -------------------------------------------------------------------------------


def naive_search(query: str, language: str | None) -> list[Article]:
    """The naive way: icontains on title, summary and text for each word of the query
    (the same words our search keeps: stop words dropped), ORed; first 10 by title."""
    stops = text_search.stopwords(language) if language else frozenset()
    words = [w for w in text_search.words(query) if w not in stops][: text_search.MAX_TERMS]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= (
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body_text__icontains=word)
        )
    articles = Article.objects.filter(condition, status=ArticleStatus.PUBLISHED)
    if language:
        articles = articles.filter(language=language)
    return list(articles.order_by("title", "id")[:LIMIT])


def ours(text: str, language: str | None, user: User) -> list[Article]:
    result = selectors.article_search(user=user, query=text, language=language)
    return [hit.article for hit in result.hits]


def _figures(seconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(load.percentile(seconds, 50) * 1000, 2),
        "p95_ms": round(load.percentile(seconds, 95) * 1000, 2),
        "mean_ms": round(statistics.fmean(seconds) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
        "timings": len(seconds),
    }


def _rank(found: list[Article], target: int | None) -> int | None:
    ids = [article.pk for article in found]
    return ids.index(target) + 1 if target in ids else None


class SqlTimer:
    """Time and count the SQL statements run inside a search (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.seconds, self.statements, self.slowest = 0.0, 0, (0.0, "")

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - began
            self.seconds += elapsed
            self.statements += 1
            if elapsed > self.slowest[0]:
                self.slowest = (elapsed, " ".join(sql.split())[:300])


@dataclass
class Timed:
    """Every timing of one search on both sides, and what each found the first time."""

    text: str
    language: str | None
    ours: list[float] = field(default_factory=list)
    naive: list[float] = field(default_factory=list)
    sql: SqlTimer = field(default_factory=SqlTimer)
    ours_found: list[Article] | None = None
    naive_found: list[Article] | None = None


def _time_round(searches: list[Timed], number: int) -> None:
    for index, timed in enumerate(searches):
        # Alternate which goes first, so neither always finds the other's cache.
        for side in ("ours", "naive") if (number + index) % 2 == 0 else ("naive", "ours"):
            user = User.objects.get(username=AGENT)  # a fresh user per request, as in a view
            if side == "ours":
                began = time.perf_counter()
                with connection.execute_wrapper(timed.sql):
                    found = ours(timed.text, timed.language, user)
                timed.ours.append(time.perf_counter() - began)
                timed.ours_found = timed.ours_found if timed.ours_found is not None else found
            else:
                began = time.perf_counter()
                found = naive_search(timed.text, timed.language)
                timed.naive.append(time.perf_counter() - began)
                timed.naive_found = timed.naive_found if timed.naive_found is not None else found


def _recall(rows: list[dict[str, object]]) -> dict[str, object]:
    """How many of the searches have their target in the first three, each side."""

    def top(key: str) -> int:
        return sum(1 for r in rows if r[key] is not None and r[key] <= TOP)  # type: ignore[operator]

    return {
        "queries": len(rows),
        "ours": top("ours_target_rank"),
        "naive": top("naive_target_rank"),
        "ours_share": round(top("ours_target_rank") / len(rows), 3) if rows else None,
        "naive_share": round(top("naive_target_rank") / len(rows), 3) if rows else None,
    }


def _compare(searches: list[Timed]) -> dict[str, object]:
    ours_figures = _figures([t for s in searches for t in s.ours])
    naive_figures = _figures([t for s in searches for t in s.naive])
    return {
        "ours": ours_figures,
        "naive": naive_figures,
        "ratio_p50": round(naive_figures["p50_ms"] / ours_figures["p50_ms"], 2),
        "ratio_p95": round(naive_figures["p95_ms"] / ours_figures["p95_ms"], 2),
    }


def measure(rounds: int, profile: bool) -> dict[str, object]:
    queries = kc.QUERIES
    targets = dict(
        Article.objects.filter(translation_key__startswith="anchor-").values_list(
            "translation_key", "id"
        )
    )
    searches = [Timed(q.text, q.language) for q in queries]
    everywhere = [Timed(text, None) for text in kc.ALL_LANGUAGES]
    # Load code, fill caches and open the connection before anything is timed.
    for timed in searches[:: max(1, len(searches) // WARM)] + everywhere[:1]:
        ours(timed.text, timed.language, User.objects.get(username=AGENT))
        naive_search(timed.text, timed.language)
    for number in range(rounds):
        _time_round(searches, number)
        _time_round(everywhere, number)
        log(f"{connection.vendor}: round {number + 1} of {rounds} timed")

    per_query = []
    for query, timed in zip(queries, searches, strict=True):
        assert timed.ours_found is not None and timed.naive_found is not None
        target = targets.get(query.target) if query.target else None
        count = len(timed.ours)
        per_query.append(
            {
                "query": query.text,
                "language": query.language,
                "kind": query.kind,
                "target": query.target,
                "ours_hits": len(timed.ours_found),
                "naive_hits": len(timed.naive_found),
                "ours_p50_ms": round(statistics.median(timed.ours) * 1000, 2),
                "naive_p50_ms": round(statistics.median(timed.naive) * 1000, 2),
                "ours_target_rank": _rank(timed.ours_found, target),
                "naive_target_rank": _rank(timed.naive_found, target),
                "sql_ms": round(timed.sql.seconds * 1000 / count, 2),
                "python_ms": round((sum(timed.ours) - timed.sql.seconds) * 1000 / count, 2),
                "statements": round(timed.sql.statements / count, 1),
                "slowest_statement_ms": round(timed.sql.slowest[0] * 1000, 2),
                "slowest_statement": timed.sql.slowest[1],
            }
        )
    targeted = [r for r in per_query if r["target"]]
    by_kind = {}
    for kind in dict.fromkeys(q.kind for q in queries):
        chosen = [s for q, s in zip(queries, searches, strict=True) if q.kind == kind]
        by_kind[kind] = {
            "queries": len(chosen),
            "ours": _figures([t for s in chosen for t in s.ours]),
            "naive": _figures([t for s in chosen for t in s.naive]),
        }
    compared = _compare(searches)
    total_ours = sum(t for s in searches for t in s.ours)
    total_sql = sum(s.sql.seconds for s in searches)
    result: dict[str, object] = {
        "vendor": connection.vendor,
        "articles": Article.objects.count(),
        "published": Article.objects.filter(status=ArticleStatus.PUBLISHED).count(),
        "queries": len(queries),
        "rounds": rounds,
        **compared,
        "goal_p95_30ms": compared["ours"]["p95_ms"] <= 30,  # type: ignore[index]
        "hits": {
            "ours": sum(r["ours_hits"] for r in per_query),  # type: ignore[misc]
            "naive": sum(r["naive_hits"] for r in per_query),  # type: ignore[misc]
            "ours_found_nothing": sum(1 for r in per_query if not r["ours_hits"]),
            "naive_found_nothing": sum(1 for r in per_query if not r["naive_hits"]),
        },
        "recall_at_3": {
            "inflected": _recall([r for r in targeted if r["kind"] == "inflected"]),
            "all_with_target": _recall(targeted),
        },
        "where_the_time_goes": {
            "sql_share": round(total_sql / total_ours, 3),
            "sql_ms_mean": round(total_sql * 1000 / len(searches) / rounds, 2),
            "python_ms_mean": round((total_ours - total_sql) * 1000 / len(searches) / rounds, 2),
            "statements_mean": round(
                sum(s.sql.statements for s in searches) / len(searches) / rounds, 1
            ),
        },
        "by_kind": by_kind,
        "all_languages": {"queries": list(kc.ALL_LANGUAGES), **_compare(everywhere)},
        "per_query": per_query,
    }
    if profile:
        result["profile"] = profile_ours(queries)
    return result


# What `article_search` spends its time on: (module, function) → stage name. Nested
# stages are timed inside their callers (_hit and relevance run inside _ranked).
STAGES = (
    (selectors, "_synonyms", "synonyms (1 query a language)"),
    (search, "candidates", "engine candidates (FTS5 / tsvector query)"),
    (search, "corrections", "spelling corrections"),
    (selectors, "_pinned", "pinned articles"),
    (selectors, "_load", "loading the candidate articles"),
    (selectors, "_ranked", "ranking in Python (_ranked)"),
    (text_search, "relevance", "  of which relevance()"),
    (selectors, "_hit", "  of which _hit() (highlighting)"),
)


def stages(queries: list[kc.Query]) -> dict[str, object]:
    """One round of our searches with a timer around each stage: ms and calls per search."""
    spent: dict[str, list[float]] = {label: [0.0, 0] for _m, _n, label in STAGES}
    originals = []
    for module, name, label in STAGES:
        original = getattr(module, name)
        originals.append((module, name, original))

        def timed(*args, _original=original, _label=label, **kwargs):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label][0] += time.perf_counter() - began
                spent[_label][1] += 1

        setattr(module, name, timed)
    returned = 0
    began = time.perf_counter()
    try:
        for query in queries:
            returned += len(ours(query.text, query.language, User.objects.get(username=AGENT)))
    finally:
        total = time.perf_counter() - began
        for module, name, original in originals:
            setattr(module, name, original)
    count = len(queries)
    return {
        "search_ms": round(total * 1000 / count, 2),
        "hits_returned_per_search": round(returned / count, 1),
        "stages": {
            label: {"ms": round(seconds * 1000 / count, 2), "calls": round(calls / count, 1)}
            for label, (seconds, calls) in spent.items()
        },
    }


def profile_ours(queries: Iterable[kc.Query]) -> dict[str, object]:
    """Where our search spends its time: stage timers, then cProfile of one more round
    (the functions with the most time of their own, per search; printed on stderr too)."""
    queries = list(queries)
    timed_stages = stages(queries)
    users = [User.objects.get(username=AGENT) for _ in queries]
    profiler = cProfile.Profile()
    profiler.enable()
    for query, user in zip(queries, users, strict=True):
        ours(query.text, query.language, user)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(20)
    print(out.getvalue(), file=sys.stderr)
    rows = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{Path(filename).name}:{line}({name})",
                "calls_per_search": round(calls / len(queries), 1),
                "own_ms_per_search": round(tottime * 1000 / len(queries), 3),
                "total_ms_per_search": round(cumtime * 1000 / len(queries), 3),
            }
        )
    rows.sort(key=lambda r: -r["own_ms_per_search"])  # type: ignore[operator]
    return {**timed_stages, "cprofile_top": rows[:25]}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    load_parser = sub.add_parser("load")
    load_parser.add_argument("--articles", type=int, required=True)
    load_parser.add_argument("--no-demo", action="store_true")
    load_parser.add_argument(
        "--corpus", type=Path, help="JSON lines of rendered articles, read after a line on stdin"
    )
    load_parser.add_argument("--position", type=int, default=0, help="progress bar line")
    measure_parser = sub.add_parser("measure")
    measure_parser.add_argument("--rounds", type=int, default=5)
    measure_parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.command == "load":
        result = load_articles(
            args.articles, corpus_file=args.corpus, demo=not args.no_demo, position=args.position
        )
    else:
        result = measure(args.rounds, args.profile)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
