from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "department",
        "is_active",
        "out_of_office_from",
        "out_of_office_until",
    ]
    list_filter = ["groups", "department", "is_active"]
    list_select_related = ["department"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Contact center"),
            {
                "fields": (
                    "department",
                    "unit",
                    "phone",
                    "languages",
                    "out_of_office_from",
                    "out_of_office_until",
                    "substitute",
                )
            },
        ),
    )
    autocomplete_fields = ["substitute"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    list_select_related = ["user"]
