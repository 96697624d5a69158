"""Who a staff user is and what their roles let them do; every access check starts here."""

from datetime import date
from importlib import import_module
from typing import TypeGuard

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.crypto import constant_time_compare

from .models import User
from .roles import (
    CASE_WORK_ANYWHERE,
    CENTER_ROLES,
    DEPARTMENT_ROLES,
    EDITS_ANY_ARTICLE,
    EDITS_DEPARTMENT_ARTICLES,
    FEEDS_TELEPHONY,
    PLANS_STAFFING,
    SEES_IDENTITY_NUMBER,
    TAKES_CALLS,
    WATCHES_QUEUES,
    WORKS_SWITCHBOARD,
    Role,
)

ROLES_ATTR = "_kontakt_roles"


def user_roles(user: User | AnonymousUser) -> frozenset[Role]:
    """The roles of a user, read once per request object and remembered on it."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, ROLES_ATTR, None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    roles = {role for role in Role if role.value in names}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    result = frozenset(roles)
    setattr(user, ROLES_ATTR, result)
    return result


def is_staff_user(user: User | AnonymousUser) -> TypeGuard[User]:
    return bool(user_roles(user))


def sees_all_departments(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & CENTER_ROLES)


def works_department_only(user: User | AnonymousUser) -> bool:
    roles = user_roles(user)
    return bool(roles & DEPARTMENT_ROLES) and not roles & CENTER_ROLES


def may_work_any_case(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & CASE_WORK_ANYWHERE)


def may_log_contacts(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & CENTER_ROLES)


def may_plan_staffing(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & PLANS_STAFFING)


def may_edit_any_article(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & EDITS_ANY_ARTICLE)


def may_edit_articles_of(user: User, department_id: int | None) -> bool:
    """Whether the user may write articles owned by the department (any, for None)."""
    if may_edit_any_article(user):
        return True
    if not user_roles(user) & EDITS_DEPARTMENT_ARTICLES or not user.department_id:
        return False
    return department_id is None or department_id == user.department_id


def may_take_calls(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & TAKES_CALLS)


def may_watch_queues(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & WATCHES_QUEUES)


def may_work_switchboard(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & WORKS_SWITCHBOARD)


def may_feed_telephony(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & FEEDS_TELEPHONY)


def may_see_identity_number(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & SEES_IDENTITY_NUMBER)


def is_in(user: User, *, on: date) -> bool:
    """Whether a staff user is at work on a date (not marked out of office)."""
    if not user.is_active or user.out_of_office_from is None:
        return user.is_active
    until = user.out_of_office_until or date.max
    return not (user.out_of_office_from <= on <= until)


def out_of_office_q(on: date) -> Q:
    return Q(out_of_office_from__lte=on) & (
        Q(out_of_office_until__isnull=True) | Q(out_of_office_until__gte=on)
    )


def handlers_in(*, department_id: int, on: date) -> QuerySet[User]:
    """Active handlers of a department who are not out of office on a date."""
    return (
        User.objects.filter(
            is_active=True, department_id=department_id, groups__name=Role.HANDLER.value
        )
        .exclude(out_of_office_q(on))
        .distinct()
    )


def department_contacts(*, department_id: int) -> QuerySet[User]:
    """Active department contacts of a department: they are told of its forwarded cases."""
    return User.objects.filter(
        is_active=True, department_id=department_id, groups__name=Role.DEPARTMENT_CONTACT.value
    ).distinct()


def staff_absent(*, on: date) -> QuerySet[User]:
    """Staff who are out of office on a date."""
    return User.objects.filter(is_active=True).filter(out_of_office_q(on))


def colleagues_of(user: User) -> QuerySet[User]:
    """Active staff of the user's department (everyone, if the user has none): substitutes."""
    colleagues = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if user.department_id:
        colleagues = colleagues.filter(department_id=user.department_id)
    return colleagues


def session_signs_in(session_key: str | None, user_id: int) -> bool:
    """Whether the session still signs in this user: not signed out, not expired or ended,
    the user still active and the password unchanged since (what a long-lived response,
    such as the live stream, asks again and again)."""
    if not session_key:
        return False
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    if data.get(SESSION_KEY) != str(user_id):
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())


def may_sync_directory(user: User | AnonymousUser) -> bool:
    """Import HR files into the directory and manage its provisioning clients (SCIM)."""
    return Role.ADMINISTRATOR in user_roles(user)
