"""Writes of letters: receiving a scan (uploaded or from the scanner's folder), reading it
again, and registering it as a contact of channel `letter` through the intake.

Checks run first and fail loudly with the field they concern; then one transaction makes
the change.
"""

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from kontakt.accounts.models import User
from kontakt.cases import attachments
from kontakt.cases import services as case_services
from kontakt.cases.models import Case, CaseType, Channel, Outcome
from kontakt.intake import services as intake_services
from kontakt.residents.models import Resident
from kontakt.residents.services import ResidentDraft
from kontakt.web.schemas import in_time_window, time_window_message

from . import reading, scans
from .models import Letter, LetterSource, LetterState, LetterType
from .selectors import may_register_letters

EXTENSIONS = {
    LetterType.PDF: "pdf",
    LetterType.JPEG: "jpg",
    LetterType.PNG: "png",
    LetterType.TIFF: "tif",
}
# The most of a letter's text that goes onto its case as the message from the resident.
MESSAGE_CHARS = 20_000
# The lines of the text that stand for the letter when the operator writes no note.
SUMMARY_LINES = 3


@dataclass(frozen=True)
class Received:
    letter: Letter
    # False: the same file was here already (by its SHA-256), and that letter is returned.
    new: bool


def _refused(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def letter_receive(
    *,
    upload: UploadedFile,
    source: str,
    by: User | None,
    received_at: datetime | None = None,
    now: datetime | None = None,
) -> Received:
    """Store a scan once, and have it read after the commit.

    The content must be a PDF or a JPEG, PNG or TIFF image by its first bytes, not empty,
    no larger than KONTAKT["LETTERS"]["MAX_BYTES"], one that opens (a broken PDF is
    refused here, not found out later) and, where ClamAV is configured, clean. A file
    whose SHA-256 is known already is that letter: nothing new is stored.
    `by` None: the scanner's folder brought it.
    """
    if by is not None and not may_register_letters(by):
        raise PermissionDenied(_("You may not receive letters."))
    if source not in LetterSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    now = now or timezone.now()
    received_at = received_at or now
    if not in_time_window(received_at):
        raise ValidationError({"received_on": [time_window_message()]})
    if received_at > now:
        raise ValidationError({"received_on": [_("A letter cannot arrive in the future.")]})
    maximum = settings.KONTAKT["LETTERS"]["MAX_BYTES"]
    if upload.size is None or upload.size > maximum:
        raise _refused(_("The file is larger than %(mb)d MB.") % {"mb": -(-maximum // 2**20)})
    if upload.size == 0:
        raise _refused(_("The file is empty."))
    upload.seek(0)
    kind = filetype.guess(upload.read(attachments.SIGNATURE_BYTES))
    upload.seek(0)
    content_type = str(kind.mime).lower() if kind is not None else ""
    if content_type not in LetterType.values:
        raise _refused(_("The file is not a scan: only PDF, JPEG, PNG and TIFF files are read."))
    with tempfile.TemporaryDirectory(prefix="kontakt-letter-") as folder:
        path = Path(folder) / f"scan.{EXTENSIONS[LetterType(content_type)]}"
        digest = hashlib.sha256()
        with path.open("wb") as copy:
            for chunk in upload.chunks():
                digest.update(chunk)
                copy.write(chunk)
        sha256 = digest.hexdigest()
        known = Letter.objects.filter(sha256=sha256).first()
        if known is not None:
            return Received(letter=known, new=False)
        try:
            reading.check(path, content_type)
        except reading.ReadingFailed as error:
            raise _refused(_("The file cannot be opened: %(reason)s") % {"reason": error}) from None
        with path.open("rb") as content:
            checked = File(content, name=upload.name)
            attachments.scan_upload(
                checked,  # type: ignore[arg-type]
                where="letters",
                by=by.get_username() if by else "scanner folder",
            )
            name = attachments.display_name(
                upload.name or "", content_type, EXTENSIONS[LetterType(content_type)]
            )
            letter = Letter(
                name=name,
                content_type=content_type,
                size=upload.size,
                sha256=sha256,
                source=source,
                received_at=received_at,
                received_by=by,
            )
            try:
                with transaction.atomic():
                    letter.file.save(name, File(content), save=False)
                    letter.save()
                    scans.read_after_commit(letter.pk)
            except IntegrityError:
                # Stored by another request or import between the look-up and now.
                letter.file.delete(save=False)
                known = Letter.objects.filter(sha256=sha256).first()
                if known is None:
                    raise
                return Received(letter=known, new=False)
    return Received(letter=letter, new=True)


def letter_read_again(*, letter: Letter, by: User) -> Letter:
    """Read a letter that could not be read once more (a program installed since, say)."""
    if not may_register_letters(by):
        raise PermissionDenied(_("You may not change letters."))
    with transaction.atomic():
        changed = Letter.objects.filter(pk=letter.pk, state=LetterState.FAILED).update(
            state=LetterState.RECEIVED, error=""
        )
        if not changed:
            raise ValidationError(
                {"state": [_("Only a letter that could not be read is read again.")]}
            )
        scans.read_after_commit(letter.pk)
    letter.refresh_from_db()
    return letter


@dataclass(frozen=True)
class Registration:
    """What the operator decides about a letter."""

    outcome: str
    case_type: CaseType | None = None
    # Who wrote: a registered resident, or the details of a new one (or of one the details
    # match), or nobody known.
    resident: Resident | None = None
    resident_details: ResidentDraft | None = None
    # For outcome "linked": the open case the letter belongs to.
    case: Case | None = None
    note: str = ""


OUTCOMES = (Outcome.FORWARDED, Outcome.LINKED, Outcome.CLOSED)


def letter_summary(letter: Letter, note: str = "") -> str:
    """What the contact says the letter was about: the operator's note, else its first
    lines, else its name."""
    if note.strip():
        return note.strip()
    lines = [line.strip() for line in letter.text.splitlines() if line.strip()]
    if lines:
        return "\n".join(lines[:SUMMARY_LINES])[:1000]
    return _("Letter %(name)s") % {"name": letter.name}


def letter_register(
    *, letter: Letter, registration: Registration, by: User, now: datetime | None = None
) -> Letter:
    """Make the letter a contact of channel `letter`, in one transaction, through the intake.

    Forwarded as a new case or linked to an open one, the case gets the scan as an
    attachment and the letter's text as a message from the resident, so its words are on
    the case; closed at first contact, the contact alone says what it was about.
    """
    if not may_register_letters(by):
        raise PermissionDenied(_("You may not register letters."))
    if registration.outcome not in OUTCOMES:
        raise ValidationError({"outcome": [_("Choose an outcome from the list.")]})
    now = now or timezone.now()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.state == LetterState.REGISTERED:
            raise ValidationError({NON_FIELD_ERRORS: [_("This letter is registered already.")]})
        if letter.state == LetterState.RECEIVED:
            raise ValidationError(
                {NON_FIELD_ERRORS: [_("The letter is still being read; register it in a moment.")]}
            )
        arrival = intake_services.Arrival(
            contact=case_services.ContactDraft(
                channel=Channel.LETTER,
                outcome=registration.outcome,
                summary=letter_summary(letter, registration.note),
                resident=registration.resident,
                case_type=registration.case_type,
                case=registration.case,
                started_at=min(letter.received_at, now),
                ended_at=now,
            ),
            resident_details=registration.resident_details
            if registration.resident is None
            else None,
        )
        contact = intake_services.contact_intake(arrival=arrival, by=by, now=now)
        case = contact.case
        if case is not None:
            case_services.case_attach(case=case, upload=_attachable(letter), by=by, now=now)
            case_services.case_add_message(
                case=case,
                body=_message_body(letter),
                direction="in",
                channel=Channel.LETTER,
                by=None,
                now=now,
                data={"letter_id": letter.pk},
            )
        letter.state = LetterState.REGISTERED
        letter.registered_at = now
        letter.registered_by = by
        letter.contact = contact
        letter.case = case
        letter.resident = contact.resident
        letter.save(
            update_fields=[
                "state",
                "registered_at",
                "registered_by",
                "contact",
                "case",
                "resident",
            ]
        )
    return letter


def _message_body(letter: Letter) -> str:
    text = letter.text.strip()
    if not text:
        return _("A letter with no text that could be read: see the attachment %(name)s.") % {
            "name": letter.name
        }
    if len(text) > MESSAGE_CHARS:
        return text[:MESSAGE_CHARS] + "\n…"
    return text


def _attachable(letter: Letter) -> UploadedFile:
    """The scan as a file the case may take: as it is, or, for an image type the
    deployment's attachments do not take (TIFF, by default), its pages as one PDF."""
    allowed = [kind.lower() for kind in settings.KONTAKT["ATTACHMENT_CONTENT_TYPES"]]
    with letter.file.open("rb") as stored:
        content = stored.read()
    if letter.content_type in allowed or letter.content_type == LetterType.PDF:
        return SimpleUploadedFile(letter.name, content, content_type=letter.content_type)
    with tempfile.SpooledTemporaryFile() as source, tempfile.SpooledTemporaryFile() as out:
        source.write(content)
        source.seek(0)
        with Image.open(source) as image:
            pages = []
            for number in range(getattr(image, "n_frames", 1)):
                image.seek(number)
                pages.append(image.convert("RGB" if image.mode not in ("1", "L") else "L"))
            pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:])
        out.seek(0)
        stem = letter.name.rsplit(".", 1)[0]
        return SimpleUploadedFile(f"{stem}.pdf", out.read(), content_type=LetterType.PDF)
