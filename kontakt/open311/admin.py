"""Admin of Open311's clients (administrators write; supervisors read) and of the
requests they filed (read only: the case is kept by the case services)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import user_roles

from .models import Open311Client, Open311Request
from .services import open311_client_create

_READERS = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


class SupervisorsRead:
    """Supervisors see the clients and their requests without a model permission of
    their own; writing stays the administrators' (the site puts its rule in front)."""

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        user = request.user
        return (
            isinstance(user, User) and bool(user_roles(user) & _READERS)
        ) or super().has_view_permission(  # type: ignore[misc]
            request, obj
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) or super().has_module_permission(request)  # type: ignore[misc]


@admin.register(Open311Client)
class Open311ClientAdmin(SupervisorsRead, admin.ModelAdmin):
    """Civic apps that file requests through Open311; the API key is shown once."""

    list_display = ["name", "prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "prefix", "active", "created_at", "last_used_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: its requests keep naming it

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = open311_client_create(name=obj.name)
        obj.pk = client.pk
        obj.prefix = client.prefix
        messages.warning(request, _("The client's API key, shown only now: %(key)s") % {"key": key})


@admin.register(Open311Request)
class Open311RequestAdmin(SupervisorsRead, admin.ModelAdmin):
    """Which client filed which case, and what it was answered."""

    list_display = ["case", "client", "created_at", "idempotency_key"]
    list_filter = ["client"]
    list_select_related = ["case", "client"]
    search_fields = ["case__reference", "idempotency_key"]
    readonly_fields = [
        "client",
        "case",
        "idempotency_key",
        "fingerprint",
        "answer",
        "account_id",
        "device_id",
        "media_url",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
