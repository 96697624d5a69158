"""The demo's simulated exchange: its token is kept, and calls a stopped run left open are
ended when the demo starts again."""

import signal
import stat
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kontakt.core.call_events import CallEvent, EventType
from kontakt.demo.management.commands.demo import (
    DEMO_EXCHANGE,
    demo_exchange_key,
    demo_exchange_key_file,
    exchange_command,
    hang_up_leftovers,
    stop_exchange_then_server,
)
from kontakt.directory.models import AnswerGroup
from kontakt.telephony.models import Call, Exchange
from kontakt.telephony.services import call_events_record

pytestmark = pytest.mark.django_db


def test_the_key_is_kept_and_leftover_calls_are_ended(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    key = demo_exchange_key()
    assert demo_exchange_key() == key  # the second run reuses it
    exchange = Exchange.objects.get(name=DEMO_EXCHANGE)
    AnswerGroup.objects.create(name="Allmänt", code="allmant")
    at = timezone.now() - timedelta(minutes=2)
    events = [
        CallEvent("w:q", "waiting", EventType.QUEUED, at, answer_group="allmant"),
        CallEvent("t:q", "talking", EventType.QUEUED, at, answer_group="allmant"),
        CallEvent("t:a", "talking", EventType.ANSWERED, at + timedelta(seconds=9)),
        CallEvent("d:q", "done", EventType.QUEUED, at, answer_group="allmant"),
        CallEvent("d:e", "done", EventType.ABANDONED, at + timedelta(seconds=30)),
    ]
    call_events_record(events=events, exchange=exchange)
    other = Exchange.objects.create(name="real", prefix="x", key_hash="h")
    call_events_record(
        events=[CallEvent("o:q", "other", EventType.QUEUED, at, answer_group="allmant")],
        exchange=other,
    )
    assert hang_up_leftovers() == 2
    states = dict(Call.objects.values_list("call_id", "state"))
    assert states == {
        "waiting": "abandoned",
        "talking": "answered",
        "done": "abandoned",
        "other": "waiting",  # another exchange's calls are its own business
    }
    assert hang_up_leftovers() == 0


def test_the_simulated_exchange_gets_its_token_by_a_private_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    command = exchange_command("127.0.0.1:8000", 60)
    key = demo_exchange_key()
    assert not any(key in part for part in command)  # ps shows the command line to all
    path = demo_exchange_key_file()
    assert str(path) in command
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_simulator_refuses_a_token_file_others_may_read(tmp_path, monkeypatch):
    monkeypatch.delenv("KONTAKT_EXCHANGE_TOKEN", raising=False)
    path = tmp_path / "token"
    path.write_text("kx_secret")
    path.chmod(0o644)
    with pytest.raises(CommandError, match="chmod 600"):
        call_command("exchange_simulate", "--token-file", str(path))
    with pytest.raises(CommandError, match="token-file"):
        call_command("exchange_simulate")


def test_sigterm_stops_the_exchange_before_the_server():
    exchange = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    interrupted = False
    try:
        stop_exchange_then_server([exchange])
        for _tick in range(6000):  # the main thread is interrupted once the exchange is gone
            time.sleep(0.01)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if exchange.poll() is None:
            exchange.kill()
    assert interrupted
    assert exchange.returncode == -signal.SIGTERM
