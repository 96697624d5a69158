from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from kontakt.web.localtime import guard_localtime


class DeskConfig(AppConfig):
    name = "kontakt.desk"
    label = "desk"
    verbose_name = _("Agent desktop")

    def ready(self) -> None:
        # No stored time, however extreme, may make a page fail (kontakt/web/localtime.py).
        guard_localtime()
