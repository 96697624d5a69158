"""Fixtures of the desk's browser tests: a small municipality, its staff and a real Chromium.

Self-contained on purpose: the browser tests build their own organisation through the
models, so they do not move when shared fixtures elsewhere change.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.services import roles_sync
from kontakt.cases.models import CaseType
from kontakt.core.identity import parse_identity_number
from kontakt.directory.models import Department, OpeningHours, Weekday
from kontakt.directory.selectors import opening_hours_changed
from kontakt.residents.models import IdentityCountry, Resident, ResidentEmail, ResidentPhone

CHROMIUM = os.environ.get("KONTAKT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS_DIR = Path(os.environ.get("KONTAKT_SHOTS_DIR", "/tmp/kontakt-shots"))
PASSWORD = "lykta-cykel-snö-42"


@dataclass(frozen=True)
class Municipality:
    """What the browser tests work with; everything is saved in the live server's database."""

    streets: Department
    social: Department
    street_light: CaseType
    waste: CaseType
    agent: User
    handler: User
    resident: Resident
    namesake: Resident
    password: str = PASSWORD


def _staff(username: str, first: str, last: str, role: Role, department: Department | None) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=first,
        last_name=last,
        department=department,
    )
    user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def municipality(live_server, settings, tmp_path) -> Municipality:
    """Two departments, two case types, office hours, an agent, a handler and two residents."""
    # The live server runs in this process, so these settings hold for its requests too:
    # tasks run at once, uploads stay in tmp_path, and signing in is quick.
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "notifications"],
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The role groups come from a post_migrate hook; a flush between live-server tests may
    # have removed them, so make sure they exist before adding users to them.
    if Group.objects.filter(name__in=[Role.AGENT.value, Role.HANDLER.value]).count() < 2:
        roles_sync()
    for weekday in (
        Weekday.MONDAY,
        Weekday.TUESDAY,
        Weekday.WEDNESDAY,
        Weekday.THURSDAY,
        Weekday.FRIDAY,
    ):
        OpeningHours.objects.create(weekday=weekday, opens=time(8), closes=time(16))
    opening_hours_changed()

    streets = Department.objects.create(name="Gatu- och parkförvaltningen", code="gata")
    social = Department.objects.create(name="Socialförvaltningen", code="social")
    street_light = CaseType.objects.create(
        name="Trasig gatubelysning",
        code="gatubelysning",
        department=streets,
        first_line_may_close=False,
        response_time=timedelta(hours=16),
        routine="Fråga efter närmaste adress eller stolpens nummer.",
    )
    waste = CaseType.objects.create(
        name="Sophämtning", code="sophamtning", department=streets, response_time=timedelta(hours=8)
    )

    identity = parse_identity_number("19121212-1212", today=date(2026, 1, 1))
    resident = Resident.objects.create(
        name="Karin Lindqvist",
        identity_number=identity.normalized,
        identity_country=IdentityCountry.SE,
        street_address="Storgatan 12",
        postal_code="931 30",
        city="Skellefteå",
        preferred_channel="email",
    )
    ResidentPhone.objects.create(resident=resident, number="+46701234567")
    ResidentEmail.objects.create(resident=resident, address="karin.lindqvist@example.se")
    namesake = Resident.objects.create(name="Kalle Lindqvist", city="Kåge")

    return Municipality(
        streets=streets,
        social=social,
        street_light=street_light,
        waste=waste,
        agent=_staff("agnes", "Agnes", "Andersson", Role.AGENT, None),
        handler=_staff("hugo", "Hugo", "Holm", Role.HANDLER, streets),
        resident=resident,
        namesake=namesake,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium per module, driven through Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install it (apt-get install chromium), point "
            'KONTAKT_CHROMIUM at one, or leave these tests out with -m "not browser".'
        )
    # Playwright's sync API keeps an event loop in this thread, and Django refuses ORM calls
    # next to a running loop. The tests only touch the database while the browser waits.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def browser_errors() -> list[str]:
    """What went wrong in the browser: failed requests, script errors, console errors."""
    return []


@pytest.fixture
def page(browser, browser_errors):
    """A fresh browser context: no cookies, English, Stockholm time, a desktop screen."""
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Stockholm", viewport={"width": 1440, "height": 900}
    )
    context.set_default_timeout(5_000)
    page = context.new_page()

    def on_response(response):
        # Pages answer 400 to a form with errors; only assets and crashes count here.
        failed = response.status >= 500 or (response.status >= 400 and "/static/" in response.url)
        if failed:
            browser_errors.append(f"{response.status} {response.url}")

    def on_console(message):
        # A failed load is reported by on_response already (and the favicon is not ours).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            browser_errors.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: browser_errors.append(f"script error: {error}"))
    yield page
    context.close()


@pytest.fixture
def shot() -> Callable[[object, str], Path]:
    """Save a full-page screenshot under SHOTS_DIR, to look at after the run."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SHOTS_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
