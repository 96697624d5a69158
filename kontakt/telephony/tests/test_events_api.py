"""The events API: idempotent, order-tolerant, batched, all or nothing; and the service
level of a known stream, computed by hand."""

import json
import random
from datetime import timedelta

import pytest
from django.test import Client

from kontakt.telephony.models import Call, CallEvent

from .conftest import T0, pbx

pytestmark = pytest.mark.django_db

URL = "/api/v1/telephony/events"


def post(client: Client, body: object) -> tuple[int, dict]:
    response = client.post(URL, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def known_stream(event) -> list[dict]:
    """Six calls to the avfall group from 09:00 (seconds after it):

    c1 queued 5, answered 15 (wait 10)         answered within 20 and 30
    c2 queued 10, answered 35 (wait 25)        answered within 30 only
    c3 queued 20, hung up 23 (3 s)             short abandon: not offered
    c4 queued 30, hung up 90 (60 s)            abandoned
    c5 queued 40, answered 100 (wait 60)       answered late
    c6 queued 50, still waiting                not counted yet

    offered = c1, c2, c4, c5 = 4; answered 3; abandoned 1; short abandoned 1;
    SL20 = 1/4 = 0.25; SL30 = 2/4 = 0.5; ASA = (10 + 25 + 60) / 3 = 31.7 s;
    over answered: SL20 = 1/3, SL30 = 2/3.
    """
    g = {"answer_group": "avfall", "number": "+46406280400"}
    return [
        event("c1", "offered", 0, **g),
        event("c1", "queued", 5, **g),
        event("c1", "answered", 15, agent="agent"),
        event("c1", "ended", 200),
        event("c2", "offered", 1, **g),
        event("c2", "queued", 10, **g),
        event("c2", "answered", 35, agent="second_line"),
        event("c2", "ended", 100),
        event("c3", "queued", 20, **g),
        event("c3", "abandoned", 23),
        event("c4", "queued", 30, **g),
        event("c4", "abandoned", 90),
        event("c5", "queued", 40, **g),
        event("c5", "ringing", 95, agent="agent"),
        event("c5", "answered", 100, agent="agent"),
        event("c5", "ended", 400),
        event("c6", "queued", 50, **g),
    ]


EXPECTED = {
    "offered": 4,
    "answered": 3,
    "abandoned": 1,
    "short_abandoned": 1,
    "left_queue": 0,
    "callbacks": 0,
    "answer_rate": 0.75,
    "asa_seconds": 31.7,
    "service_level_20": 0.25,
    "service_level_30": 0.5,
    "service_level_20_of_answered": 0.3333,
    "service_level_30_of_answered": 0.6667,
}


def service_level(client: Client, **query: str) -> dict:
    params = {
        "start": T0.isoformat(),
        "end": (T0 + timedelta(hours=1)).isoformat(),
        **query,
    }
    response = client.get("/api/v1/stats/service-level", params)
    assert response.status_code == 200, response.content
    body = response.json()
    return {k: body[k] for k in EXPECTED}


def test_a_known_stream_gives_the_hand_computed_figures(
    exchange_client, groups, skilled, event, api_client_for, supervisor
):
    status, body = post(exchange_client, {"events": known_stream(event)})
    assert (status, body) == (200, {"accepted": 17, "duplicates": 0})
    assert service_level(api_client_for(supervisor)) == EXPECTED
    assert service_level(api_client_for(supervisor), answer_group="avfall") == EXPECTED
    assert service_level(api_client_for(supervisor), answer_group="bygg")["offered"] == 0
    c1 = Call.objects.get(call_id=pbx("c1"))
    assert (c1.state, c1.wait_seconds, c1.talk_seconds, c1.agent) == (
        "answered",
        10.0,
        185.0,
        skilled["agent"],
    )
    assert Call.objects.get(call_id=pbx("c6")).state == "waiting"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_order_batches_and_duplicates_do_not_change_the_figures(
    exchange_client, groups, skilled, event, api_client_for, supervisor, seed
):
    stream = known_stream(event)
    shuffled = stream + random.Random(seed).sample(stream, 6)  # six sent twice
    random.Random(seed).shuffle(shuffled)
    accepted = duplicates = 0
    for start in range(0, len(shuffled), 4):
        chunk = shuffled[start : start + 4]
        status, body = post(exchange_client, chunk if start % 8 else {"events": chunk})
        assert status == 200, body
        accepted += body["accepted"]
        duplicates += body["duplicates"]
    assert (accepted, duplicates) == (17, 6)
    assert CallEvent.objects.count() == 17
    assert service_level(api_client_for(supervisor)) == EXPECTED


def test_one_event_alone_and_its_duplicate(exchange_client, groups, event):
    one = event("c9", "queued", 0, answer_group="avfall")
    assert post(exchange_client, one) == (200, {"accepted": 1, "duplicates": 0})
    assert post(exchange_client, one) == (200, {"accepted": 0, "duplicates": 1})
    changed = {**one, "caller": "+46701234567"}  # same id, other data: refused
    status, body = post(exchange_client, changed)
    assert status == 409 and body["errors"] == {"event_id": [one["event_id"]]}
    assert CallEvent.objects.get().caller == ""


def test_the_group_follows_from_number_and_digit(exchange_client, number, event):
    status, _ = post(exchange_client, event("c1", "queued", 0, number="+46406280400", digit="2"))
    assert status == 200
    assert Call.objects.get().group_code == "bygg"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"at": "2026-03-02T09:00:00"}, "events.1.at", "Give the time with its UTC offset"),
        ({"at": "yesterday"}, "events.1.at", "ISO 8601"),
        ({"type": "exploded"}, "events.1.type", "Choose one of"),
        ({"event_id": ""}, "events.1.event_id", "At least 1"),
        ({"answer_group": "nosuch"}, "events.1.answer_group", "No answer group"),
        ({"colour": "red"}, "events.1.colour", "not known"),
        ({"digit": "12"}, "events.1.digit", ""),
        ({"caller": "a\x00b"}, "events.1.caller", "cannot be stored"),
    ],
)
def test_a_malformed_event_refuses_the_batch_and_stores_nothing(
    exchange_client, groups, event, change, field, message
):
    good = event("c1", "queued", 0, answer_group="avfall")
    bad = {**event("c1", "answered", 10, agent="agent"), **change}
    status, body = post(exchange_client, [good, bad])
    assert status == 400
    assert field in body["errors"], body
    assert message in " ".join(body["errors"][field])
    assert CallEvent.objects.count() == 0 and Call.objects.count() == 0


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"42", b'"x"', b'{"events": []}'])
def test_bodies_that_are_no_events_are_refused(exchange_client, body):
    response = exchange_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_only_an_exchange_or_an_administrator_posts_events(
    api_client_for, agent, supervisor, administrator, groups, event
):
    one = [event("c1", "queued", 0, answer_group="avfall")]
    assert post(Client(), one)[0] == 401
    assert post(api_client_for(agent), one)[0] == 403
    assert post(api_client_for(supervisor), one)[0] == 403
    assert post(api_client_for(administrator), one)[0] == 200
    revoked = Client(headers={"Authorization": "Bearer kx_nothing"})
    assert post(revoked, one)[0] == 401
