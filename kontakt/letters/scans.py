"""Reading a stored letter on the task queue: its text and a preview, stored on the letter.

A letter is read once it is committed (`read_after_commit`); the page shows "Reading…"
until the task has stored what it found, or why it could not (`state` failed, `error`).
The programs run outside any transaction, on a copy of the stored file in a temporary
folder, so the file's storage may be anything Django can open.
"""

import shutil
import tempfile
from functools import partial
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import reading
from .models import Letter, LetterState


def read_after_commit(letter_id: int) -> None:
    """Read the letter on the task queue once the transaction that stored it commits."""
    transaction.on_commit(partial(letter_read_task.enqueue, letter_id=letter_id))


def letter_read(*, letter_id: int) -> str:
    """Read a letter that is waiting to be read; its state afterwards. A letter read or
    registered meanwhile (a task run twice) is left as it is."""
    letter = Letter.objects.filter(pk=letter_id, state=LetterState.RECEIVED).first()
    if letter is None:
        return "skipped"
    extension = (letter.file.name or "").rsplit(".", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="kontakt-letter-") as folder:
        path = Path(folder) / f"letter.{extension}"
        try:
            with letter.file.open("rb") as stored, path.open("wb") as copy:
                shutil.copyfileobj(stored, copy)
        except FileNotFoundError:
            return _failed(letter_id, reading.ReadingFailed("The stored file is missing."))
        try:
            found = reading.read(path, letter.content_type)
        except reading.ReadingFailed as error:
            return _failed(letter_id, error)
        try:
            image = reading.preview(path, letter.content_type)
        except reading.ReadingFailed:
            image = b""  # the text is what counts; the page says there is no preview
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None or letter.state != LetterState.RECEIVED:
            return "skipped"
        if image:
            letter.preview.save(f"preview-{letter.pk}.png", ContentFile(image), save=False)
        letter.text = found.text
        letter.text_source = found.source
        letter.pages = found.pages
        letter.reading_note = found.note[:500]
        letter.error = ""
        letter.state = LetterState.READ
        letter.read_at = timezone.now()
        letter.save()
    return letter.state


def _failed(letter_id: int, error: reading.ReadingFailed) -> str:
    Letter.objects.filter(pk=letter_id, state=LetterState.RECEIVED).update(
        state=LetterState.FAILED, error=str(error)[:500], read_at=timezone.now()
    )
    return LetterState.FAILED


@task()
def letter_read_task(*, letter_id: int) -> str:
    """Read a letter's text (PDF text or OCR) and make its preview."""
    return letter_read(letter_id=letter_id)
