"""The switchboard's statistics end to end: the known stream posted through the events API
out of order and twice, figures per center, department and unit from the database; who may
read them; bad event payloads refused with the field named."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kontakt.core.tests.test_switchboard_stats import T0, A, B, C, known_stream
from kontakt.directory.models import Absence, AnswerGroup, Employee, Unit
from kontakt.switchboard.models import Message, Transfer
from kontakt.telephony.models import CallEvent, Exchange, scoped_id
from kontakt.telephony.services import exchange_create

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/telephony/events"
STATS = "/api/v1/stats/switchboard"
DAY = {"start": T0.isoformat(), "end": (T0 + timedelta(days=1)).isoformat()}


def as_payload(event) -> dict:
    body = {
        "event_id": event.event_id,
        "call_id": event.call_id,
        "type": event.type.value,
        "at": event.at.isoformat(),
    }
    for name in ("number", "answer_group", "agent", "target", "reason"):
        if getattr(event, name):
            body[name] = getattr(event, name)
    return body


def post(client: Client, body: object) -> tuple[int, dict]:
    response = client.post(EVENTS, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture
def exchange() -> tuple[Exchange, Client]:
    found, key = exchange_create(name="pbx")
    return found, Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def directory(department_a, department_b) -> dict[str, object]:
    """A in unit Parkering and B in unit Gata (department gata); C in Hemtjänst (social).
    Numbers in the directory are E.164; the events' targets too, except where said."""
    AnswerGroup.objects.create(name="Växel", code="vaxel")
    parking = Unit.objects.create(department=department_a, name="Parkering")
    streets = Unit.objects.create(department=department_a, name="Gata")
    care = Unit.objects.create(department=department_b, name="Hemtjänst")
    people = {
        "a": Employee.objects.create(display_name="Anna", unit=parking, direct_number=A),
        "b": Employee.objects.create(display_name="Bo", unit=streets, mobile=B),
        "c": Employee.objects.create(display_name="Cecilia", unit=care, direct_number=C),
    }
    return {"units": {"parking": parking, "streets": streets, "care": care}, **people}


def figures(**hand: int) -> dict[str, int]:
    keys = [
        "transfers",
        "transfers_answered",
        "returned_no_answer",
        "returned_busy",
        "transferred_to_absent",
        "direct_calls",
        "direct_reached",
        "direct_fallback_no_answer",
        "direct_fallback_busy",
        "direct_fallback_absent",
        "messages_taken",
        "messages_done_within_day",
    ]
    assert set(hand) <= set(keys)
    return {key: hand.get(key, 0) for key in keys}


def test_the_known_stream_end_to_end(exchange, directory, supervisor, switchboard, api_client_for):
    pbx, client = exchange
    payloads = [as_payload(e) for e in known_stream()]
    half = len(payloads) // 2
    # The second half first, then the first, then everything again.
    assert post(client, payloads[half:])[0] == 200
    status, _body = post(client, payloads[:half])
    assert status == 200
    assert post(client, payloads) == (200, {"accepted": 0, "duplicates": 32})
    assert CallEvent.objects.count() == 30  # 32 less the two sent twice
    # Anna was marked absent when c5 was put through to her (Cecilia too, for c3, which
    # also came back "absent": counted once).
    Absence.objects.create(
        employee=directory["a"],
        starts_at=T0 + timedelta(seconds=450),
        ends_at=T0 + timedelta(seconds=550),
    )
    Absence.objects.create(employee=directory["c"], starts_at=T0, ends_at=T0 + timedelta(hours=1))
    # c4's transfer was to Bo by his number as the operator typed it; he said "not mine".
    Transfer.objects.create(
        call_id=scoped_id(pbx, "c4"),
        operator=switchboard,
        employee=directory["b"],
        target="070-628 10 02",
        state="returned",
        requested_at=T0 + timedelta(seconds=390),
        not_mine_at=T0 + timedelta(seconds=500),
    )
    for who, state, done in [
        ("a", "done", 2),
        ("a", "done", 30),
        ("b", "open", None),
        ("c", "not_mine", None),
    ]:
        Message.objects.create(
            employee=directory[who],
            about="Ring tillbaka",
            taken_by=switchboard,
            taken_at=T0 + timedelta(minutes=30),
            state=state,
            done_at=T0 + timedelta(minutes=30, hours=done) if done else None,
        )
    api = api_client_for(supervisor)

    center = api.get(STATS, DAY).json()
    assert center == {
        "start": "2026-03-02T08:00:00Z",
        "end": "2026-03-03T08:00:00Z",
        "department": None,
        "unit": None,
        **figures(
            transfers=8,
            transfers_answered=3,
            returned_no_answer=2,
            returned_busy=1,
            transferred_to_absent=2,
            direct_calls=5,
            direct_reached=2,
            direct_fallback_no_answer=1,
            direct_fallback_busy=1,
            direct_fallback_absent=1,
            messages_taken=4,
            messages_done_within_day=1,
        ),
    }
    gata = api.get(STATS, {**DAY, "department": "gata"}).json()
    # A and B: transfers 4 + 3, answered 2 + 1, no answer 1 + 1, busy 0 + 1, absent c5;
    # direct calls 2 + 1, reached 1, fallback no answer (B) and absent (A).
    assert {k: v for k, v in gata.items() if k not in ("start", "end")} == {
        "department": "gata",
        "unit": None,
        **figures(
            transfers=7,
            transfers_answered=3,
            returned_no_answer=2,
            returned_busy=1,
            transferred_to_absent=1,
            direct_calls=3,
            direct_reached=1,
            direct_fallback_no_answer=1,
            direct_fallback_absent=1,
            messages_taken=3,
            messages_done_within_day=1,
        ),
    }
    care = directory["units"]["care"]
    social = api.get(STATS, {**DAY, "unit": care.pk}).json()
    assert social["department"] == "social"
    assert {k: v for k, v in social.items() if k in figures()} == figures(
        transfers=1,
        transferred_to_absent=1,
        direct_calls=2,
        direct_reached=1,
        direct_fallback_busy=1,
        messages_taken=1,
    )

    # The page: per department, and drilled into gata per unit, worst "not mine" first.
    web = Client()
    web.force_login(supervisor)
    page = web.get("/switchboard/statistics/", {"start": "2026-03-02", "end": "2026-03-02"})
    assert page.status_code == 200
    report = page.context["report"]
    assert report.total.transfers == 8
    assert report.total.wrong_transfers == 2  # Bo's transfer and Cecilia's message
    assert [(u.name, n) for u, n in report.wrong_by_unit] == [("Gata", 1), ("Hemtjänst", 1)]
    assert [(d.code, f.transfers) for d, f in report.departments] == [("gata", 7), ("social", 1)]
    assert report.days[0][1:] == (3, 4)  # answered 3; came back 4 (2 + 1 + absent 1)
    drilled = web.get(
        "/switchboard/statistics/",
        {"start": "2026-03-02", "end": "2026-03-02", "department": "gata"},
    )
    units = [(u.name, f.transfers, f.wrong_transfers) for u, f in drilled.context["report"].units]
    assert units == [("Gata", 3, 1), ("Parkering", 4, 0)]
    assert b'data-unit="%d"' % directory["units"]["parking"].pk in drilled.content


def test_same_event_id_with_another_target_or_reason_is_a_conflict(exchange, directory):
    _pbx, client = exchange
    first = {
        "event_id": "r1",
        "call_id": "c1",
        "type": "transfer_returned",
        "at": T0.isoformat(),
        "target": A,
        "reason": "busy",
    }
    assert post(client, first)[0] == 200
    assert post(client, first) == (200, {"accepted": 0, "duplicates": 1})
    status, body = post(client, {**first, "reason": "no_answer"})
    assert status == 409
    assert body["errors"] == {"event_id": ["r1"]}
    assert post(client, {**first, "target": B})[0] == 409
    assert CallEvent.objects.get().reason == "busy"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "answered", "reason": "busy"}, "reason"),
        ({"type": "transfer_returned", "reason": "gone"}, "reason"),
        ({"type": "transfer_returned", "reason": ""}, "reason"),
        ({"type": "direct_fallback"}, "reason"),
        ({"type": "transfer_started", "target": ""}, "target"),
        ({"type": "direct_offered", "target": "   "}, "target"),
        ({"type": "transfer_answered", "target": "+46" + "1" * 40}, "target"),
    ],
)
def test_bad_switchboard_events_are_refused_with_the_field(exchange, directory, change, field):
    _pbx, client = exchange
    good = {
        "event_id": f"ok-{field}",
        "call_id": "c1",
        "type": "transfer_started",
        "at": T0.isoformat(),
        "target": A,
    }
    bad = {**good, "event_id": "bad", **change}
    status, body = post(client, {"events": [good, good, good, bad]})
    assert status == 400
    assert any(key.startswith(f"events.3.{field}") for key in body["errors"]), body
    assert CallEvent.objects.count() == 0  # nothing of the batch
    status, body = post(client, bad)
    assert status == 400
    assert any(key.endswith(field) for key in body["errors"]), body


def test_the_older_transferred_type_still_counts(exchange, directory, supervisor, api_client_for):
    _pbx, client = exchange
    old = {"event_id": "t1", "call_id": "c1", "type": "transferred", "at": T0.isoformat()}
    assert post(client, old)[0] == 200
    got = api_client_for(supervisor).get(STATS, DAY).json()
    assert got["transfers"] == 1


def test_department_contacts_see_their_own_department(
    directory, department_contact, handler, api_client_for
):
    contact = api_client_for(department_contact)
    own = contact.get(STATS, DAY)
    assert own.status_code == 200
    assert own.json()["department"] == "gata"
    assert contact.get(STATS, {**DAY, "department": "social"}).status_code == 403
    care = directory["units"]["care"]
    assert contact.get(STATS, {**DAY, "unit": care.pk}).status_code == 403
    assert api_client_for(handler).get(STATS, DAY).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"department": "nope"}, "department"),
        ({"unit": 999999}, "unit"),
        ({"end": T0.isoformat()}, "end"),
        ({"end": (T0 + timedelta(days=401)).isoformat()}, "end"),
        ({"start": "9999-12-31T00:00:00+00:00"}, "start"),
    ],
)
def test_bad_periods_and_names_are_field_errors(
    directory, supervisor, api_client_for, query, field
):
    response = api_client_for(supervisor).get(STATS, {**DAY, **query})
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_unit_outside_the_department_is_a_field_error(directory, supervisor, api_client_for):
    care = directory["units"]["care"]
    response = api_client_for(supervisor).get(STATS, {**DAY, "department": "gata", "unit": care.pk})
    assert response.status_code == 400
    assert "unit" in response.json()["errors"]


def test_the_page_refuses_a_bad_period(directory, supervisor, client_for):
    response = client_for(supervisor).get(
        "/switchboard/statistics/", {"start": "2026-03-05", "end": "2026-03-01"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["end"]


def test_the_figures_take_the_same_queries_for_more_calls(
    exchange, directory, supervisor, api_client_for
):
    _pbx, client = exchange
    api = api_client_for(supervisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(STATS, {**DAY, "department": "gata"}).status_code == 200
        return len(captured)

    assert post(client, [as_payload(e) for e in known_stream()])[0] == 200
    queries()  # the token's first use is noted once
    few = queries()
    more = [
        {**as_payload(e), "event_id": f"x{e.event_id}", "call_id": f"x{e.call_id}"}
        for e in known_stream()
    ]
    assert post(client, more)[0] == 200
    assert queries() == few


def test_a_department_contact_sees_only_their_department_on_the_page(
    directory, department_contact, client_for
):
    web = client_for(department_contact)
    page = web.get("/switchboard/statistics/")
    assert page.status_code == 200
    assert [d.code for d, _f in page.context["report"].departments] == ["gata"]
    assert [u.name for u, _f in page.context["report"].units] == ["Gata", "Parkering"]
    assert web.get("/switchboard/statistics/", {"department": "social"}).status_code == 400
