import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Open311Client(models.Model):
    """A civic app (FixMyStreet, a city's own app) that files service requests through
    Open311; only its API key's SHA-256 is stored."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "ko_" + secrets.token_urlsafe(32)


class Open311Request(models.Model):
    """A service request a client filed: the case it became, what the client may be told
    again (its answer, for a repeated `Idempotency-Key`) and what it sent beside the case."""

    client = models.ForeignKey(
        Open311Client,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="requests",
        db_index=False,  # leads the open311request_key constraint
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="open311_request",
    )
    # The client's Idempotency-Key header ("" when it sent none) and the SHA-256 of the
    # request's fields, so the same key with another body is told apart.
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, blank=True)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    answer = models.JSONField(_("answer"), default=list)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    # A link to the client's photo, kept as given and never fetched.
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="open311request_key",
            )
        ]
        indexes = [models.Index(fields=["client", "created_at"], name="open311request_client")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.case_id}"
