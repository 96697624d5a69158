from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    """Letters and scans: a scanned letter registered by an operator or imported from the
    scanner's folder, its text read (PDF text or OCR), searchable, and made a contact."""

    name = "kontakt.letters"
    verbose_name = _("Letters")
