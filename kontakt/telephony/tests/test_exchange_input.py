"""Everything an exchange sends is checked before it reaches the database: texts (NUL,
length), types, JSON depth, path parameters and times; a queue_log import reports each line
it cannot take; and each exchange's calls and event ids are its own."""

import importlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.call_events import EventType
from kontakt.telephony import selectors, services
from kontakt.telephony.models import Call, CallEvent, Exchange, Presence, scoped_id

from .conftest import pbx

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/telephony/events"


def post_json(client: Client, url: str, body: object) -> tuple[int, dict]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.status_code, response.json()


@pytest.fixture
def cti_url(db) -> str:
    _exchange, key = services.exchange_create(name="cti")
    return f"/api/v1/telephony/cti/{key}"


NEW_CALL = {"event": "newCall", "from": "4670", "to": "4640", "direction": "in", "callId": "z"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from": "4" * 500}, "from"),
        ({"to": "4\x006"}, "to"),
        ({"callId": "c" * 500}, "callId"),
        ({"callId": "z\x00"}, "callId"),
        ({"user": "u" * 500}, "user.0"),
        ({"callId": 5}, "callId"),
        ({"event": {"nested": "object"}}, "event"),
    ],
)
def test_the_cti_webhook_refuses_unstorable_and_mistyped_fields(cti_url, change, field):
    status, body = post_json(Client(), cti_url, {**NEW_CALL, **change})
    assert status == 400, body
    assert field in body["errors"] and body["message"]
    assert not CallEvent.objects.exists()


def test_the_cti_webhook_refuses_over_long_form_fields(cti_url):
    response = Client().post(cti_url, {**NEW_CALL, "user": "u" * 500, "from": "4\x00"})
    assert response.status_code == 400
    assert {"user.0", "from"} <= set(response.json()["errors"])


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, b"[" * 30 + b"]" * 30])
def test_deeply_nested_json_is_a_json_400(exchange_client, cti_url, body):
    for client, url in ((exchange_client, EVENTS), (Client(), cti_url)):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"]


@pytest.mark.parametrize(
    ("method", "url", "field"),
    [
        ("post", "/api/v1/agents/a%00b/state", "username"),
        ("post", f"/api/v1/agents/{'a' * 500}/state", "username"),
        ("get", "/api/v1/telephony/numbers/%2B46%00/menu", "number"),
        ("get", f"/api/v1/telephony/numbers/{'4' * 500}/menu", "number"),
        ("post", "/api/v1/routing/contacts/chat/x%00y/done", "reference"),
        ("post", f"/api/v1/routing/contacts/chat/{'x' * 500}/done", "reference"),
        ("post", "/api/v1/routing/contacts/c%00/x/done", "channel"),
        ("post", "/api/v1/telephony/cti/kx_%00", "token"),
    ],
)
def test_path_parameters_are_checked_before_the_database(exchange_client, method, url, field):
    body = {"state": "ready"} if "agents" in url else {}
    if method == "post":
        response = exchange_client.post(url, json.dumps(body), content_type="application/json")
    else:
        response = exchange_client.get(url)
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["errors"]


@pytest.mark.parametrize("at", [12345, 1772438400.5, True])
def test_an_event_time_is_iso_8601_never_a_bare_number(exchange_client, groups, at):
    event = {"event_id": "e1", "call_id": "c1", "type": "queued", "at": at}
    status, body = post_json(exchange_client, EVENTS, event)
    assert status == 400 and "at" in body["errors"]
    assert not CallEvent.objects.exists()


def test_ids_an_exchange_cannot_store_are_refused(exchange_client, groups):
    long = {"event_id": "e" * 91, "call_id": "c\x00", "type": "queued", "at": "2026-03-02T09:00Z"}
    status, body = post_json(exchange_client, EVENTS, long)
    assert status == 400 and {"event_id", "call_id"} <= set(body["errors"])


def test_far_future_events_of_an_agent_break_nothing(
    exchange_client, groups, skilled, client_for, administrator
):
    at = "9999-12-31T23:59:59+00:00"
    batch = [
        {"event_id": "f1", "call_id": "f", "type": "queued", "at": at, "answer_group": "avfall"},
        {"event_id": "f2", "call_id": "f", "type": "answered", "at": at, "agent": "agent"},
        {"event_id": "f3", "call_id": "f", "type": "ended", "at": at, "agent": "agent"},
    ]
    status, body = post_json(exchange_client, EVENTS, {"events": batch})
    # Refused by the time window, or stored: never a 500, and no agent is held until then.
    assert status in (200, 400), body
    presence = Presence.objects.filter(agent=skilled["agent"]).first()
    assert presence is None or presence.since.year < 9999
    web = client_for(administrator)
    assert web.get("/admin/telephony/call/").status_code == 200
    assert web.get("/admin/telephony/callevent/").status_code == 200


def test_stored_extreme_times_still_render_the_admin_pages(groups, client_for, administrator):
    latest = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    earliest = datetime(1, 1, 1, tzinfo=UTC)
    services.call_events_record(
        events=[
            CoreEvent("x1", "x", EventType.QUEUED, latest, answer_group="avfall"),
            CoreEvent("x2", "x", EventType.ANSWERED, latest, agent="agent"),
            CoreEvent("x3", "x", EventType.ENDED, latest),
            CoreEvent("y1", "y", EventType.QUEUED, earliest, answer_group="avfall"),
            CoreEvent("y2", "y", EventType.ABANDONED, earliest + timedelta(seconds=40)),
        ],
        follow=False,
    )
    web = client_for(administrator)
    pages = [
        "/admin/telephony/call/",
        "/admin/telephony/call/?started_at__gte=9999-12-31",
        "/admin/telephony/callevent/",
        "/admin/telephony/callevent/?at__gte=9999-12-31",
        *(
            f"/admin/telephony/call/{pk}/change/"
            for pk in Call.objects.values_list("pk", flat=True)
        ),
        *(
            f"/admin/telephony/callevent/{pk}/change/"
            for pk in CallEvent.objects.values_list("pk", flat=True)
        ),
    ]
    for url in pages:
        response = web.get(url)
        assert response.status_code == 200, url
    assert "9999-12-31 23:59:59 UTC" in web.get("/admin/telephony/call/").content.decode()


# Exchanges apart --------------------------------------------------------------------------


def test_two_exchanges_calls_of_one_id_are_two_calls(exchange_client, groups, event, agent):
    _other, key = services.exchange_create(name="other")
    other = Client(headers={"Authorization": f"Bearer {key}"})
    assert (
        post_json(exchange_client, EVENTS, event("c1", "queued", 0, answer_group="avfall"))[0]
        == 200
    )
    assert post_json(other, EVENTS, event("c1", "queued", 5, answer_group="bygg"))[0] == 200
    # The other exchange ends its own c1: the first exchange's c1 still waits.
    assert post_json(other, EVENTS, event("c1", "abandoned", 60))[0] == 200
    ours = Call.objects.get(call_id=pbx("c1"))
    theirs = Call.objects.get(call_id=scoped_id(Exchange.objects.get(name="other"), "c1"))
    assert (ours.state, ours.group_code) == ("waiting", "avfall")
    # A contact may name the call as the exchange does: the latest call of that id.
    found = selectors.call_for_contact(user=agent, call_id="c1")
    assert found is not None and found.call_id in (ours.call_id, theirs.call_id)
    assert selectors.call_for_contact(user=agent, call_id=ours.call_id) == ours
    assert (theirs.state, theirs.group_code) == ("abandoned", "bygg")
    # Event ids too: the same id from the other exchange is another event, not a duplicate.
    assert CallEvent.objects.count() == 3


def test_a_reused_event_id_with_other_data_is_a_conflict(exchange_client, groups, event):
    first = event("c1", "queued", 0, answer_group="avfall")
    assert post_json(exchange_client, EVENTS, first) == (200, {"accepted": 1, "duplicates": 0})
    assert post_json(exchange_client, EVENTS, [first]) == (200, {"accepted": 0, "duplicates": 1})
    other = {**first, "type": "abandoned"}
    batch = [event("c2", "queued", 0, answer_group="avfall"), other]
    status, body = post_json(exchange_client, EVENTS, batch)
    assert status == 409 and body["errors"] == {"event_id": [first["event_id"]]}
    assert CallEvent.objects.count() == 1  # nothing of the batch is stored
    # Twice in one batch with different data: refused too.
    twice = [event("c3", "queued", 0), {**event("c3", "queued", 0), "caller": "+4670"}]
    assert post_json(exchange_client, EVENTS, twice)[0] == 409


def test_a_resent_cti_request_stays_a_duplicate(cti_url, groups):
    assert Client().post(cti_url, NEW_CALL).json() == {"accepted": 2, "ignored": ""}
    assert Client().post(cti_url, NEW_CALL).json() == {"accepted": 0, "ignored": ""}
    changed = Client().post(cti_url, {**NEW_CALL, "from": "4671"})
    assert changed.status_code == 409


def test_the_migration_puts_stored_events_in_their_exchanges_namespace(groups):
    pbx_exchange, _key = services.exchange_create(name="pbx")
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    services.call_events_record(
        events=[CoreEvent("e1", "c1", EventType.QUEUED, at, answer_group="avfall")],
        exchange=pbx_exchange,
        follow=False,
    )
    services.call_events_record(
        events=[CoreEvent("l1", "l1", EventType.QUEUED, at, answer_group="avfall")], follow=False
    )
    migration = importlib.import_module("kontakt.telephony.migrations.0003_exchanges_apart")
    migration.rekey(apps, None)
    key = f"{pbx_exchange.pk}|"
    assert set(CallEvent.objects.values_list("event_id", "call_id")) == {
        (key + "e1", key + "c1"),
        ("l1", "l1"),
    }
    assert set(Call.objects.values_list("call_id", flat=True)) == {key + "c1", "l1"}


# queue_log imports ------------------------------------------------------------------------

GOOD = [
    "1772438400|1772438398.11|avfall|NONE|ENTERQUEUE||046123456|1",
    "1772438412|1772438398.11|avfall|PJSIP/anna|CONNECT|12|1772438400.12|3",
]
BAD = [
    "99999999999999999999|1772438428.13|avfall|NONE|ENTERQUEUE||0701234567|1",  # line 3
    "1772438430|1772438428.14|avfall|NONE|ENTERQUEUE||07012\x0034567|1",  # line 4: NUL
    f"1772438430|1772438428.15|avfall|PJSIP/{'a' * 300}|CONNECT|1|1|1",  # line 5: agent
    "1772438430|1772438428.16|avfall|NONE|ENTERQUEUE||0701234567|1|9999",  # fine
    "17724384|x",  # line 7: too few fields
]


def test_the_cli_import_reports_bad_lines_and_imports_the_rest(groups, tmp_path):
    path = tmp_path / "queue_log"
    path.write_text("\n".join(GOOD + BAD) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("queue_log_import", str(path), stdout=out, stderr=err, verbosity=1)
    reported = err.getvalue()
    for line in (3, 4, 5, 7):
        assert f"line {line}:" in reported
    assert "4 lines not imported" in out.getvalue()
    assert set(CallEvent.objects.values_list("call_id", flat=True)) == {
        "1772438398.11",
        "1772438428.16",
    }


def test_the_admin_upload_shows_the_report(groups, client_for, administrator):
    web = client_for(administrator)
    text = "\n".join(GOOD + BAD).encode()
    upload = SimpleUploadedFile("queue_log", text, content_type="text/plain")
    response = web.post("/admin/telephony/callevent/queue-log/", {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    for line in (3, 4, 5, 7):
        assert f"line {line}:" in page
    assert CallEvent.objects.filter(call_id="1772438398.11").count() == 3
    # Importing it again changes nothing and reports the same lines.
    upload = SimpleUploadedFile("queue_log", text, content_type="text/plain")
    again = web.post("/admin/telephony/callevent/queue-log/", {"file": upload})
    assert again.status_code == 200 and CallEvent.objects.count() == 5
