"""The switchboard's own records: calls put through to a person, and messages taken."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferState(models.TextChoices):
    REQUESTED = "requested", _("Asked of the exchange")
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    RETURNED = "returned", _("Came back")
    FAILED = "failed", _("Could not be made")


class ReturnReason(models.TextChoices):
    """Why a transfer came back (the exchange's `reason`)."""

    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    ABSENT = "absent", _("Away")


class Transfer(models.Model):
    """An operator's transfer of a call to a person, and what became of it.

    The operator asks; the exchange fetches the command, rings the person and reports back
    with call events (transfer_started, transfer_answered, transfer_returned with a reason),
    which move the state here.
    """

    call_id = models.CharField(_("call id"), max_length=120, db_index=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="transfers_made",
    )
    employee = models.ForeignKey(
        "directory.Employee",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    # The number the exchange was asked to ring (the employee's direct number then).
    target = models.CharField(_("number"), max_length=40)
    state = models.CharField(
        _("state"), max_length=10, choices=TransferState.choices, default=TransferState.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=12, choices=ReturnReason.choices, blank=True)
    requested_at = models.DateTimeField(_("asked"))
    fetched_at = models.DateTimeField(_("fetched by the exchange"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    returned_at = models.DateTimeField(_("came back"), null=True, blank=True)
    # The person who got it says it was not for them: a wrong transfer.
    not_mine_at = models.DateTimeField(_("marked not mine"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["state", "requested_at"], name="transfer_state_time")]

    def __str__(self) -> str:
        return f"{self.call_id} → {self.employee}"


class CallBack(models.TextChoices):
    ASAP = "asap", _("As soon as possible")
    TODAY = "today", _("Today")
    AT = "at", _("At a given time")
    NOT_NEEDED = "no", _("No need to call back")


class MessageState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    NOT_MINE = "not_mine", _("Not mine")


class Message(models.Model):
    """A message taken for a person who could not take the call: a task for them, kept
    until they mark it done (or say it is not theirs)."""

    employee = models.ForeignKey(
        "directory.Employee",
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        related_name="messages",
    )
    call_id = models.CharField(_("call id"), max_length=120, blank=True)
    caller_name = models.CharField(_("caller"), max_length=200, blank=True)
    caller_number = models.CharField(_("number to call back"), max_length=40, blank=True)
    about = models.TextField(_("what it is about"), max_length=4000)
    call_back = models.CharField(
        _("call back"), max_length=5, choices=CallBack.choices, default=CallBack.ASAP
    )
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="messages_taken",
    )
    taken_at = models.DateTimeField(_("taken"))
    contact = models.OneToOneField(
        "cases.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="switchboard_message",
    )
    state = models.CharField(
        _("state"), max_length=8, choices=MessageState.choices, default=MessageState.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    not_mine_at = models.DateTimeField(_("marked not mine"), null=True, blank=True)
    # Sent to the person: by which channel, when, and what went wrong.
    sent_by = models.CharField(_("sent by"), max_length=5, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivery_error = models.TextField(_("delivery error"), blank=True)
    escalated_at = models.DateTimeField(_("sent to the unit's contact"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "directory.Employee",
        verbose_name=_("sent to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["state", "taken_at"], name="message_state_time")]

    def __str__(self) -> str:
        return f"{self.employee}: {self.about[:40]}"
