"""Reliability (a): 100 agents and an exchange for 10 minutes on PostgreSQL under gunicorn.

    .venv/bin/python bench/reliability_load.py            # 100 agents, 10 min: ~12 min
    .venv/bin/python bench/reliability_load.py --quick    # 20 agents, 15 s: ~45 s in all

A throwaway database on the PostgreSQL server at 127.0.0.1:5432 (`bench_reliability_load`)
is migrated and seeded as `kontakt demo` does (the quick mode leaves out the months of
traffic and the staff), with the agents added (harness/reliability_side.py). Kontakt is
served by gunicorn from its own venv, as docs/operations.md says to serve it: sync workers
(2 × cores + 1), a 30 s timeout, DEBUG off, the database pool of the settings. The load is
locust (installed on first use into bench/.peers/locust-venv, never a dependency of Kontakt)
running harness/locustfile.py headless: each agent signs in, then with 2–8 s between steps
opens the desktop, searches residents and articles, opens a resident, logs contacts through
the desk's form and the API, and presses Ready or Pause; the exchange posts three calls'
events every second.

Reported: every request kind's count, failures and percentiles (p50, p95, p99, max), the
peak of the server's connections to the database (pg_stat_activity, sampled every 0.2 s),
and the writes checked in the database afterwards: each contact and call event answered 2xx
is there once. Prints one JSON object as the last line (also kept under bench/results/).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import host, peer
from harness.host import log

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
DATABASE = "bench_reliability_load"
LOCUST_VENV = peer.PEERS / "locust-venv"
LOCUST = "locust==2.47.0"


def locust_python() -> Path:
    return host.peer_venv(LOCUST_VENV, [LOCUST])


def kontakt_env(database: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        SECRET_KEY=peer.SECRET_KEY,
        KONTAKT_VAR_DIR=str(var_dir),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        KONTAKT_SMS_BACKEND="memory",
        # This checkout's kontakt, whichever the venv's editable install points at.
        PYTHONPATH=str(peer.REPO),
        **extra,
    )
    return env


def gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    """gunicorn serving Kontakt as in production: sync workers, a 30 s timeout."""
    command = [
        str(peer.KONTAKT_PYTHON), "-m", "gunicorn", "kontakt.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--timeout", "30", "--graceful-timeout", "10", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=peer.REPO, start_new_session=True)


def wait_until_up(port: int, seconds: float = 60) -> float:
    """Seconds until /login/ answers 200."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as answer:
                if answer.status == 200:
                    return time.monotonic() - began
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"Kontakt did not answer on port {port} within {seconds} s")


class ConnectionSampler(threading.Thread):
    """The server's connections to one database, sampled from pg_stat_activity."""

    def __init__(self, database: str, connect: dict[str, object], every: float = 0.2):
        # Autocommit: within one transaction pg_stat_activity would show its first snapshot.
        super().__init__(daemon=True)
        self.database, self.connect, self.every = database, connect, every
        self.peak = 0
        self.samples: list[int] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        import psycopg

        while not self.stopping.is_set():
            try:
                with psycopg.connect(
                    dbname="postgres", connect_timeout=2, autocommit=True, **self.connect
                ) as db:  # type: ignore[arg-type]
                    while not self.stopping.wait(self.every):
                        row = db.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                            [self.database],
                        ).fetchone()
                        count = int(row[0])  # type: ignore[index]
                        self.samples.append(count)
                        self.peak = max(self.peak, count)
            except psycopg.OperationalError:
                time.sleep(self.every)

    def stop(self) -> dict[str, object]:
        self.stopping.set()
        self.join(timeout=5)
        ordered = sorted(self.samples) or [0]
        return {
            "peak": self.peak,
            "median": ordered[len(ordered) // 2],
            "samples": len(self.samples),
        }


def read_stats(prefix: Path) -> dict[str, dict[str, object]]:
    """locust's CSV summary: per request kind its count, failures and percentiles (ms)."""
    pages: dict[str, dict[str, object]] = {}
    with open(f"{prefix}_stats.csv", newline="") as file:
        for row in csv.DictReader(file):
            name = row["Name"] if row["Type"] in ("", "None") else f"{row['Name']}"
            pages[name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "per_second": round(float(row["Requests/s"]), 2),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
                "max_ms": round(float(row["Max Response Time"]), 1),
            }
    return pages


def _ms(value: str) -> float | None:
    return None if value in ("N/A", "") else float(value)


def read_failures(prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as file:
        return list(csv.DictReader(file))[:20]


def writes_check(database: str, pages: dict[str, dict[str, object]]) -> dict[str, object]:
    """Every contact and call event the server answered 2xx for is stored once."""
    import psycopg

    with psycopg.connect(dbname=database, **peer.PG) as db:  # type: ignore[arg-type]
        contacts, distinct = db.execute(
            "SELECT count(*), count(DISTINCT summary) FROM cases_contact "
            "WHERE summary LIKE 'Load test contact %%'"
        ).fetchone()  # type: ignore[misc]
        events, distinct_events = db.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM telephony_callevent "
            "WHERE call_id LIKE 'load-%%'"
        ).fetchone()  # type: ignore[misc]

    def answered(name: str) -> int:
        page = pages.get(name, {})
        return int(page.get("requests", 0)) - int(page.get("failures", 0))  # type: ignore[call-overload]

    acknowledged = answered("POST /desk/contacts/") + answered("POST /api/v1/contacts")
    acknowledged_events = 15 * answered("POST /api/v1/telephony/events")
    return {
        "contacts_acknowledged": acknowledged,
        "contacts_stored": contacts,
        "contacts_distinct": distinct,
        "events_acknowledged": acknowledged_events,
        "events_stored": events,
        "events_distinct": distinct_events,
        "ok": acknowledged == contacts == distinct
        and acknowledged_events == events == distinct_events,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 agents for 15 s")
    parser.add_argument("--agents", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    agents = args.agents or (20 if args.quick else 100)
    seconds = args.seconds or (15 if args.quick else 600)
    started = datetime.now(UTC)
    python = locust_python()
    scratch = Path(tempfile.mkdtemp(prefix="kontakt-reliability-load-"))
    env = kontakt_env(DATABASE, scratch / "var")
    peer.database_create(DATABASE)
    server = None
    try:
        log(f"migrating and seeding {DATABASE} ({'quick' if args.quick else 'full demo'})")
        setup = subprocess.run(
            [str(peer.KONTAKT_PYTHON), str(BENCH / "harness" / "reliability_side.py"), "setup",
             "--agents", str(agents), *([] if args.quick else ["--full"])],
            env=env, cwd=peer.REPO, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        config = scratch / "config.json"
        config.write_text(setup.stdout.strip().splitlines()[-1])
        port = peer.free_port()
        server = gunicorn(env, port, args.workers)
        wait_until_up(port)
        sampler = ConnectionSampler(DATABASE, peer.PG)
        sampler.start()
        log(f"{agents} agents and an exchange for {seconds} s on :{port}, {args.workers} workers")
        prefix = scratch / "locust"
        locust = subprocess.run(
            [str(python), "-m", "locust", "-f", str(BENCH / "harness" / "locustfile.py"),
             "--headless", "--users", str(agents + 1), "--spawn-rate", "20",
             "--run-time", f"{seconds}s", "--stop-timeout", "10",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
             "--loglevel", "WARNING"],
            env={**os.environ, "RELIABILITY_CONFIG": str(config)},
            capture_output=True, text=True,
        )  # fmt: skip
        connections = sampler.stop()
        pages = read_stats(prefix)
        total = pages.pop("Aggregated")
        result = {
            "benchmark": "reliability_load",
            "quick": args.quick,
            "date": started.isoformat(timespec="seconds"),
            "machine": peer.machine(),
            "agents": agents,
            "seconds": seconds,
            "gunicorn_workers": args.workers,
            "pool": {"max_size": int(env.get("DATABASE_POOL_MAX_SIZE", "4"))},
            "total": total,
            "pages": pages,
            "failures": read_failures(prefix),
            "database_connections": connections,
            "writes": writes_check(DATABASE, pages),
            "locust_exit": locust.returncode,
        }
        result["errors"] = total["failures"]
        result["ok"] = (
            total["failures"] == 0 and result["writes"]["ok"]  # type: ignore[index]
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        peer.database_drop(DATABASE)
    RESULTS.mkdir(exist_ok=True)
    name = f"reliability_load-{'quick-' if args.quick else ''}{started:%Y%m%dT%H%M%S}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
