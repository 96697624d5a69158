"""Knowledge-base search on SQLite and PostgreSQL, beside the naive `icontains` filter.

    .venv/bin/python bench/knowledge_search.py            # 20,000 articles, 5 rounds (3–5 min)
    .venv/bin/python bench/knowledge_search.py --quick    # 3,000 articles, 1 round (20–45 s)
    .venv/bin/python bench/knowledge_search.py --profile  # and where our search spends its time

What it does:

1. Makes a fresh SQLite file in a temp dir (KONTAKT_SQLITE_PATH, KONTAKT_VAR_DIR) and a
   database `bench_knowledge` on the PostgreSQL at 127.0.0.1:5432 (user postgres, trust).
2. In one child process of Kontakt's venv per engine, both at once: migrates, makes the
   departments, case types, an agent and synonym groups. Meanwhile it writes the articles
   (bench/harness/knowledge_corpus.py: Swedish, Norwegian and English, 45/35/20 %,
   rendered once by Kontakt's own Markdown rendering) into a file, which both children
   then load: bulk_create in batches of 500, `knowledge.search.index_articles` per batch.
3. One engine after the other, in a fresh child: 67 fixed searches (single words,
   inflected forms, questions, typos, rare words, searches that find nothing), each timed
   in-process as an agent would search: `knowledge.selectors.article_search(user=agent,
   query=…, language=…)`, and beside it the naive way on the same database — for each
   word, title, summary or text `icontains` it, ORed over the words, published, the same
   language, first 10 by title. Every search runs once per round, the two sides
   alternating which goes first. Also six searches in every language at once.
4. Reports p50/p95/mean per engine for both, the ratios (naive over ours), whether our
   p95 is within 30 ms, hits found, and recall@3: for the searches with an inflected form
   whose article is known from the corpus ("växthuset" for "Bygglov för växthus"), how
   often that article is among the first three on each side. Then drops the database.

The last line of standard output is one JSON object (also saved under bench/results/);
everything else goes to standard error.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from harness import host, knowledge_corpus, peer
from harness.host import log

from kontakt.knowledge import rendering

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SIDE = BENCH / "harness" / "knowledge_side.py"
DATABASE = "bench_knowledge"
GOAL_P95_MS = 30


def sides(directory: Path, engines: list[str]) -> dict[str, peer.Side]:
    """Kontakt on each engine, running the knowledge side script."""
    made = {}
    if "sqlite" in engines:
        made["sqlite"] = peer.kontakt_sqlite_side(
            directory / "knowledge.sqlite3", directory / "sqlite-var"
        )
    if "postgresql" in engines:
        made["postgresql"] = peer.kontakt_side(DATABASE, directory / "postgresql-var")
    for side in made.values():
        side.script = SIDE
    return made


def start_load(side: peer.Side, articles: int, corpus_file: Path, position: int) -> peer.Running:
    """The child that migrates, then loads the corpus file once told on its stdin."""
    command = [str(side.python), str(side.script), "load", "--articles", str(articles)]
    command += ["--corpus", str(corpus_file), "--position", str(position)]
    process = subprocess.Popen(
        command,
        env=side.env,
        cwd=side.cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return peer.Running(side.name, ("load",), process)


def render(markdown: str) -> tuple[str, str]:
    """HTML and plain text by Kontakt's own rendering (plain Python: no Django needed)."""
    html = rendering.body_html(markdown)
    return html, rendering.plain_text(html)


def summary(engine: str, figures: dict) -> str:  # type: ignore[type-arg]
    ours, naive = figures["ours"], figures["naive"]
    recall = figures["recall_at_3"]["inflected"]
    return (
        f"{engine}: ours p50 {ours['p50_ms']} ms, p95 {ours['p95_ms']} ms; naive p50 "
        f"{naive['p50_ms']} ms, p95 {naive['p95_ms']} ms; naive/ours p50 "
        f"{figures['ratio_p50']}x; recall@3 {recall['ours']}/{recall['queries']} against "
        f"{recall['naive']}/{recall['queries']}"
    )


SEARCH_CODE = ["kontakt/core/text_search.py", "kontakt/knowledge/search.py",
               "kontakt/knowledge/selectors.py", "kontakt/knowledge/models.py"]  # fmt: skip


def code_version() -> dict[str, object]:
    """The commit measured, whether the search code differs from it, and a digest of that
    code, so a run can tell whether it changed under it (children import it later)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=peer.REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    digest = hashlib.sha256()
    for path in SEARCH_CODE:
        digest.update((peer.REPO / path).read_bytes())
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "search_code_changed": bool(git("status", "--porcelain", "--", *SEARCH_CODE)),
        "search_code_digest": digest.hexdigest()[:12],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3,000 articles, one round")
    parser.add_argument("--articles", type=int, help="articles to load (default 20,000)")
    parser.add_argument("--rounds", type=int, help="timed rounds of every search (default 5)")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--profile", action="store_true", help="then time the stages of our search, and cProfile it"
    )
    parser.add_argument(
        "--no-demo", action="store_true", help="leave out kontakt/demo/articles/*.md"
    )
    args = parser.parse_args()
    articles = args.articles or (3_000 if args.quick else 20_000)
    rounds = args.rounds or (1 if args.quick else 5)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    began = time.time()
    report: dict = {  # type: ignore[type-arg]
        "benchmark": "knowledge_search",
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "articles": articles,
        "rounds": rounds,
        "machine": peer.machine() if "postgresql" in engines else host.machine(),
        "kontakt": code_version(),
        "engines": {},
    }
    directory = Path(tempfile.mkdtemp(prefix="kontakt-knowledge-"))
    try:
        if "postgresql" in engines:
            peer.database_create(DATABASE)
        made = sides(directory, engines)
        corpus_file = directory / "articles.jsonl"
        log(f"migrating {', '.join(made)}; meanwhile writing {articles:,} articles")
        loading = {
            engine: start_load(side, articles, corpus_file, position)
            for position, (engine, side) in enumerate(made.items())
        }
        began_writing = time.perf_counter()
        demo = [] if args.no_demo else knowledge_corpus.demo_articles()
        knowledge_corpus.write(corpus_file, articles, demo=not args.no_demo, render=render)
        report["corpus"] = {
            "demo_articles": len(demo),
            "demo_digest": knowledge_corpus.demo_digest(demo) if demo else None,
            "anchors": len(knowledge_corpus.ANCHORS),
            "queries": len(knowledge_corpus.QUERIES),
            "seconds_to_write": round(time.perf_counter() - began_writing, 1),
        }
        log(f"wrote the corpus: {report['corpus']}")
        for running in loading.values():
            assert running.process.stdin is not None
            running.process.stdin.write("go\n")
            running.process.stdin.flush()  # communicate() closes it
        loaded = {engine: running.result() for engine, running in loading.items()}
        for engine, figures in loaded.items():
            log(f"{engine}: loaded {figures}")
        for engine, side in made.items():
            log(f"{engine}: timing {rounds} round(s) of every search")
            command = ["measure", "--rounds", str(rounds)]
            figures = side.run(*command, *(["--profile"] if args.profile else []))
            figures["loading"] = loaded[engine]
            report["engines"][engine] = figures
            log(summary(engine, figures))
    finally:
        if "postgresql" in engines:
            try:
                peer.database_drop(DATABASE)
            except Exception as error:
                log(f"could not drop {DATABASE}: {error}")
        shutil.rmtree(directory, ignore_errors=True)
    report["goals"] = {
        f"p95_{GOAL_P95_MS}ms_{engine}": figures["ours"]["p95_ms"] <= GOAL_P95_MS
        for engine, figures in report["engines"].items()
    }
    after = code_version()["search_code_digest"]
    changed = after != report["kontakt"]["search_code_digest"]
    report["kontakt"]["search_code_changed_during_run"] = changed
    if changed:
        log("the search code changed during the run: the engines may have measured different code")
    report["seconds"] = round(time.time() - began)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    name = f"knowledge_search-{'quick-' if args.quick else ''}{time.strftime('%Y%m%d-%H%M%S')}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, separators=(",", ":"), ensure_ascii=False))


if __name__ == "__main__":
    main()
