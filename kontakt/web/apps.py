from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin with the project's site, on which only administrators write."""

    default_site = "kontakt.web.admin.AdminSite"
