from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    """E-mail in and out: mailboxes read by IMAP, a mail-drop folder or a webhook, each
    message threaded into its case or queued for an agent as a new e-mail contact."""

    name = "kontakt.mail"
    verbose_name = _("E-mail")
