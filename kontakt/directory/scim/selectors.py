"""Reads of the SCIM endpoint: who is calling, and the Users and Groups it may list."""

import uuid

from django.db.models import QuerySet
from django.utils import timezone

from kontakt.accounts.models import ApiToken
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import user_roles

from ..models import Employee, ProvisioningClient, Unit
from .filters import GROUP_COLUMNS, USER_COLUMNS, filter_q


def provisioning_caller(token: str) -> str | None:
    """Who a bearer token is: a provisioning client's name, an administrator's user name;
    None for any other token (a staff user's token of another role opens nothing here)."""
    if not token or len(token) > 200 or "\x00" in token:
        return None
    now = timezone.now()
    client = ProvisioningClient.objects.filter(
        key_hash=ProvisioningClient.hash_key(token), revoked_at__isnull=True
    ).first()
    if client is not None:
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ProvisioningClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client.name
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    if Role.ADMINISTRATOR not in user_roles(found.user):
        return None
    return found.user.get_username()


def scim_users(filter_text: str | None = None) -> QuerySet[Employee]:
    users = Employee.objects.select_related("unit__department").order_by("created_at", "id")
    if filter_text:
        users = users.filter(filter_q(filter_text, USER_COLUMNS))
    return users


def scim_groups(filter_text: str | None = None) -> QuerySet[Unit]:
    groups = Unit.objects.order_by("id")
    if filter_text:
        groups = groups.filter(filter_q(filter_text, GROUP_COLUMNS)).distinct()
    return groups


def scim_user(scim_id: str) -> Employee | None:
    return scim_users().filter(scim_id=scim_id).first() if _uuid(scim_id) else None


def scim_group(group_id: str) -> Unit | None:
    if not group_id.isdigit() or len(group_id) > 18:
        return None
    return scim_groups().filter(pk=int(group_id)).first()


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
