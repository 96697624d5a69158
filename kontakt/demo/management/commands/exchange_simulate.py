"""kontakt exchange_simulate: a simulated telephone exchange that calls Kontakt's API, for
the demo (calls flowing through the IVR to agents' desktops, a wallboard that moves)."""

import logging
import os
import secrets
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kontakt.demo.exchange_simulator import (
    CallPlanner,
    ExchangeSimulator,
    KontaktApi,
    SimulatorError,
    log,
)
from kontakt.demo.municipality import CHANNEL_SHARE, CONTACTS_PER_DAY, HOURLY_SHARE
from kontakt.directory.models import Employee
from kontakt.residents.models import ResidentPhone
from kontakt.telephony.models import MenuOption, PhoneNumber

# Residents' numbers callers use: enough for variety, few enough to read at once.
MAX_KNOWN_CALLERS = 2000


# People whose direct numbers the switchboard's callers ring or are put through to.
MAX_DIRECTORY = 10000


def digit_weights(text: str) -> dict[str, float] | None:
    """ "1:4,0:5" as {"1": 4.0, "0": 5.0}; None when not given."""
    if not text.strip():
        return None
    weights = {}
    for part in text.split(","):
        digit, _colon, weight = part.partition(":")
        try:
            weights[digit.strip()] = float(weight)
        except ValueError:
            raise CommandError(f"Give digit weights as 1:4,2:5, not {text!r}.") from None
    return weights


def menu_options_of(number: str) -> dict[str, str]:
    """The number's digits and their answer groups, as the menu lists them when open."""
    return dict(
        MenuOption.objects.filter(phone_number__number=number)
        .order_by("digit")
        .values_list("digit", "answer_group__code")
    )


class Command(BaseCommand):
    help = (
        "Simulate a telephone exchange against Kontakt's API: calls arrive, hear the IVR, "
        "queue and are answered by the agents' phones. Stops on Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Kontakt's address.")
        parser.add_argument(
            "--token-file",
            type=Path,
            default=None,
            help=(
                "A file holding the exchange's token (kx_…), readable by its owner only; "
                "default: $KONTAKT_EXCHANGE_TOKEN. Never on the command line, where other "
                "users of the machine can read it."
            ),
        )
        parser.add_argument("--number", default="", help="The number called (default: the first).")
        parser.add_argument(
            "--agents", default="", help="Usernames whose phones are simulated, comma-separated."
        )
        parser.add_argument(
            "--calls-per-day",
            type=float,
            default=CONTACTS_PER_DAY * CHANNEL_SHARE["phone"],
            help="Calls a day, spread over the hours as in the demo's seeds.",
        )
        parser.add_argument(
            "--calls-per-hour", type=float, default=None, help="A flat rate instead of the day's."
        )
        parser.add_argument("--speed", type=float, default=1.0, help="Times run this much faster.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--duration", type=float, default=None, help="Stop after this many seconds."
        )
        parser.add_argument(
            "--ignore-closed", action="store_true", help="Queue calls outside opening hours too."
        )
        parser.add_argument(
            "--switchboard-group",
            default="",
            help="The switchboard's answer group: its calls are put through to people.",
        )
        parser.add_argument(
            "--direct-share",
            type=float,
            default=0.0,
            help="Of the calls, the share made to people's direct numbers.",
        )
        parser.add_argument(
            "--never-answers",
            default="",
            help="Direct numbers whose phone is never answered, comma-separated.",
        )
        parser.add_argument(
            "--digit-weights",
            default="",
            help="How often callers press each digit, e.g. 1:4,2:5,0:5 (default: 1, 1/2, …).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        token = self._token(options["token_file"])
        if options["speed"] <= 0:
            raise CommandError("The speed must be positive.")
        number = options["number"] or PhoneNumber.objects.values_list("number", flat=True).first()
        if not number:
            raise CommandError("No phone number in Kontakt: give one with --number.")
        self._log_to_stderr(options["verbosity"])
        tz = ZoneInfo(settings.TIME_ZONE)
        callers = list(
            ResidentPhone.objects.order_by("id").values_list("number", flat=True)[
                :MAX_KNOWN_CALLERS
            ]
        )
        try:
            api = KontaktApi(options["url"], token)
        except SimulatorError as error:
            raise CommandError(str(error)) from None
        planner = CallPlanner(
            seed=options["seed"],
            start=datetime.now(tz),
            hourly_share=HOURLY_SHARE,
            calls_per_day=options["calls_per_day"],
            calls_per_hour=options["calls_per_hour"],
            callers=callers,
            # Unique per run: an event id Kontakt has seen before would be ignored.
            run_id=f"sim{datetime.now(tz):%y%m%d%H%M}{secrets.token_hex(2)}",
        )
        switchboard = options["switchboard_group"]
        directory = (
            list(
                Employee.objects.filter(active=True)
                .exclude(direct_number="")
                .order_by("id")
                .values_list("direct_number", flat=True)[:MAX_DIRECTORY]
            )
            if switchboard
            else []
        )
        simulator = ExchangeSimulator(
            switchboard_group=switchboard,
            directory=directory,
            direct_share=options["direct_share"],
            never_answers=[n.strip() for n in options["never_answers"].split(",") if n.strip()],
            digit_weights=digit_weights(options["digit_weights"]),
            menu_options=menu_options_of(number),
            api=api,
            number=number,
            planner=planner,
            agents=[a.strip() for a in options["agents"].split(",") if a.strip()],
            speed=options["speed"],
            seed=options["seed"],
            duration=options["duration"],
            ignore_closed=options["ignore_closed"],
            tz=tz,
        )

        def on_signal(signum: int, frame: Any) -> None:
            # The calls in progress are hung up first; a second signal stops at once.
            signal.signal(signum, signal.SIG_DFL)
            simulator.request_stop()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            simulator.run()
        except SimulatorError as error:
            raise CommandError(str(error)) from None

    def _token(self, path: Path | None) -> str:
        if path is not None:
            try:
                if path.stat().st_mode & 0o077:
                    raise CommandError(
                        f"{path} may be read by others: make it readable by its owner only "
                        "(chmod 600)."
                    )
                token = path.read_text(encoding="utf-8").strip()
            except OSError as error:
                raise CommandError(f"The token file cannot be read: {error}") from None
        else:
            token = os.environ.get("KONTAKT_EXCHANGE_TOKEN", "").strip()
        if not token.startswith("kx_"):
            raise CommandError(
                "Give the exchange's token (kx_…) in a file with --token-file, or in "
                "KONTAKT_EXCHANGE_TOKEN; create one with: kontakt exchange_create NAME"
            )
        return token

    def _log_to_stderr(self, verbosity: int) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        log.addHandler(handler)
        log.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
        log.propagate = False
