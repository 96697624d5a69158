"""kontakt queue_log_import FILE…: statistics from an Asterisk queue_log."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kontakt.telephony import services


class Command(BaseCommand):
    help = (
        "Import Asterisk queue_log files (pipe-separated lines: time|callid|queue|agent|event|"
        "data…); importing a file again changes nothing. Every line is checked before "
        "anything is stored; lines that cannot be imported are reported by number."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--number", default="", help="The number these queues answer.")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(p) for p in options["files"] if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        number = options["number"]
        if len(number) > 40 or "\x00" in number:
            raise CommandError("The number is at most 40 characters, without NUL.")
        for path in options["files"]:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            with tqdm(
                total=len(lines), unit="line", desc=path.name, disable=options["verbosity"] == 0
            ) as bar:
                report = services.queue_log_import(lines=lines, number=number, progress=bar.update)
            for problem in report.problems:
                self.stderr.write(f"{path}: {problem}")
            if report.unknown_queues:
                self.stderr.write(
                    f"{path}: queues without an answer group of that code: "
                    f"{', '.join(report.unknown_queues)}"
                )
            self.stdout.write(
                f"{path}: {report.accepted} events added, {report.duplicates} already there, "
                f"{report.skipped} agent and queue lines skipped, {len(report.problems)} "
                "lines not imported (each named above)."
            )
