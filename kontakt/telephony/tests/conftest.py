"""Telephony fixtures: answer groups with routing, a number with a menu, agents with skills,
and an exchange's API client."""

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kontakt.desk.tests.conftest import (  # noqa: F401  (the browser tests' fixtures)
    browser,
    browser_errors,
    municipality,
    page,
    shot,
)
from kontakt.directory.models import AnswerGroup
from kontakt.live import bus
from kontakt.telephony import services
from kontakt.telephony.models import (
    AgentSkill,
    Exchange,
    MenuOption,
    PhoneNumber,
    RoutingSettings,
    scoped_id,
)

T0 = datetime.fromisoformat("2026-03-02T09:00:00+01:00")


@pytest.fixture
def groups(db) -> dict[str, AnswerGroup]:
    made = {
        "avfall": AnswerGroup.objects.create(name="Avfall och vatten", code="avfall"),
        "bygg": AnswerGroup.objects.create(name="Bygglov", code="bygg"),
        "arabic": AnswerGroup.objects.create(name="العربية", code="arabic", language="ar"),
    }
    for code, group in made.items():
        RoutingSettings.objects.create(
            answer_group=group,
            skill="general" if code == "arabic" else code,
            wrap_up_seconds=30,
            callback_after_seconds=120,
        )
    return made


@pytest.fixture
def number(groups) -> PhoneNumber:
    phone = PhoneNumber.objects.create(
        number="+46406280400",
        name="Kontaktcenter",
        greeting="Välkommen till Sjöstad kommun.",
        closed_message="Vi har stängt.",
        default_group=groups["avfall"],
    )
    MenuOption.objects.create(
        phone_number=phone, digit="1", label="Avfall", answer_group=groups["avfall"]
    )
    MenuOption.objects.create(
        phone_number=phone, digit="2", label="Bygglov", answer_group=groups["bygg"]
    )
    MenuOption.objects.create(
        phone_number=phone, digit="9", label="Arabic", answer_group=groups["arabic"]
    )
    return phone


@pytest.fixture
def skilled(agent, second_line) -> dict[str, Any]:
    """agent: avfall 3; second line: avfall 5, bygg 2, general 1 and Arabic."""
    AgentSkill.objects.create(agent=agent, skill="avfall", proficiency=3)
    AgentSkill.objects.create(agent=second_line, skill="avfall", proficiency=5)
    AgentSkill.objects.create(agent=second_line, skill="bygg", proficiency=2)
    AgentSkill.objects.create(agent=second_line, skill="general", proficiency=1)
    second_line.languages = ["sv", "ar"]
    second_line.save()
    return {"agent": agent, "second_line": second_line}


@pytest.fixture
def exchange_client(db) -> Client:
    _exchange, key = services.exchange_create(name="pbx")
    return Client(headers={"Authorization": f"Bearer {key}"})


def pbx(raw: str) -> str:
    """The stored id of the `exchange_client`'s call or event `raw` (its own namespace)."""
    return scoped_id(Exchange.objects.get(name="pbx"), raw)


@pytest.fixture
def event() -> Callable[..., dict[str, Any]]:
    """An event as the API takes it: event(call, type, seconds after T0, **fields)."""

    def make(call: str, kind: str, seconds: float, **fields: Any) -> dict[str, Any]:
        return {
            "event_id": f"{call}-{kind}-{seconds}",
            "call_id": call,
            "type": kind,
            "at": (T0 + timedelta(seconds=seconds)).isoformat(),
            **fields,
        }

    return make


def now_event(call: str, kind: str, seconds_ago: float = 0, **fields: Any) -> dict[str, Any]:
    """An event of a call as it happens now (or `seconds_ago`), as the API takes it."""
    at = timezone.now() - timedelta(seconds=seconds_ago)
    return {
        "event_id": f"{call}-{kind}",
        "call_id": call,
        "type": kind,
        "at": at.isoformat(),
        **fields,
    }


class RecordingBus:
    """A live bus that keeps what is published, decoded, as (topic, message)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def publish(self, topic: str, payload: str) -> None:
        self.sent.append((topic, json.loads(payload)))


class BrokenBus:
    """A live bus that is down: every publish raises."""

    def publish(self, topic: str, payload: str) -> None:
        raise ConnectionError("the live bus is down")


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """What is pushed to staff browsers, as (topic, message), once it is sent."""
    recording = RecordingBus()
    monkeypatch.setattr(bus, "get_bus", lambda: recording)
    return recording.sent


@pytest.fixture
def broken_bus(monkeypatch) -> BrokenBus:
    """The live bus is down."""
    broken = BrokenBus()
    monkeypatch.setattr(bus, "get_bus", lambda: broken)
    return broken
