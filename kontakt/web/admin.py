"""The project's admin site: only administrators write in it; everyone else reads.

Supervisors (and any other staff user let into the admin) see what their role's model
permissions show, but cannot add, change or delete anything here, whatever permissions
their group holds: those permissions also open the staff pages, whose services keep the
rules (checksums, timelines, versions). The rule is kept by the site itself: every model
admin registered on it, and every inline of one, is given `AdministratorsWrite` in front,
so an admin added later is covered without a line of its own.

An admin action that writes must say so with `allowed_permissions` (then this rule applies
to it); a custom admin view that writes must ask `self.has_add_permission(request)` (or
change/delete) rather than `request.user.has_perm`.
"""

from functools import cache
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin, InlineModelAdmin
from django.db.models import Model
from django.http import HttpRequest

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import user_roles


def may_write_in_admin(user: Any) -> bool:
    """Whether the user may add, change and delete in the admin: administrators only."""
    return isinstance(user, User) and Role.ADMINISTRATOR in user_roles(user)


class AdministratorsWrite:
    """In front of a model admin or inline: writing needs an administrator as well as the
    model permission; reading stays as the model permissions say."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return may_write_in_admin(request.user) and super().has_add_permission(  # type: ignore[misc]
            request, *args
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_write_in_admin(request.user) and super().has_change_permission(  # type: ignore[misc]
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_write_in_admin(request.user) and super().has_delete_permission(  # type: ignore[misc]
            request, obj
        )


class _ModelAdminWrites(AdministratorsWrite):
    """The same for a model admin, whose inlines get it too."""

    def get_inlines(self, request: HttpRequest, obj: Model | None) -> list[type]:
        return [with_administrators_write(inline) for inline in super().get_inlines(request, obj)]  # type: ignore[misc]


@cache
def with_administrators_write[T: BaseModelAdmin[Any]](admin_class: type[T]) -> type[T]:
    """The admin class with the rule in front (itself, if it has it already)."""
    if issubclass(admin_class, AdministratorsWrite):
        return admin_class
    mixin = _ModelAdminWrites if issubclass(admin_class, admin.ModelAdmin) else AdministratorsWrite
    assert issubclass(admin_class, admin.ModelAdmin | InlineModelAdmin), admin_class
    return type(
        admin_class.__name__,
        (mixin, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )


class AdminSite(admin.AdminSite):
    """The default admin site (`kontakt.web.apps.AdminConfig` installs it)."""

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        super().register(
            model_or_iterable, with_administrators_write(admin_class or admin.ModelAdmin), **options
        )
