"""The scanner's folder (KONTAKT["LETTERS"]["SCAN_DIR"]): each file in it becomes a letter,
in batches, by the same `letter_receive` as an upload.

A file stored (or known already by its SHA-256) is moved to `done/` once its letter is
committed; one that cannot be a letter (not a scan, empty, too large, broken, unreadable)
is moved to `failed/`, beside a `<name>.reason.txt` that says why. Nothing is deleted.
Hidden files and names ending in `.part` or `.tmp` are left alone: a scanner writes under
such a name and renames the file when it is whole.
"""

import logging
import shutil
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from .models import LetterSource
from .services import letter_receive

logger = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"
UNFINISHED = (".part", ".tmp", ".reason.txt")


@dataclass
class ImportRound:
    imported: list[int] = field(default_factory=list)  # letters stored
    known: list[int] = field(default_factory=list)  # files stored before, moved to done/
    failed: list[str] = field(default_factory=list)  # names moved to failed/
    left: int = 0  # files waiting for the next batch
    handled: list[Path] = field(default_factory=list)  # the files this round took


def waiting(folder: Path) -> list[Path]:
    """The files in the folder that may be imported, oldest first."""
    if not folder.is_dir():
        return []
    found = [
        path
        for path in folder.iterdir()
        if path.is_file()
        and not path.name.startswith(".")
        and not path.name.lower().endswith(UNFINISHED)
    ]
    return sorted(found, key=lambda path: (path.stat().st_mtime, path.name))


def letters_import(
    *,
    folder: Path,
    batch: int,
    now: datetime | None = None,
    progress: Any = None,
    skip: Collection[Path] = (),
) -> ImportRound:
    """Import up to `batch` files of the folder; `progress` (a tqdm bar, say) is updated
    once per file. `skip`: files taken by an earlier round of the same transaction, which
    stay in the folder until it commits."""
    result = ImportRound()
    files = [path for path in waiting(folder) if path not in skip]
    result.left = max(0, len(files) - batch)
    for path in files[:batch]:
        result.handled.append(path)
        _import_one(path, folder=folder, result=result, now=now or timezone.now())
        if progress is not None:
            progress.update(1)
    return result


def _import_one(path: Path, *, folder: Path, result: ImportRound, now: datetime) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as content:
            upload = UploadedFile(content, name=path.name, size=size)
            received = letter_receive(upload=upload, source=LetterSource.FOLDER, by=None, now=now)
    except FileNotFoundError:
        return  # taken by another import meanwhile
    except ValidationError as error:
        _fail(path, folder, " ".join(error.messages))
        result.failed.append(path.name)
        return
    except OSError as error:
        _fail(path, folder, f"The file could not be read: {error}")
        result.failed.append(path.name)
        return
    (result.imported if received.new else result.known).append(received.letter.pk)
    # After the commit (at once outside a transaction): the file stays until it is stored.
    transaction.on_commit(partial(_move, path, folder / DONE))


def _fail(path: Path, folder: Path, reason: str) -> None:
    logger.warning("Scan %s not imported: %s", path.name, reason)
    try:
        moved = _move(path, folder / FAILED)
    except FileNotFoundError:
        return
    moved.with_name(moved.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")


def _move(source: Path, target_folder: Path) -> Path:
    """Move a file into a folder under its own name, or with a number added where the name
    is taken; its new path."""
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / source.name
    number = 1
    while target.exists():
        target = target_folder / f"{source.stem}-{number}{source.suffix}"
        number += 1
    shutil.move(str(source), target)
    return target
