"""Background work of letters: the round that imports the scanner's folder. (Reading a
letter's text is the task `scans.letter_read_task`, enqueued when a letter is stored.)"""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.tasks import task

from kontakt.web.periodic import periodic

from .folder import letters_import


@periodic(every=lambda: timedelta(minutes=settings.KONTAKT["LETTERS"]["IMPORT_MINUTES"]))
@task()
def letters_import_round() -> dict[str, int]:
    """Every few minutes: a batch of the scanner's folder becomes letters."""
    config = settings.KONTAKT["LETTERS"]
    result = letters_import(folder=Path(config["SCAN_DIR"]), batch=config["IMPORT_BATCH"])
    return {
        "imported": len(result.imported),
        "known": len(result.known),
        "failed": len(result.failed),
        "left": result.left,
    }
