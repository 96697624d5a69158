"""The center's figures: the wallboard and /stats/service-level count the same calls."""

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.call_events import EventType
from kontakt.directory.models import AnswerGroup
from kontakt.telephony import services
from kontakt.telephony.models import Call, EventSource

from .conftest import T0, pbx

pytestmark = pytest.mark.django_db

FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "left_queue",
    "callbacks",
    "answer_rate",
    "asa_seconds",
    "service_level_20",
    "service_level_30",
    "service_level_20_of_answered",
    "service_level_30_of_answered",
)


def post_events(client: Client, events: list[dict]) -> None:
    response = client.post(
        "/api/v1/telephony/events", json.dumps(events), content_type="application/json"
    )
    assert response.status_code == 200, response.content


def test_the_wallboard_and_the_api_give_the_center_the_same_figures(
    exchange_client, groups, skilled, event, api_client_for, supervisor, monkeypatch
):
    """From 09:00 (seconds after it):

    a1  avfall, queued 5, answered 15 (wait 10)          answered within 20
    a2  avfall, queued 10, hung up 60                    abandoned
    n1  avfall's number, answered 40 without `queued`    never queued: not offered
    i1  gammal (inactive), queued 30, answered 70 (40)   answered late
    q1  a queue_log queue with no answer group, 35 → 45  answered within 20

    The center: offered 4 (a1, a2, i1, q1), answered 3, abandoned 1, SL20 = SL30 = 2/4,
    ASA = (10 + 40 + 10) / 3 = 20 s. avfall alone: offered 2, answered 1.
    """
    AnswerGroup.objects.create(name="Gammal grupp", code="gammal", active=False)
    avfall = {"answer_group": "avfall", "number": "+46406280400"}
    post_events(
        exchange_client,
        [
            event("a1", "queued", 5, **avfall),
            event("a1", "answered", 15, agent="agent"),
            event("a1", "ended", 100),
            event("a2", "queued", 10, **avfall),
            event("a2", "abandoned", 60),
            event("n1", "offered", 20, **avfall),
            event("n1", "answered", 40, agent="second_line", **avfall),
            event("n1", "ended", 200),
            event("i1", "queued", 30, answer_group="gammal"),
            event("i1", "answered", 70, agent="second_line"),
            event("i1", "ended", 300),
        ],
    )
    services.call_events_record(
        events=[
            CoreEvent(f"q1-{kind}", "q1", kind, T0 + timedelta(seconds=s), answer_group="okand")
            for kind, s in ((EventType.QUEUED, 35), (EventType.ANSWERED, 45), (EventType.ENDED, 90))
        ],
        source=EventSource.QUEUE_LOG,
        follow=False,
    )
    n1 = Call.objects.get(call_id=pbx("n1"))
    assert (n1.state, n1.queued_at, n1.wait_seconds) == ("answered", None, None)

    api = api_client_for(supervisor)
    now = T0 + timedelta(hours=1)
    midnight = timezone.localtime(T0).replace(hour=0, minute=0)
    response = api.get(
        "/api/v1/stats/service-level",
        {"start": midnight.isoformat(), "end": (now + timedelta(seconds=1)).isoformat()},
    )
    assert response.status_code == 200, response.content
    period = {k: response.json()[k] for k in FIGURES}
    monkeypatch.setattr(timezone, "now", lambda: now)
    live = api.get("/api/v1/stats/live").json()
    center = {k: live["center"][k] for k in FIGURES}

    assert center == period
    assert (period["offered"], period["answered"], period["abandoned"]) == (4, 3, 1)
    assert (period["service_level_20"], period["service_level_30"]) == (0.5, 0.5)
    assert period["asa_seconds"] == 20.0
    # The rows are the active groups; the center also counts gammal's and the queue's calls.
    rows = {row["code"]: row for row in live["groups"]}
    assert "gammal" not in rows
    assert (rows["avfall"]["offered"], rows["avfall"]["answered"]) == (2, 1)


def test_stored_calls_answered_without_queued_lose_their_zero_wait(exchange_client, groups, event):
    post_events(
        exchange_client,
        [
            event("q", "queued", 0, answer_group="avfall"),
            event("q", "answered", 12, agent="agent"),
            event("n", "offered", 0, answer_group="avfall"),
            event("n", "answered", 9, agent="agent"),
            event("t", "answered", 5, agent="agent", answer_group="avfall"),
            event("t", "queued", 30, answer_group="avfall"),  # after the answer
        ],
    )
    # As an earlier version stored them: queued when answered, a wait of 0 s.
    for call_id in ("n", "t"):
        call = Call.objects.get(call_id=pbx(call_id))
        Call.objects.filter(pk=call.pk).update(queued_at=call.answered_at, wait_seconds=0.0)
    migration = importlib.import_module("kontakt.telephony.migrations.0002_calls_answered_unqueued")
    migration.unqueue_answered_without_queued(apps, None)
    stored = {c.call_id: (c.queued_at is not None, c.wait_seconds) for c in Call.objects.all()}
    assert stored == {
        pbx("q"): (True, 12.0),
        pbx("n"): (False, None),
        pbx("t"): (False, None),
    }
