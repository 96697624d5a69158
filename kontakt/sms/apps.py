from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    """SMS both ways: text messages from residents by the gateway's signed webhook, threaded
    into their open case or queued as a new contact, and the gateway's delivery receipts."""

    name = "kontakt.sms"
    verbose_name = _("SMS")
