"""Reliability (b): processes killed and servers restarted under load; no acknowledged write
lost or doubled, and the service back without a hand.

    .venv/bin/python bench/reliability_faults.py            # 8 clients, 20 s between faults: ~4 min
    .venv/bin/python bench/reliability_faults.py --quick    # 4 clients, 6 s between faults

The test brings its own PostgreSQL (initdb and pg_ctl from the Debian packages, in a temp
directory, on a free loopback port; run as the `postgres` user when started as root) and its
own redis-server (append-only file on, free port), so it restarts nothing shared. Kontakt
runs on them as in production: gunicorn (sync workers, 30 s timeout) with REDIS_URL set, so
the cache, live updates and the task queue are in Redis, and a task worker (`kontakt
worker`, RQ). The test is also their supervisor, as systemd would be: a gunicorn master or a
worker that dies is started again, nothing else is done by hand.

Client threads post without pause: contacts to `POST /api/v1/contacts` (each with a unique
summary) and call events to `POST /api/v1/telephony/events` (unique event ids), noting every
one answered 2xx. Meanwhile, one after the other with load in between:

1. `kill -9` of every gunicorn worker (the master starts new ones);
2. `kill -9` of the gunicorn master and its workers together (the supervisor starts it);
3. `kill -9` of the task worker (the supervisor starts it);
4. PostgreSQL restarted in immediate mode (a crash and recovery);
5. Redis killed (`kill -9`) and started again.

After each, the seconds until the next 2xx answer. At the end, with the load stopped: every
acknowledged contact and event is in the database exactly once, and a request of each kind
answers 2xx. Failed requests during the faults are expected and counted; they are not
acknowledged, so a write the server made but could not answer may be there or not.
Prints one JSON object as the last line (also kept under bench/results/).
"""

import argparse
import http.client
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import host, peer
from harness.host import log
from reliability_load import gunicorn, kontakt_env, wait_until_up

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else name


class OwnPostgres:
    """A PostgreSQL server of this test only: its own data directory and port."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "pgdata"
        self.port = peer.free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, *command], check=check, capture_output=True, text=True)

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.user:
            record = pwd.getpwnam(self.user)
            os.chown(self.directory, record.pw_uid, record.pw_gid)
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync")  # fmt: skip
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c max_connections=100 -c fsync=on -c synchronous_commit=on"
        )
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.directory / "log"), "-w", "start")  # fmt: skip

    def restart_immediate(self) -> None:
        """A crash and recovery: stop without a checkpoint, then start."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.start()

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop",
                  check=False)  # fmt: skip

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )


class OwnRedis:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = peer.free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--appendonly", "yes", "--save", "",
             "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":  # fmt: skip
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Supervised:
    """A process kept running, as systemd's Restart=always would: started again when it
    exits, whatever the reason."""

    def __init__(self, name: str, start: Callable[[], subprocess.Popen[bytes]]):
        self.name, self._start = name, start
        self.process = start()
        self.restarts = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopping.is_set():
            if self.process.poll() is not None and not self.stopping.is_set():
                log(f"supervisor: {self.name} exited ({self.process.returncode}); starting it")
                time.sleep(0.5)  # systemd's RestartSec
                self.process = self._start()
                self.restarts += 1
            time.sleep(0.1)

    def kill9(self) -> None:
        """kill -9 of the process and all its children (its process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


class Load:
    """Client threads posting contacts and call events, noting what was answered 2xx."""

    def __init__(self, port: int, config: dict, clients: int):  # type: ignore[type-arg]
        self.port, self.config, self.clients = port, config, clients
        self.lock = threading.Lock()
        self.contacts: list[str] = []
        self.events: list[str] = []
        self.statuses: dict[str, int] = {}
        self.last_ok = self.last_ok_sent = time.monotonic()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._work, args=(n,)) for n in range(clients)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def _post(self, path: str, body: dict, token: str) -> int:  # type: ignore[type-arg]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=40)
        try:
            connection.request(
                "POST", path, body=json.dumps(body),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return 0
        finally:
            connection.close()

    def _note(self, kind: str, status: int, sent: float) -> None:
        with self.lock:
            key = f"{kind} {status}"
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if 200 <= status < 300:
                self.last_ok_sent = max(self.last_ok_sent, sent)
                self.last_ok = time.monotonic()

    def _work(self, number: int) -> None:
        resident_pk = self.config["residents"][number % len(self.config["residents"])][0]
        case_type = self.config["case_types"][number % len(self.config["case_types"])][0]
        while not self.stopping.is_set():
            marker = f"Fault test contact {uuid.uuid4()}"
            sent = time.monotonic()
            status = self._post(
                "/api/v1/contacts",
                {"channel": "phone", "outcome": "closed", "summary": marker,
                 "resident_id": resident_pk, "case_type": case_type},
                self.config["token"],
            )  # fmt: skip
            self._note("contact", status, sent)
            if 200 <= status < 300:
                with self.lock:
                    self.contacts.append(marker)
            call = f"fault-{uuid.uuid4().hex[:12]}"
            at = datetime.now(UTC) - timedelta(seconds=60)
            events = [
                {"event_id": f"{call}-1", "call_id": call, "type": "offered",
                 "at": at.isoformat(), "number": "+46406280400"},
                {"event_id": f"{call}-2", "call_id": call, "type": "abandoned",
                 "at": (at + timedelta(seconds=30)).isoformat(), "number": "+46406280400"},
            ]  # fmt: skip
            sent = time.monotonic()
            status = self._post("/api/v1/telephony/events", {"events": events}, self.config["key"])
            self._note("events", status, sent)
            if 200 <= status < 300:
                with self.lock:
                    self.events += [event["event_id"] for event in events]
            if status == 0 or status >= 500:
                time.sleep(0.2)  # as a client backs off; the fault is counted either way

    def recovered_after(self, began: float, done: float, limit: float = 120) -> float:
        """Seconds from the fault's start (`began`) to the first 2xx answer to a request sent
        after the fault was done (`done`: the kill sent, the restart finished)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self.lock:
                if self.last_ok_sent >= done:
                    return round(self.last_ok - began, 2)
            time.sleep(0.05)
        raise RuntimeError(f"no 2xx answer within {limit} s of the fault")


def verify(pg: OwnPostgres, database: str, load: Load) -> dict[str, object]:
    with pg.connect(database) as db:
        contacts = dict(
            db.execute(
                "SELECT summary, count(*) FROM cases_contact "
                "WHERE summary LIKE 'Fault test contact %%' GROUP BY summary"
            ).fetchall()
        )
        events = dict(
            db.execute(
                "SELECT event_id, count(*) FROM telephony_callevent "
                "WHERE event_id LIKE 'fault-%%' GROUP BY event_id"
            ).fetchall()
        )
    missing_contacts = [m for m in load.contacts if m not in contacts]
    doubled_contacts = [m for m, n in contacts.items() if n > 1]
    missing_events = [e for e in load.events if e not in events]
    doubled_events = [e for e, n in events.items() if n > 1]
    return {
        "contacts_acknowledged": len(load.contacts),
        "contacts_stored": sum(contacts.values()),
        "contacts_missing": len(missing_contacts),
        "contacts_twice": len(doubled_contacts),
        "events_acknowledged": len(load.events),
        "events_stored": sum(events.values()),
        "events_missing": len(missing_events),
        "events_twice": len(doubled_events),
        "ok": not (missing_contacts or doubled_contacts or missing_events or doubled_events),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument(
        "--between", type=float, default=None, help="seconds of load between faults"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    clients = args.clients or (4 if args.quick else 8)
    between = args.between or (6.0 if args.quick else 20.0)
    started = datetime.now(UTC)
    scratch = Path(tempfile.mkdtemp(prefix="kontakt-reliability-faults-"))
    os.chmod(scratch, 0o755)
    pg = OwnPostgres(scratch / "postgres")
    redis = OwnRedis(scratch / "redis")
    web = worker = None
    faults: list[dict[str, object]] = []
    try:
        log(f"own PostgreSQL on :{pg.port}, own Redis on :{redis.port}")
        pg.init()
        redis.start()
        with pg.connect() as db:
            db.execute("CREATE DATABASE kontakt")
        env = kontakt_env("kontakt", scratch / "var", REDIS_URL=redis.url)
        env["DATABASE_URL"] = pg.url("kontakt")
        log("migrating and seeding")
        setup = subprocess.run(
            [str(peer.KONTAKT_PYTHON), str(BENCH / "harness" / "reliability_side.py"), "setup",
             "--agents", "5", "--minimal"],
            env=env, cwd=peer.REPO, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        config = json.loads(setup.stdout.strip().splitlines()[-1])
        port = peer.free_port()
        web = Supervised("gunicorn", lambda: gunicorn(env, port, args.workers))
        worker = Supervised(
            "task worker",
            lambda: subprocess.Popen(
                [str(peer.KONTAKT_PYTHON), "-m", "kontakt.cli", "worker"],
                env=env,
                cwd=peer.REPO,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        )
        wait_until_up(port)
        load = Load(port, config, clients)
        load.start()
        log(f"{clients} clients posting; a fault every {between} s")

        def fault(name: str, action: Callable[[], None]) -> None:
            time.sleep(between)
            log(f"fault: {name}")
            began = time.monotonic()
            action()
            done = time.monotonic()
            faults.append(
                {
                    "fault": name,
                    "fault_took_seconds": round(done - began, 2),
                    "back_after_seconds": load.recovered_after(began, done),
                }
            )
            log(f"  back after {faults[-1]['back_after_seconds']} s")

        def kill_workers() -> None:
            for pid in children(web.process.pid):  # type: ignore[union-attr]
                os.kill(pid, signal.SIGKILL)

        fault("kill -9 of every gunicorn worker", kill_workers)
        fault("kill -9 of the gunicorn master and workers", web.kill9)
        fault("kill -9 of the task worker", worker.kill9)
        fault("PostgreSQL restarted (immediate: crash and recovery)", pg.restart_immediate)

        def redis_restart() -> None:
            redis.kill()
            time.sleep(1)
            redis.start()

        fault("Redis killed (kill -9) and started again", redis_restart)
        time.sleep(between)
        load.stop()
        # The service answers each kind of request again, with nothing done by hand.
        after = Load(port, config, 1)
        status_contact = after._post(
            "/api/v1/contacts",
            {"channel": "phone", "outcome": "closed", "summary": "after",
             "resident_id": config["residents"][0][0], "case_type": config["case_types"][0][0]},
            config["token"],
        )  # fmt: skip
        with urllib_open(port, "/login/") as status_page:
            pass
        writes = verify(pg, "kontakt", load)
        worker_alive = worker.process.poll() is None
        result = {
            "benchmark": "reliability_faults",
            "quick": args.quick,
            "date": started.isoformat(timespec="seconds"),
            "machine": {**host.machine(), "postgresql": pg_version(pg)},
            "clients": clients,
            "seconds_between_faults": between,
            "gunicorn_workers": args.workers,
            "faults": faults,
            "restarts_by_supervisor": {"gunicorn": web.restarts, "task worker": worker.restarts},
            "answers": dict(sorted(load.statuses.items())),
            "writes": writes,
            "after": {
                "contact": status_contact,
                "login_page": status_page,
                "task_worker_running": worker_alive,
            },
        }
        result["ok"] = bool(
            writes["ok"] and 200 <= status_contact < 300 and status_page == 200 and worker_alive
        )
    finally:
        for process in (web, worker):
            if process is not None:
                process.stop()
        redis.kill()
        pg.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    name = f"reliability_faults-{'quick-' if args.quick else ''}{started:%Y%m%dT%H%M%S}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


class urllib_open:
    """GET a path; the status as the context value (0 when nothing answers)."""

    def __init__(self, port: int, path: str):
        self.port, self.path = port, path

    def __enter__(self) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", self.path)
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return 0
        finally:
            connection.close()

    def __exit__(self, *exc: object) -> None:
        return None


def pg_version(pg: OwnPostgres) -> str:
    with pg.connect() as db:
        return str(db.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]


if __name__ == "__main__":
    main()
