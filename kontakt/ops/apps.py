from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "kontakt.ops"
    label = "ops"
    verbose_name = "Operations"
