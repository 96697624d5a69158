"""Roles, who is in, and API tokens."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from kontakt.accounts.models import ApiToken
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import (
    handlers_in,
    is_in,
    may_log_contacts,
    may_see_identity_number,
    may_work_any_case,
    sees_all_departments,
    staff_absent,
    user_roles,
    works_department_only,
)
from kontakt.accounts.services import api_token_create, roles_sync
from kontakt.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_its_permissions():
    roles_sync()
    roles_sync()  # idempotent
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}
    agent = Group.objects.get(name="agent")
    codenames = set(agent.permissions.values_list("codename", flat=True))
    assert {"add_contact", "add_case", "view_case"} <= codenames
    assert "change_case" not in codenames
    handler = set(Group.objects.get(name="handler").permissions.values_list("codename", flat=True))
    assert "change_case" in handler
    assert "add_contact" not in handler


# What each role may do, written out as the design's table of roles.
CAPABILITIES = {
    # role: (logs contacts, sees every department, works any case, department only, sees id numbers)
    Role.AGENT: (True, True, False, False, False),
    Role.SECOND_LINE: (True, True, True, False, True),
    Role.SWITCHBOARD: (True, True, False, False, False),
    Role.HANDLER: (False, False, False, True, True),
    Role.DEPARTMENT_CONTACT: (False, False, False, True, False),
    Role.SUPERVISOR: (True, True, True, False, True),
    Role.ADMINISTRATOR: (True, True, True, False, True),
}


@pytest.mark.parametrize(("role", "expected"), CAPABILITIES.items())
def test_what_each_role_may_do(role, expected):
    user = UserFactory(role=role)
    assert user_roles(user) == {role}
    assert (
        may_log_contacts(user),
        sees_all_departments(user),
        may_work_any_case(user),
        works_department_only(user),
        may_see_identity_number(user),
    ) == expected


def test_a_superuser_is_an_administrator_and_an_inactive_user_nothing():
    assert user_roles(UserFactory(is_superuser=True)) == {Role.ADMINISTRATOR}
    assert user_roles(UserFactory(role=Role.AGENT, is_active=False)) == frozenset()
    assert user_roles(UserFactory(role=None)) == frozenset()


def test_a_handler_who_is_also_an_agent_sees_every_department():
    user = UserFactory(role=Role.HANDLER)
    user.groups.add(Group.objects.get(name="agent"))
    assert sees_all_departments(user)
    assert not works_department_only(user)


@pytest.mark.parametrize(
    ("start", "until", "day", "in_office"),
    [
        (None, None, date(2026, 3, 2), True),
        (date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 1), True),
        (date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 2), False),
        (date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 6), False),
        (date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 7), True),
        (date(2026, 3, 2), None, date(2030, 1, 1), False),  # open-ended
    ],
)
def test_who_is_in(department_a, start, until, day, in_office):
    user = UserFactory(
        role=Role.HANDLER,
        department=department_a,
        out_of_office_from=start,
        out_of_office_until=until,
    )
    assert is_in(user, on=day) is in_office
    assert (user in handlers_in(department_id=department_a.pk, on=day)) is in_office
    assert (user in staff_absent(on=day)) is not in_office


def test_handlers_in_are_active_handlers_of_the_department(department_a, department_b):
    mine = UserFactory(role=Role.HANDLER, department=department_a)
    UserFactory(role=Role.HANDLER, department=department_b)
    UserFactory(role=Role.HANDLER, department=department_a, is_active=False)
    UserFactory(role=Role.DEPARTMENT_CONTACT, department=department_a)
    assert list(handlers_in(department_id=department_a.pk, on=date(2026, 3, 2))) == [mine]


def test_an_api_token_is_shown_once_and_stored_as_a_hash(agent):
    token, key = api_token_create(user=agent, name="växel")
    assert key.startswith("kt_") and len(key) > 40
    stored = ApiToken.objects.get()
    assert stored.key_hash == ApiToken.hash_key(key) != key
    assert key not in (stored.prefix, stored.key_hash, str(stored))
    assert key[3:11] == token.prefix


def test_the_create_api_token_command(agent, no_role_user):
    out = StringIO()
    call_command("create_api_token", agent.username, "--name", "telefoni", stdout=out)
    key = out.getvalue().strip()
    assert ApiToken.objects.get(name="telefoni").key_hash == ApiToken.hash_key(key)
    with pytest.raises(CommandError):
        call_command("create_api_token", no_role_user.username)
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody")
