from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SwitchboardConfig(AppConfig):
    name = "kontakt.switchboard"
    verbose_name = _("Switchboard")

    def ready(self) -> None:
        # The services follow the exchange's transfer events (a signal receiver).
        from . import services  # noqa: F401, PLC0415
