from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open311 GeoReport v2: service requests from civic apps, as ordinary cases."""

    name = "kontakt.open311"
    verbose_name = _("Open311")
