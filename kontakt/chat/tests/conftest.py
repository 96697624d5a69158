"""Chat fixtures: the answer group that takes chats, agents who may take them in Norwegian
(or not), and the recorded live pushes."""

from datetime import time
from typing import Any

import pytest

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.desk.tests.conftest import (  # noqa: F401  (the browser tests' fixtures)
    browser,
    browser_errors,
    municipality,
    page,
    shot,
)
from kontakt.directory.models import AnswerGroup, OpeningHours, Weekday
from kontakt.directory.selectors import opening_hours_changed
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import AgentSkill, RoutingSettings
from kontakt.telephony.tests.conftest import published  # noqa: F401

CHAT_GROUP = "chatt"


@pytest.fixture
def chat_group(db, settings) -> AnswerGroup:
    settings.KONTAKT = {**settings.KONTAKT, "CHAT": {**settings.KONTAKT["CHAT"]}}
    settings.KONTAKT["CHAT"]["ANSWER_GROUP"] = CHAT_GROUP
    group = AnswerGroup.objects.create(name="Chatt", code=CHAT_GROUP)
    RoutingSettings.objects.create(answer_group=group, skill="chatt", wrap_up_seconds=0)
    return group


def chat_agent(username: str, *, languages: list[str], skill: bool = True) -> User:
    user: User = UserFactory(username=username, role=Role.AGENT, first_name=username.title())  # type: ignore[assignment]
    user.languages = languages
    user.save()
    if skill:
        AgentSkill.objects.create(agent=user, skill="chatt", proficiency=3)
    return user


def ready(user: User) -> None:
    telephony_services.presence_change(agent=user, state="ready", by=user)


@pytest.fixture
def norwegian(chat_group) -> User:
    """An agent with the chat skill and Norwegian, not yet Ready."""
    return chat_agent("nora", languages=["sv", "nb"])


@pytest.fixture
def swedish_only(chat_group) -> User:
    """An agent with the chat skill who speaks no Norwegian."""
    return chat_agent("sven", languages=["sv", "en"])


@pytest.fixture
def no_skill(chat_group) -> User:
    """An agent with Norwegian but without the chat skill."""
    return chat_agent("nils", languages=["sv", "nb"], skill=False)


def pushed(sent: list[tuple[str, dict[str, Any]]], topic: str, kind: str) -> list[dict]:
    """The messages of a kind pushed to a topic, in order."""
    return [m for t, m in sent if t == topic and m.get("type") == kind]


@pytest.fixture
def center_hours(db) -> list[OpeningHours]:
    """The chat tests' center is open every day, all day, so that they pass at any hour;
    the closed center has a test of its own."""
    periods = [
        OpeningHours.objects.create(weekday=day, opens=time(0), closes=time(23, 59, 59))
        for day in Weekday
    ]
    opening_hours_changed()
    return periods
