"""Shared fixtures: the center's opening hours, two departments, their case types, a user of
every role and API clients with a bearer token.

Every test runs with tasks executed in process, uploads under its own tmp_path, a fresh
local-memory cache (the opening hours are cached) and English as the default language.
"""

import threading
from collections.abc import Callable, Iterator
from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.services import api_token_create
from kontakt.accounts.tests.factories import UserFactory
from kontakt.cases.models import CaseType
from kontakt.cases.tests.factories import CaseTypeFactory
from kontakt.directory.models import Department, OpeningHours, Weekday
from kontakt.directory.tests.factories import DepartmentFactory
from kontakt.residents.models import Resident
from kontakt.residents.tests.factories import ResidentFactory

# Modest and without an example database in the working tree: the suite must stay fast,
# and a failure prints the example that reproduces it.
hypothesis_settings.register_profile(
    "kontakt",
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile("kontakt")


# One lock for the whole run: a live stream a browser test left open lives on into the next
# tests (until its next heartbeat finds the browser gone) and must take turns with them too.
_SHARED_SQLITE_LOCK = threading.RLock()


def _one_at_a_time(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    with _SHARED_SQLITE_LOCK:
        return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def _one_query_at_a_time_on_a_shared_sqlite(request: pytest.FixtureRequest) -> Iterator[None]:
    """With the in-memory SQLite of the tests, the live server's threads and the test share
    one connection, and Django's documentation asks that they never query it at the same
    time (two at once fail with "bad parameter or other API misuse", or hang): the live
    stream's session check and a page's queries take turns. Installed with the first live
    server test and left in place, since that test's streams outlive it."""
    if (
        "live_server" in request.fixturenames
        and connection.vendor == "sqlite"
        and connection.is_in_memory_db()
        and _one_at_a_time not in connection.execute_wrappers
    ):
        connection.execute_wrappers.insert(0, _one_at_a_time)
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Tasks run in process, files land in tmp_path, the cache starts empty, English."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "notifications"],
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kontakt-tests",
        }
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The second factor of supervisors and administrators is tested in accounts' own tests;
    # everywhere else force_login stands for the whole sign-in.
    settings.KONTAKT_MFA_REQUIRED = False
    settings.LANGUAGE_CODE = "en"
    # WhiteNoise walks every static file each time a test client is made (0.1 s each);
    # the pages are tested here, not static files, and the live server serves its own.
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not name.startswith("whitenoise.")
    ]
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def center_hours(db) -> list[OpeningHours]:  # type: ignore[no-untyped-def]
    """The center is open Monday to Friday, 08:00–16:00."""
    periods = [
        OpeningHours.objects.create(weekday=day, opens=time(8), closes=time(16))
        for day in (
            Weekday.MONDAY,
            Weekday.TUESDAY,
            Weekday.WEDNESDAY,
            Weekday.THURSDAY,
            Weekday.FRIDAY,
        )
    ]
    cache.clear()
    return periods


@pytest.fixture
def department_a(db) -> Department:  # type: ignore[no-untyped-def]
    return DepartmentFactory(name="Gatu- och parkförvaltningen", code="gata")


@pytest.fixture
def department_b(db) -> Department:  # type: ignore[no-untyped-def]
    return DepartmentFactory(name="Socialförvaltningen", code="social")


@pytest.fixture
def parking_type(center_hours, department_a) -> CaseType:  # type: ignore[no-untyped-def]
    """Department A's case type that first line may close; due in two working days."""
    return CaseTypeFactory(
        name="Parkeringstillstånd",
        code="parkering",
        department=department_a,
        response_time=timedelta(hours=16),
        first_line_may_close=True,
    )


@pytest.fixture
def care_type(center_hours, department_b) -> CaseType:  # type: ignore[no-untyped-def]
    """Department B's case type that only second line may close; due in one working day."""
    return CaseTypeFactory(
        name="Hemtjänst",
        code="hemtjanst",
        department=department_b,
        response_time=timedelta(hours=8),
        first_line_may_close=False,
    )


# One user per role; department roles belong to department A. ----------------------------


@pytest.fixture
def agent(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="agent", role=Role.AGENT)


@pytest.fixture
def second_line(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="second", role=Role.SECOND_LINE)


@pytest.fixture
def switchboard(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="switchboard", role=Role.SWITCHBOARD)


@pytest.fixture
def handler(department_a) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="handler", role=Role.HANDLER, department=department_a)


@pytest.fixture
def handler_b(department_b) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="handler_b", role=Role.HANDLER, department=department_b)


@pytest.fixture
def department_contact(department_a) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="contact", role=Role.DEPARTMENT_CONTACT, department=department_a)


@pytest.fixture
def supervisor(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="supervisor", role=Role.SUPERVISOR)


@pytest.fixture
def administrator(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(
        username="administrator", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True
    )


@pytest.fixture
def no_role_user(db) -> User:  # type: ignore[no-untyped-def]
    """Signed in, but with no staff role: sees nothing."""
    return UserFactory(username="norole", role=None)


@pytest.fixture
def users(
    agent,
    second_line,
    switchboard,
    handler,
    department_contact,
    supervisor,
    administrator,
    no_role_user,
) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """Every role by its name, and "no_role"."""
    return {
        Role.AGENT.value: agent,
        Role.SECOND_LINE.value: second_line,
        Role.SWITCHBOARD.value: switchboard,
        Role.HANDLER.value: handler,
        Role.DEPARTMENT_CONTACT.value: department_contact,
        Role.SUPERVISOR.value: supervisor,
        Role.ADMINISTRATOR.value: administrator,
        "no_role": no_role_user,
    }


@pytest.fixture
def resident(db) -> Resident:  # type: ignore[no-untyped-def]
    return ResidentFactory(
        name="Karin Lindqvist",
        identity_number="191212121212",
        identity_country="SE",
        phones=["+46701234567"],
        emails=["karin@example.se"],
    )


# Clients ----------------------------------------------------------------------------------


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A web client signed in as the user (anonymous for None)."""

    def make(user: User | None) -> Client:
        web = Client()
        if user is not None:
            web.force_login(user)
        return web

    return make


@pytest.fixture
def api_client_for() -> Callable[[User], Client]:
    """An API client that sends a fresh bearer token of the user, and no cookies."""

    def make(user: User) -> Client:
        _token, key = api_token_create(user=user, name="tests")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


@pytest.fixture
def api_client(api_client_for, agent) -> Client:  # type: ignore[no-untyped-def]
    """An agent's integration: the bearer token of a first-line user."""
    return api_client_for(agent)
