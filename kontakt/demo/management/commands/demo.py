import _thread
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.call_events import CallState, EventType
from kontakt.demo import municipality as m
from kontakt.demo.municipality import DEMO_PASSWORD
from kontakt.demo.people import NEVER_ANSWERS
from kontakt.demo.seed import seed_all
from kontakt.open311.models import Open311Client
from kontakt.open311.services import open311_client_create
from kontakt.telephony.models import Call, CallEvent, Exchange
from kontakt.telephony.services import call_events_record, exchange_create


class Command(BaseCommand):
    help = "Seed the demo municipality (idempotent), start a task worker and serve Kontakt."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Address to serve on.")
        parser.add_argument("--no-serve", action="store_true", help="Only seed, then exit.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")
        parser.add_argument(
            "--no-exchange", action="store_true", help="Do not start the simulated exchange."
        )
        parser.add_argument(
            "--calls-per-hour",
            type=float,
            default=120,
            help="Calls an hour from the simulated exchange (the demo is lively on purpose).",
        )

    def handle(
        self,
        *args,
        addr: str,
        no_serve: bool,
        no_progress: bool,
        no_exchange: bool,
        calls_per_hour: float,
        **options,
    ):
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        counts = seed_all(progress=not no_progress)
        self.stdout.write(
            "Sjöstad kommun: {departments} departments, {staff} staff users, "
            "{case_types} case types, {residents} residents, {contacts} contacts, "
            "{cases} cases, {articles} knowledge-base articles, {calls} calls, {employees} "
            "employees in the directory, {messages} switchboard messages.".format(**counts)
        )
        if no_serve:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Kontakt runs on http://{addr}/ — sign in as agent1, switch1, handler.avfall, "
                f"supervisor or admin with the password {DEMO_PASSWORD!r}. Ctrl+C stops."
            )
        )
        self.stdout.write(
            f"Residents write at http://{addr}/form/ and follow their cases at "
            f"http://{addr}/my/ (receipts and notices land in var/outbox and "
            f"var/sms-outbox). A civic app files through Open311 at http://{addr}/open311/v2/ "
            f"with the API key in {demo_open311_key_file()}."
        )
        worker = subprocess.Popen([sys.executable, "-m", "kontakt.cli", "worker"])
        # Enqueues the periodic tasks (calendar feeds, …) for the worker.
        scheduler = subprocess.Popen([sys.executable, "-m", "kontakt.cli", "periodic"])
        exchange: list[subprocess.Popen[bytes]] = []
        if not no_exchange:
            hang_up_leftovers()
            command = exchange_command(addr, calls_per_hour)
            self.stdout.write(
                "A simulated exchange sends calls; sign in as agent1 and press Ready to take "
                "some. The wallboard: sign in as supervisor."
            )
            threading.Thread(
                target=_start_when_serving, args=(addr, command, exchange), daemon=True
            ).start()
        signal.signal(signal.SIGTERM, lambda signum, frame: stop_exchange_then_server(exchange))
        # A demo started in the background by a shell inherits SIGINT ignored; the stop on
        # SIGTERM ends the server through SIGINT's handler (interrupt_main), so install it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            call_command("runserver", addr, use_reloader=False, insecure_serving=not settings.DEBUG)
        finally:
            _stop([*exchange, scheduler, worker])


def stop_exchange_then_server(started: list[subprocess.Popen[bytes]]) -> threading.Thread:
    """On SIGTERM: the simulated exchange stops first and hangs up its calls while the
    server still answers it; then the server stops as on Ctrl-C, and the worker with it.
    (Without this, SIGTERM ended the demo at once and left its exchange running.)"""

    def run() -> None:
        _stop(started)
        _thread.interrupt_main()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def exchange_command(addr: str, calls_per_hour: float) -> list[str]:
    """The simulated exchange's command line: its token goes by a file readable by its
    owner only, never on the command line, where every user of the machine reads it (ps,
    /proc/PID/cmdline)."""
    return [
        sys.executable,
        "-m",
        "kontakt.cli",
        "exchange_simulate",
        "--url",
        f"http://{addr}",
        "--token-file",
        str(demo_exchange_key_file()),
        "--number",
        m.CENTER_NUMBER,
        "--agents",
        ",".join(m.SIMULATED_AGENTS),
        "--calls-per-hour",
        str(calls_per_hour),
        "--ignore-closed",
        "--switchboard-group",
        "vaxel",
        "--direct-share",
        str(m.DIRECT_CALL_SHARE),
        "--never-answers",
        ",".join(NEVER_ANSWERS),
        "--digit-weights",
        ",".join(f"{digit}:{weight}" for digit, weight in m.DIGIT_WEIGHTS.items()),
    ]


def hang_up_leftovers() -> int:
    """End the calls a stopped earlier run of the simulated exchange left open (it could not
    tell the server it was gone), as a real exchange would on restart."""
    now = timezone.now()
    open_calls = Call.objects.filter(
        state__in=[CallState.IN_IVR, CallState.WAITING, CallState.RINGING, CallState.TALKING],
        call_id__in=CallEvent.objects.filter(exchange__name=DEMO_EXCHANGE).values("call_id"),
    )
    events = [
        CoreEvent(
            event_id=f"{call.call_id}:restart",
            call_id=call.call_id,
            type=EventType.ENDED if call.state == CallState.TALKING else EventType.ABANDONED,
            at=max(now, call.last_event_at),
        )
        for call in open_calls
    ]
    if events:
        call_events_record(events=events, exchange=Exchange.objects.get(name=DEMO_EXCHANGE))
    return len(events)


def demo_exchange_key() -> str:
    """The simulated exchange's token, kept in var/ so a second run reuses it."""
    return demo_exchange_key_file().read_text().strip()


def demo_exchange_key_file() -> Path:
    """The file (mode 0600) holding the simulated exchange's token, made if need be."""

    def make() -> str:
        Exchange.objects.filter(name=DEMO_EXCHANGE).delete()
        return exchange_create(name=DEMO_EXCHANGE)[1]

    return _key_file(
        "demo-exchange-key",
        valid=lambda key: Exchange.objects.filter(key_hash=Exchange.hash_key(key)).exists(),
        make=make,
    )


def demo_open311_key_file() -> Path:
    """The file (mode 0600) holding the demo's Open311 client's API key, made if need be."""

    def make() -> str:
        Open311Client.objects.filter(name=DEMO_OPEN311_CLIENT).delete()
        return open311_client_create(name=DEMO_OPEN311_CLIENT)[1]

    return _key_file(
        "demo-open311-key",
        valid=lambda key: Open311Client.objects.filter(
            key_hash=Open311Client.hash_key(key), active=True
        ).exists(),
        make=make,
    )


def _key_file(name: str, *, valid: Callable[[str], bool], make: Callable[[], str]) -> Path:
    """A key kept in var/ (mode 0600) so a second run reuses it; a new one where the file
    is missing or its key no longer works."""
    path = settings.VAR_DIR / name
    if path.exists():
        key = path.read_text().strip()
        if valid(key):
            path.chmod(0o600)
            return path
    key = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    # Created with 0600 from the start: the key is never readable by others.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
    return path


DEMO_OPEN311_CLIENT = "Demo app (Open311)"
DEMO_EXCHANGE = "Simulated exchange (demo)"


def _start_when_serving(
    addr: str, command: list[str], started: list[subprocess.Popen[bytes]]
) -> None:
    # The exchange talks to the server over HTTP: start it once the server answers.
    for _attempt in range(120):
        try:
            urllib.request.urlopen(f"http://{addr}/login/", timeout=2).close()
            break
        except OSError:
            time.sleep(0.5)
    started.append(subprocess.Popen(command))
