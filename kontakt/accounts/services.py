"""Writes of staff accounts: the role groups and API tokens."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import ApiToken, User
from .roles import ROLE_PERMISSIONS, Role


def roles_sync() -> None:
    """Make one group per role with exactly the role's permissions (idempotent)."""
    with transaction.atomic():
        for role in Role:
            group, _created = Group.objects.get_or_create(name=role.value)
            wanted = []
            for name in ROLE_PERMISSIONS[role]:
                app_label, codename = name.split(".")
                permission = Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
                if permission is not None:
                    wanted.append(permission)
            group.permissions.set(wanted)


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the key is returned once and only its hash is kept."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[3:11], key_hash=ApiToken.hash_key(key)
    )
    return token, key
