"""The telephony settings."""

from typing import Any


def telephony_settings() -> dict[str, Any]:
    """KONTAKT["TELEPHONY"]: short abandon, service-level times, ring, wrap-up, aging."""
    from django.conf import settings

    return settings.KONTAKT["TELEPHONY"]
