from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ResidentKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class FeedbackChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    MY_PAGES = "my_pages", _("My pages")


class IdentityCountry(models.TextChoices):
    SE = "SE", _("Sweden")
    NO = "NO", _("Norway")


class Resident(models.Model):
    """A person or organisation who contacts the city."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=ResidentKind.choices, default=ResidentKind.PERSON
    )
    name = models.CharField(_("name"), max_length=200)
    identity_number = models.CharField(
        _("national identity number"), max_length=12, blank=True, db_index=True
    )
    identity_country = models.CharField(
        _("country of identity number"), max_length=2, choices=IdentityCountry.choices, blank=True
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, blank=True, default="sv"
    )
    preferred_channel = models.CharField(
        _("preferred feedback channel"),
        max_length=20,
        choices=FeedbackChannel.choices,
        default=FeedbackChannel.PHONE,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="resident_name")]
        constraints = [
            models.UniqueConstraint(
                fields=["identity_country", "identity_number"],
                condition=~Q(identity_number=""),
                name="resident_unique_identity",
            ),
            models.CheckConstraint(
                condition=Q(identity_number="") | ~Q(identity_country=""),
                name="resident_identity_has_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResidentPhone(models.Model):
    """A phone number of a resident, stored as digits with a leading + for lookups."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("phone"), max_length=20, db_index=True)
    label = models.CharField(_("label"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            models.UniqueConstraint(fields=["resident", "number"], name="resident_phone_unique")
        ]

    def __str__(self) -> str:
        return self.number


class ResidentEmail(models.Model):
    """An e-mail address of a resident, stored lower-case."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="emails"
    )
    address = models.EmailField(_("e-mail"), db_index=True)
    # Set when mail to the address bounced (a delivery status notification said so).
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    failing_reason = models.CharField(_("why it fails"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")
        constraints = [
            models.UniqueConstraint(fields=["resident", "address"], name="resident_email_unique")
        ]

    def __str__(self) -> str:
        return self.address


class ResidentAccess(models.Model):
    """Who read a resident's record, for the audit trail."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff user"), on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    what = models.CharField(_("where"), max_length=40)

    class Meta:
        verbose_name = _("resident record access")
        verbose_name_plural = _("resident record accesses")
        indexes = [models.Index(fields=["resident", "at"], name="resident_access_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.resident_id}"
