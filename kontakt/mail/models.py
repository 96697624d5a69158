"""Mailboxes the center reads, and every message read from them, stored once."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MailboxKind(models.TextChoices):
    IMAP = "imap", _("IMAP server")
    DROP = "drop", _("Mail-drop folder")


class Mailbox(models.Model):
    """A mailbox read for residents' e-mail: an IMAP account, or the local mail-drop folder
    (KONTAKT["MAIL"]["DROP_DIR"]). New mail is queued for the answer group."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=MailboxKind.choices, default=MailboxKind.IMAP
    )
    address = models.EmailField(_("address"), blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    port = models.PositiveIntegerField(_("port"), default=993)
    ssl = models.BooleanField(_("TLS"), default=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    # Stored as given: the IMAP server needs it. The admin form never shows it.
    password = models.CharField(_("password"), max_length=200, blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    answer_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("answer group"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    # IMAP: the folder's UIDVALIDITY and the highest UID stored; a new UIDVALIDITY starts
    # again from UID 1 (Message-IDs keep what was stored before from coming twice).
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.BigIntegerField(_("last UID read"), default=0)
    last_checked_at = models.DateTimeField(_("last read"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MailKind(models.TextChoices):
    MESSAGE = "message", _("message")
    AUTO_REPLY = "auto_reply", _("automatic reply")
    BOUNCE = "bounce", _("delivery failure")


class MailState(models.TextChoices):
    QUEUED = "queued", _("queued for an agent")
    THREADED = "threaded", _("added to its case")
    ANSWERED = "answered", _("answered")
    QUARANTINED = "quarantined", _("quarantined")
    IGNORED = "ignored", _("stored, not answered")


def raw_path(instance: "InboundMail", filename: str) -> str:
    return f"mail/{instance.received_at:%Y/%m}/{filename}"


def attachment_path(instance: "InboundAttachment", filename: str) -> str:
    return f"mail/{instance.mail.received_at:%Y/%m}/{instance.mail_id}/{filename}"


class InboundMail(models.Model):
    """One message as it arrived: the raw .eml kept, a safe text of it, and what became of
    it (threaded into a case, queued for an agent, answered, ignored or quarantined)."""

    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mails",
    )
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    uid = models.BigIntegerField(_("UID"), null=True, blank=True)
    # The sender's Message-ID, or one made from a hash of the message when it has none.
    message_id = models.CharField(_("Message-ID"), max_length=255)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("references"), blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    to = models.CharField(_("to"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    date = models.DateTimeField(_("date"), null=True, blank=True)
    # Plain text only, never rendered as HTML; the earlier conversation it quotes apart.
    text = models.TextField(_("text"), blank=True)
    quoted = models.TextField(_("quoted conversation"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=MailKind.choices, default=MailKind.MESSAGE
    )
    state = models.CharField(
        _("state"), max_length=20, choices=MailState.choices, default=MailState.QUEUED
    )
    # Set when the message named a case or mail its sender has nothing to do with.
    suspicious = models.BooleanField(_("pointed at another resident's case"), default=False)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
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
        related_name="+",
    )
    # The earlier mail of the same conversation, when it has no case.
    earlier = models.ForeignKey(
        "self",
        verbose_name=_("earlier mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raw = models.FileField(_("message as received"), upload_to=raw_path, max_length=300)
    size = models.PositiveIntegerField(_("size"), default=0)
    received_at = models.DateTimeField(_("received"))
    error = models.TextField(_("why it is quarantined"), blank=True)

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["message_id"], name="inbound_mail_message_id_once"),
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"],
                condition=Q(uid__isnull=False),
                name="inbound_mail_uid_once",
            ),
        ]
        indexes = [models.Index(fields=["state", "received_at"], name="inbound_mail_state")]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class InboundAttachment(models.Model):
    """A file that came with a mail. Stored here as it came; when the mail joins a case it
    is also attached there (`attachment_id`), or `refused` says why not."""

    mail = models.ForeignKey(
        InboundMail, verbose_name=_("mail"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("declared type"), max_length=120)
    size = models.PositiveIntegerField(_("size"))
    attachment_id = models.PositiveIntegerField(_("case attachment"), null=True, blank=True)
    refused = models.CharField(_("why not on the case"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mail attachment")
        verbose_name_plural = _("mail attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
