"""Switchboard fixtures: the switchboard's answer group, an operator on a call, and people
in the directory."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.call_events import EventType
from kontakt.directory.models import AnswerGroup, Department, Employee, Unit
from kontakt.directory.search import fold
from kontakt.directory.services import employee_save
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import AgentSkill, Call, Exchange, RoutingSettings, scoped_id
from kontakt.telephony.tests.conftest import (  # noqa: F401 (fixtures)
    browser,
    browser_errors,
    exchange_client,
    municipality,
    page,
    published,
    shot,
)


@pytest.fixture
def switchboard_group(db) -> AnswerGroup:
    group = AnswerGroup.objects.create(name="Växeln", code="vaxel")
    RoutingSettings.objects.create(answer_group=group, skill="switchboard", wrap_up_seconds=10)
    return group


@pytest.fixture
def operator(switchboard, switchboard_group) -> Any:
    AgentSkill.objects.create(agent=switchboard, skill="switchboard", proficiency=3)
    return switchboard


@pytest.fixture
def people(db) -> dict[str, Employee]:
    """Three people of one unit: Anna is in, Bjørn away with Cecilia as his substitute."""
    department = Department.objects.create(name="Stadsbyggnad", code="bygg-sb")
    unit = Unit.objects.create(department=department, name="Bygglov", keywords="bygglov")

    def person(name: str, number: str, **values: Any) -> Employee:
        given, family = name.split(" ", 1)
        employee, _changes = employee_save(
            employee=None,
            values={
                "display_name": name,
                "given_name": given,
                "family_name": family,
                "direct_number": number,
                "unit_id": unit.pk,
                "email": f"{fold(given)}@kommun.example",
                **values,
            },
            by=None,
        )
        return employee

    made = {
        "anna": person("Anna Berg", "+46406281001", keywords="bygglov, strandskydd"),
        "bjorn": person("Bjørn Kristiansen", "+46406281002", keywords="bygglov"),
        "cecilia": person("Cecilia Holm", "+46406281003", keywords="bygglov, rivning"),
    }
    now = timezone.now()
    made["bjorn"].absences.create(
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(days=3),
        reason="leave",
        substitute=made["cecilia"],
    )
    unit.contact = made["anna"]
    unit.save()
    return made


@pytest.fixture
def on_call(operator, exchange_client) -> Call:  # noqa: F811
    """A switchboard call the operator has answered, from the exchange `pbx`."""
    exchange = Exchange.objects.get(name="pbx")
    now = timezone.now()
    events = [
        CoreEvent(
            event_id=f"c1-{kind}",
            call_id=scoped_id(exchange, "c1"),
            type=EventType(kind),
            at=now - timedelta(seconds=seconds),
            number="+46406280400",
            caller="+46701234567",
            answer_group="vaxel",
            agent=operator.username if kind == "answered" else "",
        )
        for kind, seconds in (("offered", 30), ("queued", 28), ("answered", 20))
    ]
    telephony_services.call_events_record(events=events, exchange=exchange)
    return Call.objects.get(call_id=scoped_id(exchange, "c1"))


def exchange_event(call: Call, kind: str, *, target: str, reason: str = "", seconds_ago=0):
    """A transfer event of the call, as the exchange reports it."""
    return CoreEvent(
        event_id=f"{call.call_id}-{kind}-{target}-{seconds_ago}",
        call_id=call.call_id,
        type=EventType(kind),
        at=timezone.now() - timedelta(seconds=seconds_ago),
        target=target,
        reason=reason,
    )
