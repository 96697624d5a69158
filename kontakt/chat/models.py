"""Residents' web chats and their messages.

A chat is known to the resident's browser by its public id (random, in the URLs) together
with a signed cookie naming it (kontakt.chat.access); the database keeps no secret.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChatState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    ABANDONED = "abandoned", pgettext_lazy("chat", "Abandoned")


class ChatLanguage(models.TextChoices):
    SWEDISH = "sv", "Svenska"
    NORWEGIAN = "nb", "Norsk bokmål"
    ENGLISH = "en", "English"


class Sender(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class Chat(models.Model):
    """One resident's chat: waiting in the queue, with an agent, or over."""

    public_id = models.CharField(_("public id"), max_length=32, unique=True)
    language = models.CharField(_("language"), max_length=5, choices=ChatLanguage.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ChatState.choices, default=ChatState.WAITING
    )
    # The routing engine's queued contact (reference "chat:<pk>"); telephony sits below.
    queued = models.OneToOneField(
        "telephony.QueuedContact",
        verbose_name=_("queued contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chats",
    )
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # The resident closed the chat while an agent had it; the agent still logs it.
    resident_left_at = models.DateTimeField(_("resident left"), null=True, blank=True)
    contact = models.OneToOneField(
        "cases.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chat",
    )
    page = models.CharField(_("started on page"), max_length=300, blank=True)
    next_seq = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["agent", "state"], name="chat_agent_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="chat_ended_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"chat:{self.pk}"

    @property
    def reference(self) -> str:
        """The routing engine's name for it."""
        return f"chat:{self.pk}"

    @property
    def topic(self) -> str:
        """The live topic the resident's stream listens to."""
        return f"chat:{self.pk}"


class ChatMessage(models.Model):
    """One line of a chat, numbered in order within it."""

    chat = models.ForeignKey(
        Chat, verbose_name=_("chat"), on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField(_("number"))
    sender = models.CharField(_("sender"), max_length=8, choices=Sender.choices)
    body = models.TextField(_("text"))
    at = models.DateTimeField(_("at"))
    # The sender's own id of the message: a retried send is stored once.
    client_id = models.CharField(_("client id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["chat", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "seq"], name="chat_message_seq_unique"),
            models.UniqueConstraint(
                fields=["chat", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chat} #{self.seq}"
