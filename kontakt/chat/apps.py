from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    """Web chat for residents: the widget on the public pages, chats queued and routed to
    agents like calls, the transcript kept on the contact."""

    name = "kontakt.chat"
    verbose_name = _("Web chat")
