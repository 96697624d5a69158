from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundState(models.TextChoices):
    ON_CASE = "on_case", _("on the resident's open case")
    QUEUED = "queued", _("waiting for an agent")
    UNROUTED = "unrouted", _("no answer group to queue it in")
    LOGGED = "logged", _("logged as a contact")


class InboundSms(models.Model):
    """A text message from a resident, as the gateway's webhook brought it: stored once
    (by the gateway's id), then put on the resident's open case or queued for an agent."""

    gateway_id = models.CharField(_("gateway id"), max_length=100, unique=True)
    # E.164 when it is a phone number; as sent otherwise (an alphanumeric sender).
    sender = models.CharField(_("from"), max_length=32, db_index=True)
    to = models.CharField(_("to"), max_length=32, blank=True)
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received"))
    stored_at = models.DateTimeField(_("stored"))
    state = models.CharField(_("state"), max_length=20, choices=InboundState.choices)
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    queued = models.ForeignKey(
        "telephony.QueuedContact",
        verbose_name=_("queued contact"),
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

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
