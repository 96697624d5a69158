"""Web chat under load: 200 residents chatting at once with agents answering, on PostgreSQL
(and SQLite for reference), against a live server, beside a bare SSE + POST relay.

    .venv/bin/python bench/chat_load.py            # 200 chats, 5 messages each way, 10 s apart
    .venv/bin/python bench/chat_load.py --quick    # 40 chats, 2 messages, PostgreSQL only

What it does, per engine (a database `bench_chat` on the PostgreSQL at 127.0.0.1:5432,
user postgres, trust; a fresh SQLite file):

1. Migrates, and makes the answer group that takes chats and AGENTS agents with the chat
   skill and Norwegian, Ready, each signed in (a session, as a browser has).
2. Serves Kontakt as `make run` does: gunicorn with gunicorn.conf.py (one gthread worker:
   without Redis the live push reaches one process), its threads raised to hold every
   open stream (each resident's and each agent's stream keeps a thread), the chat's
   per-address limits raised out of the way (every client here is 127.0.0.1).
3. Runs the clients (bench/harness/chat_client.py, asyncio on aiohttp in a throwaway venv
   bench/.peers/chat-venv): every agent holds the desktop's stream (/live/events/); each
   resident starts a chat in Norwegian (the router hands it to an agent, whose desktop gets
   the offer and answers it) and opens the chat's stream; the chats start over RAMP seconds
   (30: the router decides one at a time, with the whole routing picture each time). Once
   every chat is answered, all 200 go on at once: each resident sends MESSAGES (5) messages
   about GAP (10) seconds apart, and the agent answers each as its stream brings it.
4. Measures each message's delivery on one clock (both sides are in the client process):
   resident POST → the agent's stream delivers it, and agent POST → the resident's stream
   delivers it; p50/p95/max, and checks that every message arrived, once.

The peer: the same traffic, the same URLs and clients, against bench/harness/chat_relay.py,
a bare relay on aiohttp (one process, memory only: no database, sign-in, routing or
templates): the floor of SSE + POST on this machine. Goal: Kontakt's p95 ≤ 500 ms both ways
on PostgreSQL, nothing lost or duplicated.

The last line of standard output is one JSON object (also saved under bench/results/);
everything else goes to standard error.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from harness import host, peer  # noqa: E402
from harness.host import log  # noqa: E402

RESULTS = BENCH / "results"
DATABASE = "bench_chat"
GOAL_P95_MS = 500
CLIENT_VENV = BENCH / ".peers" / "chat-venv"
CLIENT_REQUIREMENTS = ["aiohttp==3.14.5"]
EXTRA_ENV = dict(
    item.split("=", 1) for item in os.environ.get("CHAT_BENCH_ENV", "").split() if item
)


# The child: sets up the database -------------------------------------------------------


def child_setup(agents: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from kontakt.accounts.models import User
    from kontakt.accounts.roles import Role
    from kontakt.directory.models import AnswerGroup
    from kontakt.telephony import services as telephony_services
    from kontakt.telephony.models import AgentSkill, RoutingSettings

    call_command("migrate", verbosity=0)
    group = AnswerGroup.objects.create(name="Chatt", code="chatt")
    RoutingSettings.objects.create(answer_group=group, skill="chatt", wrap_up_seconds=0)
    role = Group.objects.get(name=Role.AGENT.value)
    made = []
    for number in range(agents):
        user = User.objects.create_user(
            username=f"chat{number}", first_name=f"Agent {number}", languages=["sv", "nb"]
        )
        user.groups.add(role)
        AgentSkill.objects.create(agent=user, skill="chatt", proficiency=3)
        telephony_services.presence_change(agent=user, state="ready", by=user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        made.append({"id": user.pk, "session": session.session_key})
    print(json.dumps(made))


# The parent ----------------------------------------------------------------------------


def kontakt_env(
    var_dir: Path, port: int, database_url: str | None, threads: int, redis_url: str
) -> dict:  # type: ignore[type-arg]
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(
        SECRET_KEY=peer.SECRET_KEY,
        KONTAKT_VAR_DIR=str(var_dir),
        KONTAKT_SQLITE_PATH=str(var_dir / "kontakt.sqlite3"),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        KONTAKT_SMS_BACKEND="memory",
        KONTAKT_BIND=f"127.0.0.1:{port}",
        KONTAKT_WEB_THREADS=str(threads),
        KONTAKT_WEB_LOG_LEVEL="warning",
        KONTAKT_CHAT_STARTS_PER_HOUR="1000000",
        KONTAKT_CHAT_MESSAGES_PER_MINUTE="1000000",
        KONTAKT_CHAT_MAX_WAIT_SECONDS="100000",
        PYTHONPATH=str(REPO),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        # As in production: the live push through Redis reaches every worker, so
        # gunicorn.conf.py runs two workers a CPU; the cache is Redis's too.
        env["REDIS_URL"] = redis_url
        env["KONTAKT_LIVE_KEY_PREFIX"] = f"bench-chat-{os.getpid()}-{var_dir.name}:"
    else:
        env["KONTAKT_LIVE_BACKEND"] = "memory"
    env.update(EXTRA_ENV)
    return env


def wait_up(port: int, path: str, seconds: float = 60) -> None:
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {seconds} s")


def stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_clients(client: Path, port: int, mode: str, agents: list, args) -> dict:  # type: ignore[no-untyped-def,type-arg]
    command = [
        str(client), str(BENCH / "harness" / "chat_client.py"),
        "--base", f"http://127.0.0.1:{port}", "--mode", mode, "--agents", json.dumps(agents),
        "--residents", str(args.residents), "--messages", str(args.messages),
        "--gap", str(args.gap), "--ramp", str(args.ramp),
    ]  # fmt: skip
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def kontakt_run(engine: str, client: Path, args) -> dict:  # type: ignore[no-untyped-def,type-arg]
    scratch = Path(tempfile.mkdtemp(prefix=f"kontakt-chat-{engine}-"))
    port = peer.free_port()
    database_url = None
    if engine == "postgresql":
        peer.database_create(DATABASE)
        database_url = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    # Every resident's and agent's stream holds a thread; the rest serve the requests.
    threads = args.residents + args.agents + 64
    env = kontakt_env(scratch, port, database_url, threads, args.redis)
    log(f"{engine}: migrating, {args.agents} agents")
    setup = subprocess.run(
        [sys.executable, __file__, "--child-setup", str(args.agents)],
        env=env, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    agents = json.loads(setup.stdout.strip().splitlines()[-1])
    server_log = (scratch / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "kontakt.wsgi"],
        env=env, cwd=REPO, start_new_session=True, stdout=server_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_up(port, "/chat/status/")
        log(f"{engine}: {args.residents} chats, {args.messages} messages each way")
        result = run_clients(client, port, "kontakt", agents, args)
    finally:
        stop(server)
        server_log.close()
        errors = (scratch / "server.log").read_text().count("Traceback")
        log(f"{engine}: {errors} tracebacks in {scratch / 'server.log'}")
        if engine == "postgresql":
            peer.database_drop(DATABASE)
    workers = env.get("WEB_CONCURRENCY") or (
        str(min(2 * (os.cpu_count() or 1), 8)) if args.redis else "1"
    )
    result["server"] = (
        f"gunicorn gthread (gunicorn.conf.py), {workers} worker(s) × {threads} threads, "
        f"live push {'Redis' if args.redis else 'in memory'}"
    )
    return result


def relay_run(client: Path, args) -> dict:  # type: ignore[no-untyped-def,type-arg]
    port = peer.free_port()
    server = subprocess.Popen(
        [str(client), str(BENCH / "harness" / "chat_relay.py"), str(port), str(args.agents)],
        start_new_session=True,
    )
    try:
        wait_up(port, "/ready")
        log(f"relay: {args.residents} chats, {args.messages} messages each way")
        agents = [{"id": n} for n in range(args.agents)]
        result = run_clients(client, port, "relay", agents, args)
    finally:
        stop(server)
    result["server"] = "aiohttp 3.14.5, 1 process"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child-setup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--residents", type=int)
    parser.add_argument("--messages", type=int)
    parser.add_argument("--gap", type=float, default=10.0, help="seconds between messages")
    parser.add_argument("--engines", help="default: postgresql,sqlite (quick: postgresql)")
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="REDIS_URL for the server ('' for one process with the live push in memory)",
    )
    args = parser.parse_args()
    if args.child_setup is not None:
        child_setup(args.child_setup)
        return
    args.engines = args.engines or ("postgresql" if args.quick else "postgresql,sqlite")
    args.residents = args.residents or (40 if args.quick else 200)
    args.messages = args.messages or (2 if args.quick else 5)
    args.gap = 3.0 if args.quick and args.gap == 10.0 else args.gap
    # Three chats an agent at most (the chat capacity), and some room.
    args.agents = -(-args.residents // 3) + 2
    # Chats start over the ramp (the router decides one at a time, each with the whole
    # routing picture); then every chat goes on at once while messages are measured.
    args.ramp = 8.0 if args.quick else 30.0
    started = datetime.now(UTC)
    client = host.peer_venv(CLIENT_VENV, CLIENT_REQUIREMENTS)
    runs = {}
    for engine in args.engines.split(","):
        runs[engine] = kontakt_run(engine, client, args)
    runs["relay"] = relay_run(client, args)
    for name, run in runs.items():
        log(
            f"{name}: resident→agent p50 {run['resident_to_agent']['p50_ms']} ms, "
            f"p95 {run['resident_to_agent']['p95_ms']} ms; agent→resident p50 "
            f"{run['agent_to_resident']['p50_ms']} ms, p95 {run['agent_to_resident']['p95_ms']} "
            f"ms; lost {run['lost']}, duplicated {run['duplicated']}, errors {run['errors']}"
        )
    pg = runs.get("postgresql")
    result = {
        "benchmark": "chat_load",
        "started": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": host.machine(),
        "postgres": peer.postgres_version() if "postgresql" in runs else None,
        "goal_p95_ms": GOAL_P95_MS,
        "goal_met": bool(
            pg
            and pg["lost"] == 0
            and pg["duplicated"] == 0
            and max(
                pg["resident_to_agent"]["p95_ms"] or 1e9, pg["agent_to_resident"]["p95_ms"] or 1e9
            )
            <= GOAL_P95_MS
        ),
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"chat_load{'-quick' if args.quick else ''}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
