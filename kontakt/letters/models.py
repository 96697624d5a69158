"""A scanned letter: the file as it came (uploaded by an operator or taken from the scanner's
folder), the text read from it (the PDF's text layer or OCR), and, once registered, the
contact and case it became.

Each file is stored once: its SHA-256 is unique, so the same scan uploaded twice, imported
twice, or uploaded and imported, is one letter. The text is searchable by word on both
databases: an FTS5 table on SQLite and a stored tsvector with a GIN index on PostgreSQL,
both kept by triggers (migration 0002; not model fields, like the cases' search).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    FOLDER = "folder", _("Scanner folder")


class LetterState(models.TextChoices):
    # Stored; its text is being read by the task queue.
    RECEIVED = "received", _("Reading…")
    READ = "read", _("Read")
    REGISTERED = "registered", _("Registered")
    FAILED = "failed", _("Could not be read")


class TextSource(models.TextChoices):
    PDF = "pdf", _("PDF text")
    OCR = "ocr", _("OCR")
    NONE = "none", _("No text")


class LetterType(models.TextChoices):
    """What a letter's content may be, as read from its first bytes."""

    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
    TIFF = "image/tiff", "TIFF"


def letter_path(instance: "Letter", filename: str) -> str:
    """Where the scan is stored: a random name (no resident's name, nothing to guess) with
    the extension of its type, under the month it came."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"letters/{instance.received_at:%Y/%m}/{uuid.uuid4().hex}.{extension}"


def preview_path(instance: "Letter", filename: str) -> str:
    return f"letters/{instance.received_at:%Y/%m}/{uuid.uuid4().hex}-preview.png"


class Letter(models.Model):
    file = models.FileField(_("file"), upload_to=letter_path, max_length=300)
    # The first page, small, for the operator to classify from.
    preview = models.FileField(_("preview"), upload_to=preview_path, max_length=300, blank=True)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40, choices=LetterType.choices)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=LetterSource.choices)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    text_source = models.CharField(
        _("text from"), max_length=4, choices=TextSource.choices, default=TextSource.NONE
    )
    state = models.CharField(
        _("state"), max_length=12, choices=LetterState.choices, default=LetterState.RECEIVED
    )
    # Why the text could not be read (state failed).
    error = models.CharField(_("error"), max_length=500, blank=True)
    # What the reading left out (pages past the limit).
    reading_note = models.CharField(_("reading note"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact = models.ForeignKey(
        "cases.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
    )
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="letter_received"),
            models.Index(fields=["state", "-received_at"], name="letter_state_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=LetterState.values), name="letter_state_known"
            ),
            models.CheckConstraint(
                condition=models.Q(content_type__in=LetterType.values), name="letter_type_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reading(self) -> bool:
        return self.state == LetterState.RECEIVED
