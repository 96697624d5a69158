"""Kontakt against django-helpdesk: opening cases through the API, and keyword search.

    .venv/bin/python bench/cases_vs_helpdesk.py            # 100 k and 1 M cases (~15 min)
    .venv/bin/python bench/cases_vs_helpdesk.py --quick    # 5 k cases, under a minute

What it does, in one run and on one PostgreSQL server (127.0.0.1:5432, user postgres):

1. Installs django-helpdesk into bench/.peers/helpdesk-venv on first use (a throwaway venv,
   never a project dependency) and writes a minimal Django project for it into a temp dir.
2. Creates two throwaway databases, migrates both applications, and seeds both with the
   same corpus (bench/harness/corpus.py): Swedish and Norwegian matters, 85 % closed. A
   Kontakt case comes with its `created` event and the contact that opened it; a helpdesk
   ticket with its "Ticket Opened" follow-up, as each application writes them.
3. Serves both with gunicorn (same version, same sync worker count) on loopback ports.
4. At each size (100 k, then grown to 1 M):
   (a) create: clients POST back to back, each round alternating the sides. Kontakt logs a
       forwarded contact (POST /api/v1/contacts: contact, case, timeline, SLA due time);
       helpdesk opens a ticket (POST /api/tickets/: ticket form, follow-up, notifications).
       Both authenticate with an API token. Figure: creates per second, median of rounds.
   (b) search: one client, one word at a time. Kontakt: GET /api/v1/cases?q=WORD (first
       page of 50, newest first). helpdesk: what its ticket list fetches after a keyword
       search, GET /datatables_ticket_list/<query> with `search_string` = WORD and the
       page of 25 newest; it runs helpdesk.query.get_search_filter_args (icontains over ten
       fields) and counts the matches. Kontakt's selector is also timed in-process, and on
       the embedded SQLite default (FTS5).
5. Prints one JSON object as the last line (also saved under bench/results/), then drops
   the databases.
"""

import argparse
import base64
import json
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import corpus, load, peer
from harness.peer import log

RESULTS = Path(__file__).resolve().parent / "results"


class Payloads:
    """Corpus rows past the seeded ones, drawn once: what the creating clients send."""

    def __init__(self, count: int):
        self.rows = list(corpus.rows(7_000_000, count))

    def __getitem__(self, number: int) -> corpus.Row:
        return self.rows[number % len(self.rows)]


def kontakt_create(token: str, payloads: Payloads):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def make(number: int) -> load.Request:
        row = payloads[number]
        body = {
            "channel": "phone",
            "outcome": "forwarded",
            "case_type": corpus.TOPICS[row.topic].code,
            "subject": row.subject,
            "summary": row.description,
        }
        return load.Request("POST", "/api/v1/contacts", headers, json.dumps(body).encode(), (201,))

    return make


def helpdesk_create(token: str, queues: dict[str, int], payloads: Payloads):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def make(number: int) -> load.Request:
        row = payloads[number]
        body = {
            "queue": queues[corpus.TOPICS[row.topic].department],
            "title": row.subject,
            "description": row.description,
            "submitter_email": f"invanare{number % 20000}@example.se",
            "priority": 3,
        }
        return load.Request("POST", "/api/tickets/", headers, json.dumps(body).encode(), (201,))

    return make


def kontakt_search(token: str):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"}

    def make(number: int) -> load.Request:
        word = corpus.SEARCH_WORDS[number % len(corpus.SEARCH_WORDS)]
        return load.Request("GET", f"/api/v1/cases?q={urllib.parse.quote(word)}", headers)

    return make


def helpdesk_query(search: str = "", filtering: dict | None = None) -> str:  # type: ignore[type-arg]
    """The base64 query helpdesk's ticket list page hands to its data URL (query_to_base64)."""
    params = {
        "filtering": filtering or {},
        "filtering_null": {},
        "sorting": "created",
        "sortreverse": None,
        "search_string": search,
    }
    return base64.b64encode(json.dumps(params).encode()).decode("ascii")


# What ticket_list.html's DataTable asks for: the first page, newest first (column 5).
DATATABLES = "draw=1&start=0&length=25&order%5B0%5D%5Bcolumn%5D=5&order%5B0%5D%5Bdir%5D=desc"


def helpdesk_search(session: str):  # type: ignore[no-untyped-def]
    headers = {"Cookie": f"sessionid={session}"}

    def make(number: int) -> load.Request:
        word = corpus.SEARCH_WORDS[number % len(corpus.SEARCH_WORDS)]
        path = f"/datatables_ticket_list/{helpdesk_query(search=word)}?{DATATABLES}"
        return load.Request("GET", path, headers)

    return make


def warm(port: int, make, count: int = 8) -> None:  # type: ignore[no-untyped-def]
    """Load each worker's code and connection before anything is timed."""
    load.closed_loop(port, make, clients=2, total=count)


def measure_create(stage: peer.Stage, *, rounds: int, per_round: int, clients: int) -> dict:  # type: ignore[type-arg]
    payloads = Payloads(corpus.BLOCK)
    kontakt = kontakt_create(stage.kontakt_info["token"], payloads)
    helpdesk = helpdesk_create(
        stage.helpdesk_info["token"], stage.helpdesk_info["queues"], payloads
    )
    runs: dict[str, list[load.Result]] = {"kontakt": [], "helpdesk": []}
    warm(stage.kontakt.port, kontakt)
    warm(stage.helpdesk.port, helpdesk)
    for number in range(rounds):
        order = [
            ("kontakt", kontakt, stage.kontakt.port),
            ("helpdesk", helpdesk, stage.helpdesk.port),
        ]
        for side, make, port in order if number % 2 == 0 else reversed(order):
            base = per_round * number + 10

            def shifted(n: int, make=make, base=base) -> load.Request:  # type: ignore[no-untyped-def]
                return make(base + n)

            result = load.closed_loop(port, shifted, clients=clients, total=per_round)
            runs[side].append(result)
            log(f"create {side} round {number + 1}: {result.summary()}")
    return _compare(runs, higher_is_better=True)


def measure_search(stage: peer.Stage, *, kontakt_rounds: int, helpdesk_rounds: int) -> dict:  # type: ignore[type-arg]
    words = len(corpus.SEARCH_WORDS)
    kontakt = kontakt_search(stage.kontakt_info["token"])
    helpdesk = helpdesk_search(stage.helpdesk_info["staff_session"])
    runs: dict[str, list[load.Result]] = {"kontakt": [], "helpdesk": []}
    warm(stage.kontakt.port, kontakt, words)
    warm(stage.helpdesk.port, helpdesk, 2)
    for number in range(max(kontakt_rounds, helpdesk_rounds)):
        if number < kontakt_rounds:
            result = load.closed_loop(stage.kontakt.port, kontakt, clients=1, total=words)
            runs["kontakt"].append(result)
            log(f"search kontakt round {number + 1}: {result.summary()}")
        if number < helpdesk_rounds:
            result = load.closed_loop(stage.helpdesk.port, helpdesk, clients=1, total=words)
            runs["helpdesk"].append(result)
            log(f"search helpdesk round {number + 1}: {result.summary()}")
    return _compare(runs, higher_is_better=False)


def _compare(runs: dict[str, list[load.Result]], *, higher_is_better: bool) -> dict:  # type: ignore[type-arg]
    """Per side: throughput as the median of rounds, latency percentiles over all requests."""
    figures = {}
    for side, results in runs.items():
        latencies = [value for result in results for value in result.latencies]
        figures[side] = {
            "rounds": len(results),
            "requests": len(latencies),
            "errors": sum(r.errors for r in results),
            "per_second": round(statistics.median(r.throughput for r in results), 2),
            "per_second_rounds": [round(r.throughput, 2) for r in results],
            "p50_ms": round(load.percentile(latencies, 50) * 1000, 1),
            "p95_ms": round(load.percentile(latencies, 95) * 1000, 1),
        }
    ours, theirs = figures["kontakt"], figures["helpdesk"]
    if higher_is_better:
        figures["ratio"] = (
            round(ours["per_second"] / theirs["per_second"], 2) if theirs["per_second"] else None
        )
    else:
        figures["ratio"] = round(theirs["p50_ms"] / ours["p50_ms"], 1) if ours["p50_ms"] else None
        figures["ratio_p95"] = (
            round(theirs["p95_ms"] / ours["p95_ms"], 1) if ours["p95_ms"] else None
        )
    return figures


def selector_in_process(side: peer.Side, repeat: int) -> dict:  # type: ignore[type-arg]
    result = side.run("search", "--repeat", str(repeat))
    seconds = [value for values in result["seconds"].values() for value in values]
    return {
        "vendor": result["vendor"],
        "queries": len(seconds),
        "p50_ms": round(load.percentile(seconds, 50) * 1000, 1),
        "p95_ms": round(load.percentile(seconds, 95) * 1000, 1),
    }


def sqlite_search(sizes: list[int], repeat: int, directory: Path) -> dict:  # type: ignore[type-arg]
    """Kontakt embedded: SQLite in WAL mode with FTS5, the selector timed in-process."""
    directory.mkdir(parents=True, exist_ok=True)
    side = peer.kontakt_sqlite_side(directory / "kontakt.sqlite3", directory / "var")
    side.run("setup")
    figures, seeded = {}, 0
    for size in sizes:
        log(f"sqlite: seeding {size - seeded} rows")
        side.run("seed", "--start", str(seeded), "--count", str(size - seeded))
        seeded = size
        figures[str(size)] = selector_in_process(side, repeat)
        log(f"sqlite {size}: {figures[str(size)]}")
    return figures


def goals(report: dict, largest: int) -> dict:  # type: ignore[type-arg]
    sizes = report["sizes"]
    at_largest = sizes[str(largest)]
    return {
        "create_2x_helpdesk": all(
            s["create"]["ratio"] and s["create"]["ratio"] >= 2 for s in sizes.values()
        ),
        "search_10x_helpdesk_at_largest": bool(
            at_largest["search"]["ratio"] and at_largest["search"]["ratio"] >= 10
        ),
        "search_p95_50ms_postgres_at_largest": at_largest["search"]["kontakt"]["p95_ms"] <= 50,
        "largest": largest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="5 k cases, 100 creates a side: under a minute"
    )
    parser.add_argument("--sizes", help="comma-separated case counts (default 100000,1000000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per side")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients creating")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite search figures")
    args = parser.parse_args()
    if args.quick:
        sizes = [5_000]
        create_rounds, per_round, kontakt_rounds, helpdesk_rounds, selector_repeat = 1, 100, 2, 1, 1
    else:
        sizes = [100_000, 1_000_000]
        create_rounds, per_round, kontakt_rounds, helpdesk_rounds, selector_repeat = 3, 300, 5, 2, 3
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    began = time.time()
    report: dict = {  # type: ignore[type-arg]
        "benchmark": "cases_vs_helpdesk",
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "workers": args.workers,
        "create_clients": args.clients,
        "sizes": {},
    }
    with peer.Stage("cases", args.workers) as stage:
        report["versions"] = peer.versions()
        report["machine"] = peer.machine()
        for size in sizes:
            seeding = stage.grow(size)
            log(f"seeded {size}: {seeding}")
            if stage.kontakt.server is None:
                stage.serve()
            figures: dict = {"seeding": seeding}  # type: ignore[type-arg]
            figures["create"] = measure_create(
                stage, rounds=create_rounds, per_round=per_round, clients=args.clients
            )
            figures["search"] = measure_search(
                stage, kontakt_rounds=kontakt_rounds, helpdesk_rounds=helpdesk_rounds
            )
            figures["search_selector_postgres"] = selector_in_process(
                stage.kontakt, selector_repeat
            )
            log(
                f"{size}: create {figures['create']['ratio']}x, "
                f"search {figures['search']['ratio']}x"
            )
            report["sizes"][str(size)] = figures
        stage.stop()
        if not args.no_sqlite:
            report["search_selector_sqlite"] = sqlite_search(
                sizes, selector_repeat, stage.directory / "sqlite"
            )
    report["goals"] = goals(report, sizes[-1])
    report["seconds"] = round(time.time() - began)
    RESULTS.mkdir(exist_ok=True)
    name = (
        f"cases_vs_helpdesk-{'quick-' if args.quick else ''}{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, separators=(",", ":")))


if __name__ == "__main__":
    main()
