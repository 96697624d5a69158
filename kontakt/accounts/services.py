"""Writes of staff accounts: the role groups, API tokens and the end of a user's sessions."""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User
from .roles import ROLE_PERMISSIONS, Role

logger = logging.getLogger(__name__)


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


def user_sessions_end(user: User) -> int:
    """Delete every session the user is signed in with (a disabled user's, at once).

    Sessions are not indexed by user: the unexpired ones are read, which is a few hundred in
    a contact center. Works with the session engines that keep a Session row (db, cached_db);
    the others have nothing to search.
    """
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    ended = 0
    wanted = str(user.pk)
    for session in store_class.get_model_class().objects.filter(expire_date__gt=timezone.now()):
        store = store_class(session.session_key)
        if store.decode(session.session_data).get(SESSION_KEY) == wanted:
            store.delete(session.session_key)
            ended += 1
    if ended:
        logger.info("Ended %d session(s) of %s.", ended, user.get_username())
    return ended


def on_user_saved(sender: type[User], instance: User, **kwargs: object) -> None:
    """A user saved as not active (in the admin or by a service) is signed out everywhere."""
    if not instance.is_active:
        user_sessions_end(instance)
