"""Open311's `GET requests.json` with filters over 1,000,000 cases on PostgreSQL, over
HTTP, beside the same filters done naively.

    .venv/bin/python bench/open311_requests.py            # 1,000,000 cases, 60 requests a kind
    .venv/bin/python bench/open311_requests.py --quick    # 100,000 cases, 15 a kind (< 60 s)

What it does:

1. Makes a database `bench_open311` on the PostgreSQL at 127.0.0.1:5432 (user postgres,
   trust) and migrates it.
2. In a child process: two departments, twelve case types (ten published to residents,
   two not) and one Open311 client; then the cases in one `INSERT … SELECT` over
   `generate_series` (created over the last two years, newest first; older ones mostly
   closed; one in twenty with a place), one in twenty filed through Open311 (an
   `open311_open311request` row); then `VACUUM ANALYZE`.
3. Serves it with gunicorn (2 sync workers) and sends, one at a time on a kept-alive
   connection, seven kinds of request in turn: the default (last 90 days, newest 1,000),
   one `service_code`, two codes with `status=closed`, a 30-day window a year ago with
   `status=open`, ten `service_request_id`s, one request (`requests/{id}.json`), and a
   code in a 7-day window. Each is timed from the request to the last byte.
4. The peer, in a child process on the same data: the naive implementation of the same
   filters — model instances of every case of the window with their type and department
   (`select_related`, no `values()`), filtered by code, status and reference in Python,
   sorted and cut there — beside ours (`open311.selectors.requests_rows` and the
   documents) in the same process, alternating which goes first.
5. Reports p50/p95 per kind and overall over HTTP, whether the overall p95 is within the
   goal (50 ms), and the in-process p50/p95 of both sides with the ratio (naive over ours).

The last line of standard output is one JSON object (also saved under bench/results/);
everything else goes to standard error.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from harness import host, peer  # noqa: E402
from harness.host import log  # noqa: E402

RESULTS = BENCH / "results"
DATABASE = "bench_open311"
GOAL_P95_MS = 50
PUBLISHED = 10
TYPES = 12


def env(var_dir: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")},
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "SECRET_KEY": peer.SECRET_KEY,
        "KONTAKT_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "kontakt.settings",
        "PYTHONPATH": str(REPO),
    }


# The child: seeding and the in-process comparison -----------------------------------------


def _django() -> None:
    import django

    sys.path.insert(0, str(REPO))
    django.setup()


def seed(count: int) -> dict[str, object]:
    """The case types, a client, and `count` cases in one statement."""
    _django()
    from datetime import timedelta

    from django.db import connection

    from kontakt.cases.models import CaseType
    from kontakt.directory.models import Department
    from kontakt.open311.services import open311_client_create

    departments = [
        Department.objects.create(name="Gatu- och parkförvaltningen", code="gata"),
        Department.objects.create(name="Miljöförvaltningen", code="miljo"),
    ]
    types = [
        CaseType.objects.create(
            name=f"Tjänst {n}",
            code=f"tjanst{n}",
            department=departments[n % 2],
            response_time=timedelta(hours=16),
            published=n < PUBLISHED,
            next_steps="Vi åtgärdar felet inom fem arbetsdagar.",
        )
        for n in range(TYPES)
    ]
    client, _key = open311_client_create(name="Bench")
    type_ids = ",".join(str(t.pk) for t in types)
    department_ids = ",".join(str(t.department_id) for t in types)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.311)")
        cursor.execute(
            f"""
            INSERT INTO cases_case (reference, case_type_id, status, priority, department_id,
                subject, description, feedback_channel, created_at, updated_at, due_at,
                closed_at, resolution, sla_met, latitude, longitude, address, attributes)
            SELECT 'KB-' || lpad(i::text, 8, '0'),
                (ARRAY[{type_ids}])[1 + i %% {TYPES}],
                s.status, 2,
                (ARRAY[{department_ids}])[1 + i %% {TYPES}],
                'Ärende ' || i, 'Beskrivning av ärende ' || i, 'email',
                s.created, s.created + interval '1 hour', s.created + interval '2 days',
                CASE WHEN s.status = 'closed' THEN s.created + interval '1 day' END,
                CASE WHEN s.status = 'closed' THEN 'Åtgärdat' ELSE '' END,
                CASE WHEN s.status = 'closed' THEN true END,
                CASE WHEN i %% 20 = 0 THEN 55.6 + (i %% 1000) / 10000.0 END,
                CASE WHEN i %% 20 = 0 THEN 13.0 + (i %% 997) / 10000.0 END,
                CASE WHEN i %% 20 = 0 THEN 'Storgatan ' || (i %% 200) ELSE '' END,
                '{{}}'::jsonb
            FROM generate_series(1, %s) AS i,
            LATERAL (
                SELECT now() - (i * interval '730 days') / %s AS created,
                    CASE WHEN random() < (CASE WHEN i * 730 / %s > 14 THEN 0.9 ELSE 0.2 END)
                        THEN 'closed'
                        ELSE (ARRAY['new', 'forwarded', 'open', 'waiting'])[1 + i %% 4]
                    END AS status
            ) AS s
            """,
            [count, count, count],
        )
        cursor.execute(
            """
            INSERT INTO open311_open311request (client_id, case_id, idempotency_key,
                fingerprint, answer, account_id, device_id, media_url, created_at)
            SELECT %s, id, '', '', '[]'::jsonb, '', '',
                CASE WHEN id %% 3 = 0 THEN 'https://app.example/p/' || id ELSE '' END,
                created_at
            FROM cases_case WHERE id %% 20 = 0
            """,
            [client.pk],
        )
    loaded = time.perf_counter() - started
    connection.close()
    import psycopg

    with psycopg.connect(dbname=DATABASE, autocommit=True, **peer.PG) as conn:  # type: ignore[arg-type]
        conn.execute("VACUUM ANALYZE")
    return {
        "cases": count,
        "load_seconds": round(loaded, 1),
        "codes": [t.code for t in types if t.published],
    }


def kinds(codes: list[str], references: list[str]) -> list[tuple[str, dict[str, str], str]]:
    """(name, query, path) of each kind of request; year-old windows in the municipality's
    terms, as a client would write them."""
    now = datetime.now(UTC)
    year_ago = now.replace(microsecond=0) - _days(365)
    two = f"{codes[1]},{codes[2]}"
    window = {"start_date": _w3c(year_ago - _days(30)), "end_date": _w3c(year_ago)}
    return [
        ("default", {}, "requests.json"),
        ("one_code", {"service_code": codes[0]}, "requests.json"),
        ("two_codes_closed", {"service_code": two, "status": "closed"}, "requests.json"),
        ("window_open", {**window, "status": "open"}, "requests.json"),
        ("ids", {"service_request_id": ",".join(references[:10])}, "requests.json"),
        ("one_request", {}, f"requests/{references[0]}.json"),
        (
            "code_week",
            {"service_code": codes[3], "start_date": _w3c(now - _days(7))},
            "requests.json",
        ),
    ]


def _days(n: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return timedelta(days=n)


def _w3c(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def compare(codes: list[str], references: list[str], repeat: int) -> dict[str, object]:
    """Ours and the naive filter in this process, on the same parameters."""
    _django()
    from django.test import RequestFactory

    from kontakt.cases.models import Case
    from kontakt.open311 import selectors, views

    def naive(params: dict[str, str], path: str) -> list[dict[str, object]]:
        from django.conf import settings
        from django.utils import timezone

        wanted_ids = [r for r in params.get("service_request_id", "").split(",") if r]
        if path.startswith("requests/"):
            wanted_ids = [path.split("/")[1].removesuffix(".json")]
        days = _days(settings.KONTAKT["OPEN311"]["DEFAULT_DAYS"])
        cases = Case.objects.select_related("case_type", "department")
        if not wanted_ids:
            end = datetime.fromisoformat(params["end_date"]) if "end_date" in params else None
            start = datetime.fromisoformat(params["start_date"]) if "start_date" in params else None
            end = end or (start + days if start else timezone.now())
            start = start or end - days
            cases = cases.filter(created_at__gte=start, created_at__lte=end)
        codes = set(filter(None, params.get("service_code", "").split(",")))
        statuses = set(filter(None, params.get("status", "").split(",")))
        found = []
        for case in cases:
            if not case.case_type.published:
                continue
            if wanted_ids and case.reference not in wanted_ids:
                continue
            if codes and case.case_type.code not in codes:
                continue
            state = "closed" if case.status == "closed" else "open"
            if statuses and state not in statuses:
                continue
            found.append(case)
        found.sort(key=lambda c: c.created_at, reverse=True)
        return [
            {
                "service_request_id": c.reference,
                "status": "closed" if c.status == "closed" else "open",
                "service_name": c.case_type.name,
                "service_code": c.case_type.code,
                "agency_responsible": c.department.name,
                "requested_datetime": c.created_at.isoformat(),
                "expected_datetime": c.due_at.isoformat() if c.due_at else None,
            }
            for c in found[:1000]
        ]

    factory = RequestFactory()

    def ours(params: dict[str, str], path: str) -> int:
        request = factory.get(f"/open311/v2/{path}", params)
        if path.startswith("requests/"):
            reference = path.split("/")[1].removesuffix(".json")
            response = views.request_detail(request, reference=reference, format="json")
        else:
            response = views.requests(request, format="json")
        assert response.status_code == 200, response.content
        return len(response.content)

    timings: dict[str, dict[str, list[float]]] = {}
    checked = {}
    for round_ in range(repeat):
        for name, params, path in kinds(codes, references):
            sides = [("ours", ours), ("naive", naive)]
            if round_ % 2:
                sides.reverse()
            for side, run in sides:
                started = time.perf_counter()
                run(params, path)
                timings.setdefault(name, {}).setdefault(side, []).append(
                    (time.perf_counter() - started) * 1000
                )
            if round_ == 0:
                ours_rows = selectors.requests_rows(_filters_of(params, path, selectors))
                naive_rows = naive(params, path)
                checked[name] = [r["reference"] for r in ours_rows] == [
                    r["service_request_id"] for r in naive_rows
                ]
    return {"timings": timings, "same_answers": checked}


def _filters_of(params, path, selectors):  # type: ignore[no-untyped-def]
    """The same filters as the view builds, for checking that both sides agree."""
    from django.http import QueryDict

    from kontakt.open311 import views

    if path.startswith("requests/"):
        return selectors.RequestFilter(references=[path.split("/")[1].removesuffix(".json")])
    query = QueryDict(urlencode(params))
    start, end = views._window(query)
    return selectors.RequestFilter(
        references=views._list(query, "service_request_id", limit=24),
        service_codes=views._list(query, "service_code"),
        start=start,
        end=end,
        statuses=views._list(query, "status"),
    )


def sample_references(count: int) -> list[str]:
    _django()
    from kontakt.cases.models import Case

    step = max(1, count // 50)
    return list(
        Case.objects.filter(case_type__published=True, pk__lte=count // 3)
        .order_by("pk")
        .values_list("reference", flat=True)[::step][:20]
    )


# The parent ---------------------------------------------------------------------------------


def child(var_dir: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env(var_dir),
        cwd=REPO,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def serve(var_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = peer.free_port()
    command = [
        sys.executable, "-m", "gunicorn", "kontakt.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync",
        "--log-level", "warning", "--timeout", "120", "--access-logfile", "/dev/null",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env(var_dir), cwd=REPO, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/open311/v2/discovery.json")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def over_http(port: int, codes: list[str], references: list[str], repeat: int) -> dict[str, object]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    plan = kinds(codes, references)
    for _name, params, path in plan:  # warm both workers and the database's cache
        for _ in range(2):
            connection.request("GET", f"/open311/v2/{path}?{urlencode(params)}")
            connection.getresponse().read()
    for _ in range(repeat):
        for name, params, path in plan:
            started = time.perf_counter()
            connection.request("GET", f"/open311/v2/{path}?{urlencode(params)}")
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"{name}: {response.status} {body[:300]!r}")
            timings.setdefault(name, []).append(elapsed)
            sizes[name] = len(json.loads(body))
    every = [t for values in timings.values() for t in values]
    return {
        "kinds": {
            name: {"p50_ms": _p(values, 50), "p95_ms": _p(values, 95), "results": sizes[name]}
            for name, values in timings.items()
        },
        "p50_ms": _p(every, 50),
        "p95_ms": _p(every, 95),
        "requests": len(every),
    }


def _p(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cases", type=int)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        what, *rest = args.child
        if what == "seed":
            print(json.dumps(seed(int(rest[0]))))
        elif what == "references":
            print(json.dumps(sample_references(int(rest[0]))))
        elif what == "compare":
            codes, references, repeat = json.loads(rest[0])
            print(json.dumps(compare(codes, references, repeat)))
        return
    count = args.cases or (100_000 if args.quick else 1_000_000)
    repeat_http = 15 if args.quick else 60
    repeat_naive = 2 if args.quick else 3
    var_dir = Path(tempfile.mkdtemp(prefix="bench-open311-"))
    server = None
    try:
        peer.database_create(DATABASE)
        log(f"migrating {DATABASE}")
        subprocess.run(
            [sys.executable, "-m", "kontakt.cli", "migrate", "--no-input", "-v", "0"],
            env=env(var_dir), cwd=REPO, check=True,
        )  # fmt: skip
        log(f"loading {count:,} cases")
        seeded = child(var_dir, "seed", str(count))
        log(f"loaded in {seeded['load_seconds']} s")
        codes = seeded["codes"]
        references = child(var_dir, "references", str(count))
        server, port = serve(var_dir)
        log(f"over HTTP: {repeat_http} rounds of {len(kinds(codes, references))} kinds")
        http_result = over_http(port, codes, references, repeat_http)
        log(f"in process, ours beside the naive filter: {repeat_naive} rounds")
        compared = child(var_dir, "compare", json.dumps([codes, references, repeat_naive]))
        in_process = {}
        for name, sides in compared["timings"].items():
            ours, naive = sides["ours"], sides["naive"]
            in_process[name] = {
                "ours_p50_ms": _p(ours, 50),
                "naive_p50_ms": _p(naive, 50),
                "ratio": round(statistics.median(naive) / statistics.median(ours), 1),
            }
        all_ours = [t for s in compared["timings"].values() for t in s["ours"]]
        all_naive = [t for s in compared["timings"].values() for t in s["naive"]]
        result = {
            "benchmark": "open311_requests",
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": host.machine(),
            "postgresql": peer.postgres_version(),
            "cases": count,
            "load_seconds": seeded["load_seconds"],
            "http": http_result,
            "goal_p95_ms": GOAL_P95_MS,
            "within_goal": http_result["p95_ms"] <= GOAL_P95_MS,
            "in_process": in_process,
            "in_process_p95_ms": {"ours": _p(all_ours, 95), "naive": _p(all_naive, 95)},
            "ratio_p95": round(_p(all_naive, 95) / _p(all_ours, 95), 1),
            "same_answers": compared["same_answers"],
        }
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        peer.database_drop(DATABASE)
        shutil.rmtree(var_dir, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"open311_requests-{int(time.time())}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
