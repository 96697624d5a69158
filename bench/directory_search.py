"""The directory's search on SQLite and PostgreSQL, beside a plain `icontains` filter.

    .venv/bin/python bench/directory_search.py            # 50,000 employees, 5 rounds
    .venv/bin/python bench/directory_search.py --quick    # 2,000 employees, 70 searches, 1 round

What it does:

1. Makes a fresh SQLite file in a temp dir and a database `bench_directory_search` on the
   PostgreSQL at 127.0.0.1:5432 (user postgres, trust).
2. Per engine, in a child process of this Python, both engines at once: migrates, makes
   six departments with 27 units and two shared functions, and loads the employees of
   bench/harness/people.py (realistic Swedish and Norwegian names, double given and
   family names, titles, "ask me about" words of their unit, direct numbers and mobiles;
   2 % leavers, 8 % absent now, 15 % on a call or do-not-disturb): bulk_create in
   batches, then the search index written by `directory.search.index_employees` per
   batch (what `employee_save` does per entry).
3. In a fresh child per engine: 140 searches as an operator types them, seven kinds in
   turn: the exact name, the name with a typo in the family name (a letter wrong, missing,
   doubled, or two swapped), the name without Nordic letters ("Jorgen Nystrom"), beginnings
   ("Tov Mathi"), double names written apart or together ("Per Olof Myhre", "Tone
   NygårdBerge"), a direct number in any formatting or its last seven digits, and an "ask
   me about" word. Each is timed in-process as
   `directory.selectors.employee_search(query, limit=20)`, beside the peer: the plain
   filter on the same data — `display_name`, `title`, `keywords` or `direct_number`
   `icontains` the query, active, first 20 by name, with the same related rows loaded.
   The two sides alternate which goes first.
4. Reports p50/p95/mean per engine for both, the ratio (peer over ours), whether our p95
   is within the goal (20 ms on PostgreSQL, 30 ms on SQLite), and recall@5 per kind: how
   often one of the people a search is meant to find (the namesakes of its person, the
   owner of the number, anyone with the word) is among the first five.

The last line of standard output is one JSON object (also saved under bench/results/);
everything else goes to standard error.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(REPO))

from harness import host, peer  # noqa: E402
from harness import people as generator  # noqa: E402
from harness.host import log  # noqa: E402

RESULTS = BENCH / "results"
DATABASE = "bench_directory_search"
GOAL_P95_MS = {"postgresql": 20, "sqlite": 30}
QUERIES = 140
TOP = 5
LIMIT = 20
WARM = 20


# The child: loads, or measures, on the database its environment names ----------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")
    import django

    django.setup()


def child_load(count: int) -> dict[str, object]:
    _django()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from kontakt.directory import search
    from kontakt.directory.models import Absence, Department, Employee, Unit, UnitKind

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    units: dict[str, Unit] = {}
    for position, (name, unit_names) in enumerate(generator.DEPARTMENTS.items()):
        department = Department.objects.create(name=name, code=f"d{position}")
        for unit_name in unit_names:
            units[unit_name] = Unit.objects.create(department=department, name=unit_name)
    schools = Department.objects.get(code="d2")
    Unit.objects.create(
        department=schools,
        name="Växel Skolförvaltningen",
        kind=UnitKind.FUNCTION,
        phone="+46406280500",
        keywords="frånvaroanmälan skolskjuts",
    )
    Unit.objects.create(
        department=Department.objects.get(code="d3"),
        name="Socialjouren",
        kind=UnitKind.FUNCTION,
        phone="+46406280600",
        keywords="akut orosanmälan kväll helg",
    )
    people = generator.employees(count)
    now = timezone.now()
    for batch in generator.batches(people, 2000):
        with transaction.atomic():
            made = Employee.objects.bulk_create(
                [
                    Employee(
                        given_name=p.given_name,
                        family_name=p.family_name,
                        display_name=p.display_name,
                        title=p.title,
                        unit=units[p.unit],
                        keywords=p.keywords,
                        direct_number=p.direct_number,
                        mobile=p.mobile,
                        active=p.active,
                        phone_state=p.phone_state,
                        search_text=search.fold(f"{p.display_name} {p.title} {p.keywords}"),
                    )
                    for p in batch
                ]
            )
            assert [e.pk for e in made] == [p.number for p in batch], "ids are not 1…n"
            Absence.objects.bulk_create(
                [
                    Absence(
                        employee_id=p.number,
                        starts_at=now - timedelta(hours=2),
                        ends_at=now + timedelta(days=3),
                    )
                    for p in batch
                    if p.absent_now
                ]
            )
            search.index_employees([p.number for p in batch])
    loaded = time.perf_counter()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from kontakt.directory.models import EmployeeSearchToken, SearchWordVariant

    return {
        "employees": count,
        "tokens": EmployeeSearchToken.objects.count(),
        "variants": SearchWordVariant.objects.count(),
        "seconds_to_migrate": round(migrated - began, 1),
        "seconds_to_load": round(loaded - migrated, 1),
    }


def _ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def child_measure(count: int, rounds: int, searches: int) -> dict[str, object]:
    _django()
    from django.db import connection
    from django.db.models import Q

    from kontakt.directory.models import Employee
    from kontakt.directory.selectors import employee_search

    def ours(text: str) -> list[int]:
        hits = employee_search(text, limit=LIMIT)
        return [hit.employee.pk for hit in hits if hit.employee is not None]

    def naive(text: str) -> list[int]:
        found = (
            Employee.objects.filter(active=True)
            .filter(
                Q(display_name__icontains=text)
                | Q(title__icontains=text)
                | Q(keywords__icontains=text)
                | Q(direct_number__icontains=text)
            )
            .select_related("unit__department")
            .order_by("display_name", "id")[:LIMIT]
        )
        return [employee.pk for employee in found]

    people = generator.employees(count)
    queries = generator.queries(people, searches)
    for query in queries[:WARM]:
        ours(query.text)
        naive(query.text)
    times: dict[str, list[float]] = {"ours": [], "naive": []}
    found: dict[str, dict[str, list[int]]] = {"ours": {}, "naive": {}}
    sides = {"ours": ours, "naive": naive}
    for round_number in range(rounds):
        for index, query in enumerate(queries):
            order = ["ours", "naive"] if (index + round_number) % 2 == 0 else ["naive", "ours"]
            for side in order:
                began = time.perf_counter()
                ids = sides[side](query.text)
                times[side].append(time.perf_counter() - began)
                found[side][query.text] = ids
    recall: dict[str, dict[str, object]] = {}
    for query in queries:
        kind = recall.setdefault(query.kind, {"queries": 0, "ours": 0, "naive": 0})
        kind["queries"] += 1  # type: ignore[operator]
        for side in ("ours", "naive"):
            if set(found[side][query.text][:TOP]) & query.relevant:
                kind[side] += 1  # type: ignore[operator]
    total = {
        side: sum(k[side] for k in recall.values())  # type: ignore[misc]
        for side in ("ours", "naive")
    }
    ours_figures, naive_figures = _ms(times["ours"]), _ms(times["naive"])
    return {
        "engine": connection.vendor,
        "queries": len(queries),
        "rounds": rounds,
        "ours": ours_figures,
        "naive": naive_figures,
        "ratio_p50": round(naive_figures["p50_ms"] / ours_figures["p50_ms"], 2),
        "ratio_p95": round(naive_figures["p95_ms"] / ours_figures["p95_ms"], 2),
        "recall_at_5": {
            "ours": round(total["ours"] / len(queries), 3),
            "naive": round(total["naive"] / len(queries), 3),
            "by_kind": recall,
        },
        "examples": [
            {
                "query": q.text,
                "kind": q.kind,
                "ours": q.relevant.__contains__(found["ours"][q.text][0])
                if found["ours"][q.text]
                else False,
            }
            for q in queries[:14]
        ],
    }


# The parent ---------------------------------------------------------------------------------


def _env(engine: str, directory: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["SECRET_KEY"] = peer.SECRET_KEY
    env["KONTAKT_VAR_DIR"] = str(directory / f"{engine}-var")
    env["PYTHONPATH"] = str(REPO)
    if engine == "postgresql":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    else:
        env["KONTAKT_SQLITE_PATH"] = str(directory / "directory.sqlite3")
    return env


def _start(engine: str, directory: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "child", *args],
        env=_env(engine, directory),
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


def _result(process: subprocess.Popen[str]) -> dict:  # type: ignore[type-arg]
    out, _err = process.communicate()
    if process.returncode:
        raise RuntimeError(f"{process.args} failed ({process.returncode})")
    return json.loads(out.strip().splitlines()[-1])


def summary(engine: str, figures: dict) -> str:  # type: ignore[type-arg]
    ours, naive, recall = figures["ours"], figures["naive"], figures["recall_at_5"]
    return (
        f"{engine}: ours p50 {ours['p50_ms']} ms, p95 {ours['p95_ms']} ms; icontains p50 "
        f"{naive['p50_ms']} ms, p95 {naive['p95_ms']} ms; ratio p95 {figures['ratio_p95']}x; "
        f"recall@5 {recall['ours']} against {recall['naive']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="run", choices=["run", "child"])
    parser.add_argument("action", nargs="?", choices=["load", "measure"])
    parser.add_argument("--quick", action="store_true", help="2,000 employees, one round")
    parser.add_argument("--employees", type=int, help="employees (default 50,000)")
    parser.add_argument("--rounds", type=int, help="timed rounds of every search (default 5)")
    parser.add_argument("--searches", type=int, help=f"searches (default {QUERIES}; 70 quick)")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    args = parser.parse_args()
    count = args.employees or (2_000 if args.quick else 50_000)
    rounds = args.rounds or (1 if args.quick else 5)
    searches = args.searches or (70 if args.quick else QUERIES)
    if args.mode == "child":
        if args.action == "load":
            print(json.dumps(child_load(count)))
        else:
            print(json.dumps(child_measure(count, rounds, searches)))
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    report: dict = {  # type: ignore[type-arg]
        "benchmark": "directory_search",
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "employees": count,
        "rounds": rounds,
        "searches": searches,
        "machine": peer.machine() if "postgresql" in engines else host.machine(),
        "engines": {},
    }
    directory = Path(tempfile.mkdtemp(prefix="kontakt-directory-"))
    try:
        if "postgresql" in engines:
            peer.database_create(DATABASE)
        # Both engines load at once (the machine's two CPUs), then are timed one at a time.
        log(f"{', '.join(engines)}: migrating and loading {count:,} employees")
        loading = {
            engine: _start(engine, directory, "load", "--employees", str(count))
            for engine in engines
        }
        loaded = {engine: _result(process) for engine, process in loading.items()}
        for engine in engines:
            log(f"{engine}: loaded {loaded[engine]}")
            figures = _result(
                _start(
                    engine,
                    directory,
                    "measure",
                    "--employees",
                    str(count),
                    "--rounds",
                    str(rounds),
                    "--searches",
                    str(searches),
                )
            )
            figures["loading"] = loaded[engine]
            figures["goal_p95_ms"] = GOAL_P95_MS[engine]
            figures["within_goal"] = figures["ours"]["p95_ms"] <= GOAL_P95_MS[engine]
            report["engines"][engine] = figures
            log(summary(engine, figures))
    finally:
        if "postgresql" in engines:
            try:
                peer.database_drop(DATABASE)
            except Exception as error:
                log(f"could not drop {DATABASE}: {error}")
        shutil.rmtree(directory, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    name = f"directory_search{'-quick' if args.quick else ''}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
