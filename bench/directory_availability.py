"""Direct-number availability at 50,000 employees, on SQLite and PostgreSQL, beside the naive
peer that parses each person's iCalendar feed at request time.

    .venv/bin/python bench/directory_availability.py           # 50,000 employees (5–8 min)
    .venv/bin/python bench/directory_availability.py --quick   # 2,000 employees (about 60 s)
    BENCH_PROFILE=1 …                                          # and where our API's time goes

What it does:

1. Makes a fresh SQLite file in a temp dir and a database `bench_directory_availability`
   on the PostgreSQL at 127.0.0.1:5432 (user postgres, trust).
2. In one child process of Kontakt's venv per engine, one engine after the other
   (bench/harness/directory_side.py): migrates; makes the employees with direct numbers, 30 %
   of them with a published calendar (a weekly meeting with an EXDATE, a one-off meeting,
   sometimes all-day leave covering now, a free and a cancelled event), read into absences
   by Kontakt's own `calendars.feed_read`.
3. Times lookups of numbers in local formatting ("040-7001234"), half of them people with a
   calendar: ours through the API in process (the exchange's token, routing, the holder,
   the stored absences, the message in Swedish, JSON) and through the selectors alone; the
   peer — an integration without stored absences — finds the holder the same way and parses
   their calendar with icalendar + recurring-ical-events (`at(now)`) at request time, from
   the database (no HTTP fetch, which would only add to its time). The sides alternate
   which goes first; whether to ring is compared between them.
4. Reports p50/p95/mean per side and engine, wall-clock and the process's CPU time (on a
   shared machine the CPU time shows the work itself), the p95 ratio, whether our API's
   p95 is within 10 ms. Drops the database.

The last line of standard output is one JSON object (also saved under bench/results/);
everything else goes to standard error.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import host
from harness.host import log

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
SIDE = BENCH / "harness" / "directory_side.py"
DATABASE = "bench_directory_availability"
GOAL_P95_MS = 10
SECRET_KEY = "benchmark-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        dbname="postgres", host="127.0.0.1", port=5432, user="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def child_env(engine: str, directory: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "BENCH_PROFILE")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "SECRET_KEY": SECRET_KEY,
            "KONTAKT_VAR_DIR": str(directory / f"{engine}-var"),
            "PYTHONPATH": str(REPO),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "TIME_ZONE": "Europe/Stockholm",
            "KONTAKT_SWITCHBOARD_NUMBER": "+46406280400",
        }
    )
    if engine == "sqlite":
        env["KONTAKT_SQLITE_PATH"] = str(directory / "directory.sqlite3")
    else:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    return env


def run_engine(engine: str, directory: Path, args: list[str]) -> dict[str, object]:
    log(f"{engine}: migrating, seeding, reading the calendars, timing")
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, str(SIDE), "run", *args],
        env=child_env(engine, directory),
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    result = json.loads(process.stdout.strip().splitlines()[-1])
    result["seconds"] = round(time.monotonic() - started, 1)
    api = result["ours_api"]
    peer = result["peer_parse_at_request"]
    log(
        f"{engine}: ours p95 {api['p95_ms']} ms (selectors {result['ours_selectors']['p95_ms']}"
        f" ms), peer p95 {peer['p95_ms']} ms; CPU p95 ours {result['cpu']['api']['p95_ms']} ms,"
        f" peer {result['cpu']['peer']['p95_ms']} ms"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 employees, about 60 s")
    parser.add_argument("--engines", default="sqlite,postgresql")
    options = parser.parse_args()
    if options.quick:
        args = ["--employees", "2000", "--lookups", "200", "--peer-lookups", "60"]
    else:
        args = ["--employees", "50000", "--lookups", "1500", "--peer-lookups", "300"]
    engines = [engine for engine in options.engines.split(",") if engine]
    directory = Path(tempfile.mkdtemp(prefix="kontakt-directory-"))
    results = {}
    try:
        for engine in engines:
            if engine == "postgresql":
                psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
                psql(f'CREATE DATABASE "{DATABASE}"')
            try:
                results[engine] = run_engine(engine, directory, args)
            finally:
                if engine == "postgresql":
                    psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    report = {
        "benchmark": "directory_availability",
        "quick": options.quick,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": host.machine(),
        "goal_p95_ms": GOAL_P95_MS,
        "within_goal": {
            engine: result["ours_api"]["p95_ms"] <= GOAL_P95_MS  # type: ignore[index]
            for engine, result in results.items()
        },
        "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"directory_availability{'-quick' if options.quick else ''}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
