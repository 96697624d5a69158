"""kontakt letters_import [FOLDER]: the scanner's folder becomes letters, batch by batch."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kontakt.letters.folder import letters_import, waiting
from kontakt.letters.scans import letter_read


class Command(BaseCommand):
    help = (
        "Import the scans in the scanner's folder (KONTAKT_LETTERS_SCAN_DIR, or FOLDER) as "
        "letters: each file once (a file stored before is not stored again); stored files "
        "move to done/, those that cannot be letters to failed/ with a .reason.txt. Their "
        "text is read by the task queue, or here with --read."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", nargs="?", type=Path)
        parser.add_argument(
            "--batch",
            type=int,
            default=None,
            help="Files per transaction round (default: the setting).",
        )
        parser.add_argument(
            "--read",
            action="store_true",
            help="Read the letters' text here, not on the task queue.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = settings.KONTAKT["LETTERS"]
        folder = options["folder"] or Path(config["SCAN_DIR"])
        if not folder.is_dir():
            raise CommandError(f"No such folder: {folder}")
        batch = options["batch"] or config["IMPORT_BATCH"]
        if batch < 1:
            raise CommandError("The batch is at least one file.")
        totals = {"imported": 0, "known": 0, "failed": 0}
        with tqdm(
            total=len(waiting(folder)), unit="file", disable=options["verbosity"] == 0
        ) as bar:
            taken: set[Path] = set()
            while True:
                result = letters_import(folder=folder, batch=batch, progress=bar, skip=taken)
                taken.update(result.handled)
                totals["imported"] += len(result.imported)
                totals["known"] += len(result.known)
                totals["failed"] += len(result.failed)
                for name in result.failed:
                    self.stderr.write(f"{name}: not imported, see failed/{name}.reason.txt")
                if options["read"]:
                    for letter_id in result.imported:
                        letter_read(letter_id=letter_id)
                if not result.left or not result.handled:
                    break
        self.stdout.write(
            f"{totals['imported']} letters imported, {totals['known']} files stored before, "
            f"{totals['failed']} moved to failed/."
        )
