"""Telephony events ingested through the HTTP API, beside inserting the same rows with psycopg.

    .venv/bin/python bench/telephony_events.py            # 1,500 calls, 3 rounds: ~6 min
    .venv/bin/python bench/telephony_events.py --quick    # 200 calls, 1 round: ~35 s
    .venv/bin/python bench/telephony_events.py --profile  # then where a request's time goes

Kontakt is served on PostgreSQL as in the other benchmarks (gunicorn, sync workers, real
settings: DATABASE_URL, DEBUG off, SECRET_KEY) on a throwaway database, set up with five
answer groups, the 40 agents of the call streams and an exchange key. The call streams
(`harness/call_streams.py`): a day of a 40-agent center, each call offered, queued, then
ringing, answered, ended, or abandoned; posted roughly in time order with events moved
within a window, 3 % of the calls sent whole in reverse, and about 5 % of the events sent a
second time, always in a later request.

Configurations (client threads × events a request, calls of the stream): 4 × 100 and
8 × 100 with all the calls, 8 × 20 with 30 % of them and 8 × 1 with 5 % (quick: 4 × 100,
8 × 20 and 8 × 1). For each configuration the stream is posted to
`POST /api/v1/telephony/events` by N threads, each with its own connection, taking the next
request body as soon as theirs is answered, so the events of one call go out from several
threads in whatever order they get there. Before each run the telephony tables are emptied;
afterwards the database is checked: every event stored once (none lost, none twice), the
summed `accepted` equal to the rows and `duplicates` to the resends, one call row per call,
each in the state its events give.

The limit, in the same database with the same threads and requests: the same rows inserted
straight into a copy of `telephony_callevent` (its columns, unique event id and indexes)
with psycopg, one transaction per request: `executemany` of INSERT … ON CONFLICT (event_id)
DO NOTHING of the same events, resends included, and COPY of the distinct events. No HTTP,
no validation, no call rows.

Events per second are distinct events stored over wall time, first request to last answer;
the median of the rounds. Prints one JSON object as the last line (also kept under
bench/results/).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import call_streams, load, peer
from harness.host import log

RESULTS = Path(__file__).resolve().parent / "results"
DATABASE = "kontakt_bench_events"
GOAL = 1000
GUNICORN = "gunicorn==27.0.1"  # the version of the other benchmarks (docs/benchmarks.md)
PATH = "/api/v1/telephony/events"
RAW_TABLE = "bench_raw_callevent"
KONTAKT_TABLES = (
    "telephony_callevent",
    "telephony_call",
    "telephony_presence",
    "telephony_presencechange",
)
# What the summary keeps of the last round's checks.
LAST_ROUND = (
    "events_sent", "distinct_events", "resends", "requests", "connections", "accepted",
    "duplicates", "rows", "calls", "call_rows", "calls_in_wrong_state", "calls_sent_out_of_order",
    "calls_posted_from_several_threads",
)  # fmt: skip
COLUMNS = (
    "event_id", "call_id", "type", "at", "number", "caller", "answer_group", "agent", "digit",
    "source", "exchange_id", "received_at",
)  # fmt: skip


def ensure_gunicorn() -> None:
    """gunicorn for Kontakt in bench/.peers/kontakt-gunicorn, as peer.ensure_venvs makes it,
    without django-helpdesk's venv, which this benchmark does not need."""
    if (peer.KONTAKT_GUNICORN / "gunicorn").exists():
        return
    log(f"installing {GUNICORN} into {peer.KONTAKT_GUNICORN} (first run only)")
    subprocess.run(
        [str(peer.KONTAKT_PYTHON), "-m", "pip", "install", "-q", "--target",
         str(peer.KONTAKT_GUNICORN), GUNICORN],
        check=True,
    )  # fmt: skip


def kontakt(var_dir: Path) -> peer.Side:
    env = peer.kontakt_side(DATABASE, var_dir).env
    script = Path(__file__).resolve().parent / "harness" / "telephony_side.py"
    return peer.Side("kontakt", peer.KONTAKT_PYTHON, script, env, "kontakt.wsgi:application",
                     peer.REPO)  # fmt: skip


def connect():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(dbname=DATABASE, autocommit=True, **peer.PG)


# Posting through the API --------------------------------------------------------------------


def post_all(port: int, key: str, bodies: list[bytes], threads: int) -> dict:  # type: ignore[type-arg]
    """Every body posted once by `threads` threads taking the next one as theirs is answered."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    lock = threading.Lock()
    following = iter(range(len(bodies)))
    taken_by = [-1] * len(bodies)
    latencies: list[float] = []
    totals = {"accepted": 0, "duplicates": 0, "connections": 0}
    failures: list[str] = []
    start = threading.Barrier(threads + 1)

    def work(number: int) -> None:
        client = load.Client(port)
        start.wait()
        while True:
            with lock:
                index = next(following, None)
            if index is None:
                return
            request = load.Request("POST", PATH, headers, bodies[index])
            opened = client.connection is None
            began = time.perf_counter()
            try:
                status, body = client.send(request)
            except OSError as error:
                status, body = 0, str(error).encode()
            elapsed = time.perf_counter() - began
            with lock:
                taken_by[index] = number
                totals["connections"] += opened
                if status == 200:
                    answer = json.loads(body)
                    totals["accepted"] += answer["accepted"]
                    totals["duplicates"] += answer["duplicates"]
                    latencies.append(elapsed)
                else:
                    failures.append(f"{status}: {body[:300]!r}")

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "requests": len(bodies),
        "failed": len(failures),
        "failures": failures[:3],
        "taken_by": taken_by,
        "p50_ms": round(load.percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(load.percentile(latencies, 95) * 1000, 1),
        **totals,
    }


def kontakt_empty() -> None:
    with connect() as conn:
        conn.execute(f"TRUNCATE {', '.join(KONTAKT_TABLES)} CASCADE")


def kontakt_check(stream: list[call_streams.Call], plan: call_streams.Plan, posted: dict) -> dict:  # type: ignore[type-arg]
    """What the database holds after a run, against what was sent."""
    expected = {e["event_id"] for call in stream for e in call.events}
    with connect() as conn:
        rows, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM telephony_callevent"
        ).fetchone()
        stored = {r[0] for r in conn.execute("SELECT event_id FROM telephony_callevent")}
        states = dict(conn.execute("SELECT call_id, state FROM telephony_call").fetchall())
    wrong = [c.call_id for c in stream if states.get(c.call_id) != c.state]
    return {
        "events_sent": len(plan.sent),
        "distinct_events": len(expected),
        "resends": plan.resends,
        "rows": rows,
        "lost": len(expected - stored),
        "unexpected": len(stored - expected),
        "duplicated": rows - distinct,
        "accepted": posted["accepted"],
        "duplicates": posted["duplicates"],
        "accepted_equals_rows": posted["accepted"] == rows,
        "duplicates_equal_resends": posted["duplicates"] == plan.resends,
        "calls": len(stream),
        "call_rows": len(states),
        "calls_in_wrong_state": len(wrong),
    }


def disorder(plan: call_streams.Plan, bodies_per_batch: int, taken_by: list[int]) -> dict:  # type: ignore[type-arg]
    """How many calls had events sent out of time order, and posted from several threads."""
    seen: set[str] = set()
    by_call: dict[str, list[tuple[str, int]]] = {}
    for position, event in enumerate(plan.sent):
        if event["event_id"] in seen:
            continue
        seen.add(event["event_id"])
        thread = taken_by[position // bodies_per_batch]
        by_call.setdefault(event["call_id"], []).append((event["at"], thread))
    out_of_order = sum(
        1 for sent in by_call.values() if [at for at, _t in sent] != sorted(at for at, _t in sent)
    )
    threads = sum(1 for sent in by_call.values() if len({t for _at, t in sent}) > 1)
    return {"calls_sent_out_of_order": out_of_order, "calls_posted_from_several_threads": threads}


# The limit: the same rows straight into PostgreSQL -----------------------------------------


def raw_prepare() -> int:
    with connect() as conn:
        conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        conn.execute(f"CREATE TABLE {RAW_TABLE} (LIKE telephony_callevent INCLUDING ALL)")
        return int(conn.execute("SELECT id FROM telephony_exchange").fetchone()[0])


def raw_rows(events: list[dict[str, str]], exchange_id: int) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (
            e["event_id"], e["call_id"], e["type"], datetime.fromisoformat(e["at"]),
            e.get("number", ""), e.get("caller", ""), e.get("answer_group", ""),
            e.get("agent", ""), e.get("digit", ""), "api", exchange_id,
        )
        for e in events
    ]  # fmt: skip


def raw_insert(batches: list[list[tuple]], threads: int, how: str) -> dict:  # type: ignore[type-arg]
    """Each batch in its own transaction, by `threads` threads with a connection each."""
    insert = (
        f"INSERT INTO {RAW_TABLE} ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * (len(COLUMNS) - 1))}, now()) "
        "ON CONFLICT (event_id) DO NOTHING"
    )
    copy = f"COPY {RAW_TABLE} ({', '.join(COLUMNS)}) FROM STDIN"
    import psycopg

    lock = threading.Lock()
    following = iter(range(len(batches)))
    failures: list[str] = []
    retries = 0
    start = threading.Barrier(threads + 1)

    def work() -> None:
        nonlocal retries
        with connect() as conn:
            start.wait()
            while True:
                with lock:
                    index = next(following, None)
                if index is None:
                    return
                # In event id order, as two batches with a resend in common would otherwise
                # take the two ids' locks in opposite orders and deadlock.
                rows = sorted(batches[index])
                for attempt in range(5):
                    try:
                        with conn.transaction(), conn.cursor() as cursor:
                            if how == "copy":
                                received = datetime.now(UTC)
                                with cursor.copy(copy) as block:
                                    for row in rows:
                                        block.write_row((*row, received))
                            elif len(rows) == 1:
                                cursor.execute(insert, rows[0])
                            else:
                                cursor.executemany(insert, rows)
                        break
                    except psycopg.errors.DeadlockDetected as error:
                        with lock:
                            retries += 1
                            if attempt == 4:
                                failures.append(repr(error)[:300])
                    except Exception as error:
                        with lock:
                            failures.append(repr(error)[:300])
                        break

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    with connect() as conn:
        rows, distinct = conn.execute(
            f"SELECT count(*), count(DISTINCT event_id) FROM {RAW_TABLE}"
        ).fetchone()
        conn.execute(f"TRUNCATE {RAW_TABLE}")
    return {
        "seconds": seconds,
        "failed": len(failures),
        "failures": failures[:3],
        "deadlocks_retried": retries,
        "rows": rows,
        "duplicated": rows - distinct,
    }


# One configuration, all sides ---------------------------------------------------------------


def run_configuration(
    port: int, key: str, exchange_id: int, stream: list[call_streams.Call], *, threads: int,
    batch: int, round_number: int, copy: bool,
) -> dict:  # type: ignore[type-arg]  # fmt: skip
    # The window of the reordering: an event may go out as late as the events in flight.
    plan = call_streams.send_order(stream, batch=batch, window=batch * threads)
    bodies = call_streams.bodies(plan.sent, batch)
    rows = raw_rows(plan.sent, exchange_id)
    batches = [rows[n : n + batch] for n in range(0, len(rows), batch)]
    first: set[str] = set()
    distinct_rows = [r for r in rows if r[0] not in first and not first.add(r[0])]
    distinct_batches = [distinct_rows[n : n + batch] for n in range(0, len(distinct_rows), batch)]
    name = f"{threads} threads × {batch}"
    sides = ["kontakt", "executemany"] + (["copy"] if copy else [])
    if round_number % 2:
        sides.reverse()
    out: dict = {}  # type: ignore[type-arg]
    for side in sides:
        if side == "kontakt":
            kontakt_empty()
            posted = post_all(port, key, bodies, threads)
            check = kontakt_check(stream, plan, posted)
            spread = disorder(plan, batch, posted.pop("taken_by"))
            rate = plan.distinct / posted["seconds"]
            out[side] = {
                "events_per_second": round(rate, 1),
                "requests_per_second": round(len(bodies) / posted["seconds"], 1),
                **{k: v for k, v in posted.items() if k != "seconds"},
                "seconds": round(posted["seconds"], 2),
                **check,
                **spread,
            }
            log(
                f"{name} kontakt: {rate:,.0f} events/s, {posted['requests']} requests "
                f"p50 {posted['p50_ms']} ms p95 {posted['p95_ms']} ms, failed "
                f"{posted['failed']}, lost {check['lost']}, duplicated {check['duplicated']}, "
                f"accepted {check['accepted']}/{check['rows']} rows, duplicates "
                f"{check['duplicates']}/{check['resends']} resends, calls "
                f"{check['call_rows']}/{check['calls']} ({check['calls_in_wrong_state']} wrong)"
            )
            for failure in posted["failures"]:
                log(f"  failed: {failure}")
        else:
            raw = raw_insert(distinct_batches if side == "copy" else batches, threads, side)
            rate = plan.distinct / raw["seconds"]
            out[side] = {
                "events_per_second": round(rate, 1),
                "seconds": round(raw["seconds"], 2),
                "rows": raw["rows"],
                "lost": plan.distinct - raw["rows"],
                "duplicated": raw["duplicated"],
                "failed": raw["failed"],
                "deadlocks_retried": raw["deadlocks_retried"],
            }
            log(
                f"{name} psycopg {side}: {rate:,.0f} events/s, rows {raw['rows']}, failed "
                f"{raw['failed']}, deadlocks retried {raw['deadlocks_retried']}"
            )
            for failure in raw["failures"]:
                log(f"  failed: {failure}")
    return out


def summary(rounds: list[dict]) -> dict:  # type: ignore[type-arg]
    """Median events/s of the rounds per side, with each round's, and the ratios."""
    out: dict = {}  # type: ignore[type-arg]
    for side in rounds[0]:
        rates = [r[side]["events_per_second"] for r in rounds]
        out[side] = {
            "events_per_second": round(statistics.median(rates), 1),
            "rounds": rates,
            "lost": sum(r[side]["lost"] for r in rounds),
            "duplicated": sum(r[side]["duplicated"] for r in rounds),
        }
        if side == "kontakt":
            last = rounds[-1][side]
            out[side].update(
                {
                    "failed_requests": sum(r[side]["failed"] for r in rounds),
                    "p50_ms": statistics.median(r[side]["p50_ms"] for r in rounds),
                    "p95_ms": statistics.median(r[side]["p95_ms"] for r in rounds),
                    "all_checks_pass": all(
                        r[side]["lost"] == 0
                        and r[side]["duplicated"] == 0
                        and r[side]["unexpected"] == 0
                        and r[side]["failed"] == 0
                        and r[side]["accepted_equals_rows"]
                        and r[side]["duplicates_equal_resends"]
                        and r[side]["call_rows"] == r[side]["calls"]
                        and r[side]["calls_in_wrong_state"] == 0
                        for r in rounds
                    ),
                    "last_round": {k: last[k] for k in LAST_ROUND},
                }
            )
    ours = out["kontakt"]["events_per_second"]
    out["ratio_to_executemany"] = round(ours / out["executemany"]["events_per_second"], 3)
    if "copy" in out:
        out["ratio_to_copy"] = round(ours / out["copy"]["events_per_second"], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 calls, one round: < 60 s")
    parser.add_argument("--calls", type=int, help="calls posted 100 a request (default 1500)")
    parser.add_argument("--rounds", type=int, help="rounds of every configuration (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--profile", action="store_true", help="then profile one process")
    args = parser.parse_args()
    # (threads, events a request, calls of the stream posted): fewer calls where each event
    # costs more, so that every configuration takes a similar time.
    if args.quick:
        calls, rounds = args.calls or 200, 1
        configurations = [(4, 100, calls), (8, 20, calls // 2), (8, 1, calls * 3 // 20)]
    else:
        calls, rounds = args.calls or 1500, 3
        configurations = [(4, 100, calls), (8, 100, calls), (8, 20, calls * 3 // 10),
                          (8, 1, calls // 20)]  # fmt: skip
    rounds = args.rounds or rounds
    began = time.time()
    report: dict = {  # type: ignore[type-arg]
        "benchmark": "telephony_events",
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": peer.machine(),
        "workers": args.workers,
        "goal_events_per_second": GOAL,
    }
    ensure_gunicorn()
    stream = call_streams.calls(calls)
    report["stream"] = {
        "calls": len(stream),
        "events": sum(len(c.events) for c in stream),
        "answered": sum(c.answered for c in stream),
        "abandoned": sum(not c.answered for c in stream),
        "first_call_at": stream[0].events[0]["at"],
        "last_event_at": max(e["at"] for c in stream for e in c.events),
    }
    directory = Path(tempfile.mkdtemp(prefix="kontakt-events-"))
    side = kontakt(directory / "var")
    peer.database_create(DATABASE)
    try:
        log(f"migrating and setting up {DATABASE}")
        info = side.run("setup")
        exchange_id = raw_prepare()
        side.serve(args.workers)
        log(f"gunicorn on port {side.port}, {args.workers} sync workers")
        warm = call_streams.bodies([e for c in stream[:20] for e in c.events], 10)
        post_all(side.port, info["key"], warm, 2)
        results: dict[str, list[dict]] = {}  # type: ignore[type-arg]
        for number in range(rounds):
            for threads, batch, count in configurations:
                log(f"round {number + 1}: {threads} threads, {batch} events a request, "
                    f"{count} calls")  # fmt: skip
                out = run_configuration(
                    side.port, info["key"], exchange_id, stream[:count], threads=threads,
                    batch=batch, round_number=number, copy=batch > 1,
                )  # fmt: skip
                results.setdefault(f"threads_{threads}_batch_{batch}", []).append(out)
        side.stop()
        if args.profile:
            log("profiling one process in-process (statements timed, then cProfile)")
            report["profile"] = {
                str(batch): side.run("profile", "--calls", str(count), "--batch", str(batch))
                for batch, count in ((100, 300), (20, 300), (1, 60))
            }
    finally:
        side.stop()
        peer.database_drop(DATABASE)
    report["configurations"] = {name: summary(rounds_) for name, rounds_ in results.items()}
    report["rounds"] = rounds
    batched_rates = {
        name: c["kontakt"]["events_per_second"]
        for name, c in report["configurations"].items()
        if not name.endswith("_batch_1")
    }
    report["events_per_second"] = {
        name: c["kontakt"]["events_per_second"] for name, c in report["configurations"].items()
    }
    report["raw_psycopg_events_per_second"] = {
        name: {k: c[k]["events_per_second"] for k in ("executemany", "copy") if k in c}
        for name, c in report["configurations"].items()
    }
    report["ratios"] = {
        name: {k: c[k] for k in ("ratio_to_executemany", "ratio_to_copy") if k in c}
        for name, c in report["configurations"].items()
    }
    report["lost"] = sum(c["kontakt"]["lost"] for c in report["configurations"].values())
    report["duplicated"] = sum(
        c["kontakt"]["duplicated"] for c in report["configurations"].values()
    )
    report["all_checks_pass"] = all(
        c["kontakt"]["all_checks_pass"] for c in report["configurations"].values()
    )
    report["best_batched_events_per_second"] = max(batched_rates.values())
    report["meets_goal"] = bool(
        min(batched_rates.values()) >= GOAL
        and report["lost"] == 0
        and report["duplicated"] == 0
        and report["all_checks_pass"]
    )
    report["meets_goal_rule"] = (
        "every batched configuration >= goal, zero lost, zero duplicated, every check passes"
    )
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["seconds"] = round(time.time() - began)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"telephony_events-{'quick-' if args.quick else ''}{stamp}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    if "profile" in report:
        for batch, found in report["profile"].items():
            log(f"profile, {batch} events a request: {json.dumps(found['timed'])}")
            for statement in found["statements"]:
                log(f"  {statement}")
        report["profile"] = {b: {k: v for k, v in p.items() if k != "cprofile"}
                             for b, p in report["profile"].items()}  # fmt: skip
    log(f"done in {report['seconds']} s; results in bench/results/{name}")
    print(json.dumps(report, separators=(",", ":"), ensure_ascii=False))


if __name__ == "__main__":
    main()
