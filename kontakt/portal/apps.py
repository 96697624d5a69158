from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The residents' own pages: the web form, My pages and the satisfaction question."""

    name = "kontakt.portal"
    verbose_name = _("Residents' pages")
