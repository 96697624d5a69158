"""The residents' web form's submit, end to end over HTTP, on SQLite and PostgreSQL.

    .venv/bin/python bench/web_form_submit.py            # 400 submissions a side and engine
    .venv/bin/python bench/web_form_submit.py --quick    # 48 a kind (under a minute)

What it does, per engine (a fresh SQLite file; a database `bench_web_form` on the
PostgreSQL at 127.0.0.1:5432, user postgres, trust):

1. Migrates, and makes a published case type with three questions and a place (the
   street lamp of the demo), its department and office hours.
2. Makes the challenges the browser would solve (signed by the server's secret, solved
   here before any timing, CHALLENGE_BITS=12 so that this takes seconds: the server's cost
   to check one is a single SHA-256 whatever the bits).
3. Serves Kontakt with gunicorn (2 sync workers) on a loopback port, with the limits per
   address and network raised out of the way, and a floor view mounted beside it.
4. Sends, from 2 client threads with keep-alive (one a worker: the latency of a request
   that finds a worker free, under the load of the other), three kinds of POST in turn, each with
   the CSRF cookie and token a browser has:
   - `photo`: the form with every field and a 1600×1200 JPEG photo with EXIF and GPS
     (about 250 KB), as multipart: checked by content, redrawn by Pillow without its
     metadata, filed through the intake with the case, contact, resident, timeline, SLA
     due time, private link and the attachment written to disk, answered with the 302 to
     the thank-you page;
   - `no_file`: the same without the photo;
   - `floor`: a minimal Django form view (CSRF, two fields, one insert, a 302): what any
     Django form post costs on this machine and server.
   A POST is timed from the first byte sent to the last byte of the answer.
5. Reports per engine and kind requests per second (wall clock) and p50/p95/mean, the
   ratios to the floor, and whether `photo` meets the goal (p95 ≤ 200 ms).

The last line of standard output is one JSON object (also saved under bench/results/);
everything else goes to standard error.
"""

import argparse
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from harness import host  # noqa: E402
from harness.host import log  # noqa: E402

RESULTS = BENCH / "results"
DATABASE = "bench_web_form"
GOAL_P95_MS = 200
BITS = 12
WORKERS = 2
CLIENTS = 2
SECRET_KEY = "benchmark-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
KINDS = ("photo", "no_file", "floor")


# The child: sets up the database and the challenges -------------------------------------


def child_setup(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")
    import django

    django.setup()
    import hashlib
    from datetime import time as clock
    from datetime import timedelta

    from django.core.management import call_command

    from kontakt.cases.models import CaseType, CaseTypeAttribute
    from kontakt.directory.models import Department, OpeningHours
    from kontakt.portal.form_services import challenge_issue, leading_zero_bits

    call_command("migrate", verbosity=0)
    department = Department.objects.create(name="Trafikkontoret", code="trafik")
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=clock(8), closes=clock(16))
    case_type = CaseType.objects.create(
        name="Trasig gatlampa",
        code="gatlampa",
        department=department,
        response_time=timedelta(hours=16),
        first_line_may_close=False,
        published=True,
        ask_location=True,
        next_steps="Trafikkontoret lagar lampan inom två veckor.",
    )
    CaseTypeAttribute.objects.create(
        case_type=case_type, code="lamp", question="Stolpens nummer", order=1
    )
    CaseTypeAttribute.objects.create(
        case_type=case_type,
        code="fault",
        datatype="singlevaluelist",
        question="Vad är fel?",
        required=True,
        order=2,
        values=[{"key": "dark", "name": "Släckt"}, {"key": "blinks", "name": "Blinkar"}],
    )
    CaseTypeAttribute.objects.create(
        case_type=case_type, code="seen", datatype="datetime", question="När?", order=3
    )
    solved = []
    for _ in range(count):
        token = challenge_issue().token
        counter = 0
        while leading_zero_bits(hashlib.sha256(f"{token}:{counter}".encode()).digest()) < BITS:
            counter += 1
        solved.append([token, str(counter)])
    print(json.dumps(solved))


# The floor: a minimal Django form view beside Kontakt's URLs -----------------------------

FLOOR_URLS = """
from django import forms
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone

from kontakt.portal.models import HeldUpload
from kontakt.urls import urlpatterns as kontakt_urls


class Floor(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(max_length=5000)


def floor(request):
    form = Floor(request.POST)
    if not form.is_valid():
        from django.http import HttpResponseBadRequest
        return HttpResponseBadRequest("bad")
    HeldUpload.objects.create(
        name=form.cleaned_data["name"], content_type="text/plain", size=1,
        created_at=timezone.now(),
    )
    return redirect("/form/")


urlpatterns = [path("bench-floor/", floor), *kontakt_urls]
"""

FLOOR_SETTINGS = """
from kontakt.settings import *  # noqa: F403

ROOT_URLCONF = "bench_floor_urls"
"""


# The client ------------------------------------------------------------------------------


def photo_bytes() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (30, 40, 60))
    draw = ImageDraw.Draw(image)
    for step in range(0, 1600, 7):
        draw.line([(step, 0), (1600 - step, 1200)], fill=(step % 255, 120, 255 - step % 255))
    exif = Image.Exif()
    exif[0x010F] = "Kamera AB"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (59.0, 19.0, 45.0), 3: "E", 4: (18.0, 4.0, 5.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    """One browser: a keep-alive connection, the CSRF cookie and token of the form."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connection.request("GET", "/form/gatlampa/")
        answer = self.connection.getresponse()
        page = answer.read().decode()
        assert answer.status == 200, answer.status
        cookie = answer.getheader("Set-Cookie") or ""
        self.csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)  # type: ignore[union-attr]
        self.csrf_token = re.search(  # type: ignore[union-attr]
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page
        ).group(1)

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, float]:
        headers = {
            "Content-Type": content_type,
            "Cookie": f"csrftoken={self.csrf_cookie}; django_language=sv",
            "Referer": f"http://127.0.0.1:{self.port}/form/gatlampa/",
            "Origin": f"http://127.0.0.1:{self.port}",
        }
        began = time.perf_counter()
        self.connection.request("POST", path, body=body, headers=headers)
        answer = self.connection.getresponse()
        answer.read()
        return answer.status, (time.perf_counter() - began) * 1000


def request_for(kind: str, client: Client, challenge: list[str], photo: bytes) -> tuple:
    if kind == "floor":
        body = (
            f"csrfmiddlewaretoken={client.csrf_token}&name=Ada+Exempel"
            "&description=Lampan+%C3%A4r+sl%C3%A4ckt."
        ).encode()
        return "/bench-floor/", body, "application/x-www-form-urlencoded"
    fields = [
        ("csrfmiddlewaretoken", client.csrf_token),
        ("attribute[lamp]", "GL-1234"),
        ("attribute[fault]", "dark"),
        ("attribute[seen]", "2026-12-01T18:30"),
        ("address", "Storgatan 12"),
        ("latitude", "59.3293"),
        ("longitude", "18.0686"),
        ("description", "Lampan utanför porten är släckt sedan i måndags."),
        ("name", "Ada Exempel"),
        ("feedback_channel", "email"),
        ("email", f"ada.{uuid.uuid4().hex[:8]}@example.se"),
        ("consent", "on"),
        ("website", ""),
        ("pow_challenge", challenge[0]),
        ("pow_solution", challenge[1]),
    ]
    files = [("attachments", "lampa.jpg", photo)] if kind == "photo" else []
    body, content_type = multipart(fields, files)
    return "/form/gatlampa/", body, content_type


def measure(port: int, challenges: list[list[str]], per_kind: int) -> dict[str, object]:
    photo = photo_bytes()
    log(f"photo: {len(photo) // 1024} KB")
    clients = [Client(port) for _ in range(CLIENTS)]
    # Warm up: each worker imports and opens what it needs once.
    for client in clients:
        for kind in KINDS:
            path, body, content_type = request_for(kind, client, challenges.pop(), photo)
            client.post(path, body, content_type)
    figures: dict[str, object] = {}
    # Rounds alternate the kinds, so that the machine's other load falls on all alike.
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    walls: dict[str, float] = dict.fromkeys(KINDS, 0.0)
    failures: dict[str, int] = dict.fromkeys(KINDS, 0)
    lock = threading.Lock()
    rounds = 4
    for _ in range(rounds):
        for kind in KINDS:
            each = per_kind // rounds // CLIENTS
            with lock:
                work = [[challenges.pop() for _ in range(each)] for _ in clients]

            # Bodies are made before the clock starts: the client's own work is not timed.
            bodies = [
                [request_for(kind, client, challenge, photo) for challenge in mine]
                for client, mine in zip(clients, work, strict=True)
            ]

            def run(client: Client, mine: list[tuple], kind: str = kind) -> None:
                for path, body, content_type in mine:
                    status, ms = client.post(path, body, content_type)
                    with lock:
                        times[kind].append(ms)
                        if status != 302:
                            failures[kind] += 1

            threads = [
                threading.Thread(target=run, args=(client, mine))
                for client, mine in zip(clients, bodies, strict=True)
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            walls[kind] += time.perf_counter() - began
    for kind in KINDS:
        values = sorted(times[kind])
        figures[kind] = {
            "requests": len(values),
            "failures": failures[kind],
            "per_second": round(len(values) / walls[kind], 1),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(values[int(len(values) * 0.95) - 1], 1),
            "mean_ms": round(statistics.fmean(values), 1),
        }
    return figures


# The host --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        dbname="postgres", host="127.0.0.1", port=5432, user="postgres", autocommit=True
    ) as connection:
        connection.execute(sql)


def child_env(engine: str, directory: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "SECRET_KEY": SECRET_KEY,
        "KONTAKT_VAR_DIR": str(directory / "var"),
        "MEDIA_ROOT": str(directory / "media"),
        "KONTAKT_WEB_FORM_CHALLENGE_BITS": str(BITS),
        "KONTAKT_WEB_FORM_PER_ADDRESS": "100000000",
        "KONTAKT_WEB_FORM_PER_NETWORK": "100000000",
        "KONTAKT_TASK_BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "PYTHONPATH": f"{directory}{os.pathsep}{REPO}",
        "DJANGO_SETTINGS_MODULE": "bench_floor_settings",
    }
    env.pop("REDIS_URL", None)
    if engine == "postgresql":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    return env


def run_engine(engine: str, per_kind: int) -> dict[str, object]:
    directory = Path(tempfile.mkdtemp(prefix=f"bench-form-{engine}-"))
    (directory / "bench_floor_urls.py").write_text(FLOOR_URLS)
    (directory / "bench_floor_settings.py").write_text(FLOOR_SETTINGS)
    env = child_env(engine, directory)
    if engine == "postgresql":
        psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        psql(f"CREATE DATABASE {DATABASE}")
    server = None
    try:
        log(f"{engine}: migrating and solving challenges")
        count = per_kind * len(KINDS) + CLIENTS * len(KINDS) + 10
        made = subprocess.run(
            [sys.executable, __file__, "--child-setup", str(count)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        challenges = json.loads(made.stdout.strip().splitlines()[-1])
        port = free_port()
        gunicorn = Path(sys.executable).parent / "gunicorn"
        server = subprocess.Popen(
            [
                str(gunicorn),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--keep-alive",
                "30",
                "--access-logfile",
                "/dev/null",
                "--log-level",
                "warning",
                "kontakt.wsgi",
            ],
            env=env,
            cwd=REPO,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        log(f"{engine}: serving on {port}; {per_kind} submissions a kind")
        return measure(port, challenges, per_kind)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if engine == "postgresql":
            psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    global CLIENTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="48 submissions a kind")
    parser.add_argument("--child-setup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--clients", type=int, default=CLIENTS, help="concurrent clients (default 2)"
    )
    args = parser.parse_args()
    CLIENTS = args.clients
    if args.child_setup:
        child_setup(args.child_setup)
        return
    per_kind = 48 if args.quick else 400
    report: dict[str, object] = {
        "benchmark": "web_form_submit",
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": host.machine(),
        "workers": WORKERS,
        "clients": args.clients,
        "goal_p95_ms": GOAL_P95_MS,
        "engines": {},
    }
    engines: dict[str, object] = {}
    for engine in args.engines.split(","):
        figures = run_engine(engine, per_kind)
        photo, floor = figures["photo"], figures["floor"]
        assert isinstance(photo, dict) and isinstance(floor, dict)
        figures["photo_p95_over_floor"] = round(photo["p95_ms"] / floor["p95_ms"], 1)
        figures["meets_goal"] = photo["p95_ms"] <= GOAL_P95_MS and photo["failures"] == 0
        engines[engine] = figures
        log(f"{engine}: {json.dumps(figures)}")
    report["engines"] = engines
    RESULTS.mkdir(exist_ok=True)
    line = json.dumps(report)
    (RESULTS / f"web_form_submit-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(line)
    print(line)


if __name__ == "__main__":
    main()
