"""Reliability: 50 concurrent clients against Kontakt under gunicorn, with the database's
connections counted. Does the server answer without exhausting PostgreSQL?

    .venv/bin/python bench/pg_connections.py            # 60 s per configuration: ~5 min
    .venv/bin/python bench/pg_connections.py --quick    # 10 s per configuration

Its own PostgreSQL (as bench/reliability_faults.py makes it: a temp directory, a free
loopback port, max_connections 100), so the shared server is never pushed to its limit.
50 client threads send back to back, each request one of: the desk's resident search through
the API (`GET /api/v1/residents?q=`), the contact search (`GET /api/v1/contacts`), a contact
logged (`POST /api/v1/contacts`) or a call's events posted (`POST /api/v1/telephony/events`).
Configurations, each on a fresh gunicorn:

- `sync`: 5 sync workers (2 × cores + 1, as docs/operations.md serves), the settings' pool;
- `gthread`: 4 workers × 32 threads, the settings' pool (at most 4 connections a worker);
- `gthread, no pool`: the same server with DATABASE_POOL_MAX_SIZE=0 and
  DATABASE_CONN_MAX_AGE=60, what the settings did before: a connection kept per thread.

For each: requests, errors (any answer but the expected one, by status), p50/p95 latency,
and the peak and final number of the server's connections in pg_stat_activity. Prints one
JSON object as the last line (also kept under bench/results/).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import host, load, peer
from harness.host import log
from reliability_faults import OwnPostgres, pg_version
from reliability_load import ConnectionSampler, kontakt_env, wait_until_up

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
CLIENTS = 50


def requests_for(config: dict) -> Callable[[int], load.Request]:  # type: ignore[type-arg]
    token = {"Authorization": f"Bearer {config['token']}", "Content-Type": "application/json"}
    exchange = {"Authorization": f"Bearer {config['key']}", "Content-Type": "application/json"}
    residents = config["residents"]
    case_type = config["case_types"][0][0]

    def make(number: int) -> load.Request:
        pk, name = residents[number % len(residents)]
        kind = number % 4
        if kind == 0:
            query = name.split()[-1].encode("ascii", "ignore").decode() or "a"
            return load.Request("GET", f"/api/v1/residents?q={query}", token)
        if kind == 1:
            return load.Request("GET", f"/api/v1/contacts?resident_id={pk}&limit=10", token)
        if kind == 2:
            body = {"channel": "phone", "outcome": "closed", "resident_id": pk,
                    "case_type": case_type, "summary": f"Connections bench {number}"}  # fmt: skip
            return load.Request("POST", "/api/v1/contacts", token, json.dumps(body).encode(),
                                expect=(201,))  # fmt: skip
        call = f"conn-{uuid.uuid4().hex[:12]}"
        at = datetime.now(UTC) - timedelta(minutes=1)
        events = [{"event_id": f"{call}-1", "call_id": call, "type": "offered",
                   "at": at.isoformat(), "number": "+46406280400"}]  # fmt: skip
        return load.Request("POST", "/api/v1/telephony/events", exchange,
                            json.dumps({"events": events}).encode(), expect=(200, 201))  # fmt: skip

    return make


def serve(env: dict[str, str], port: int, *worker_args: str) -> subprocess.Popen[bytes]:
    command = [
        str(peer.KONTAKT_PYTHON), "-m", "gunicorn", "kontakt.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--timeout", "30", "--log-level", "warning",
        *worker_args,
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=peer.REPO, start_new_session=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 10 if args.quick else 60
    started = datetime.now(UTC)
    scratch = Path(tempfile.mkdtemp(prefix="kontakt-pg-connections-"))
    os.chmod(scratch, 0o755)
    pg = OwnPostgres(scratch / "postgres")
    runs = []
    try:
        pg.init()
        with pg.connect() as db:
            db.execute("CREATE DATABASE kontakt")
        base = kontakt_env("kontakt", scratch / "var")
        base["DATABASE_URL"] = pg.url("kontakt")
        log("migrating and seeding")
        setup = subprocess.run(
            [str(peer.KONTAKT_PYTHON), str(BENCH / "harness" / "reliability_side.py"), "setup",
             "--agents", "1", "--minimal"],
            env=base, cwd=peer.REPO, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        config = json.loads(setup.stdout.strip().splitlines()[-1])
        workers = 2 * (os.cpu_count() or 1) + 1
        configurations = [
            ("sync", {}, ["--workers", str(workers), "--worker-class", "sync"]),
            ("gthread", {}, ["--workers", "4", "--worker-class", "gthread", "--threads", "32"]),
            ("gthread, no pool",
             {"DATABASE_POOL_MAX_SIZE": "0", "DATABASE_CONN_MAX_AGE": "60"},
             ["--workers", "4", "--worker-class", "gthread", "--threads", "32"]),
        ]  # fmt: skip
        for name, extra, worker_args in configurations:
            port = peer.free_port()
            server = serve({**base, **extra}, port, *worker_args)
            try:
                wait_until_up(port)
                sampler = ConnectionSampler("kontakt", {"host": "127.0.0.1", "port": pg.port,
                                                        "user": "postgres"})  # fmt: skip
                sampler.start()
                log(f"{name}: {CLIENTS} clients for {seconds} s")
                result = load.closed_loop(
                    port, requests_for(config), clients=CLIENTS, seconds=seconds
                )
                time.sleep(1)
                connections = sampler.stop()
                with pg.connect() as db:
                    final = db.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'kontakt'"
                    ).fetchone()[0]  # type: ignore[index]
            finally:
                server.terminate()
                server.wait(timeout=30)
            runs.append({
                "configuration": name,
                "server": " ".join(worker_args),
                "settings": extra or "defaults (pool: DATABASE_POOL_MAX_SIZE=4)",
                **result.summary(),
                "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
                "connections_peak": connections["peak"],
                "connections_after_load": final,
            })  # fmt: skip
            log(f"  {runs[-1]}")
        output = {
            "benchmark": "pg_connections",
            "quick": args.quick,
            "date": started.isoformat(timespec="seconds"),
            "machine": {**host.machine(), "postgresql": pg_version(pg)},
            "clients": CLIENTS,
            "seconds": seconds,
            "max_connections": 100,
            "runs": runs,
            "ok": all(r["errors"] == 0 for r in runs[:2]),
        }
    finally:
        pg.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    name = f"pg_connections-{'quick-' if args.quick else ''}{started:%Y%m%dT%H%M%S}.json"
    (RESULTS / name).write_text(json.dumps(output, indent=2))
    print(json.dumps(output))


if __name__ == "__main__":
    main()
