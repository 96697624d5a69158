"""The telephony settings."""

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from kontakt.settings import TelephonySettings


def telephony_settings() -> "TelephonySettings":
    """KONTAKT["TELEPHONY"]: short abandon, service-level times, ring, wrap-up, aging."""
    return settings.KONTAKT["TELEPHONY"]
