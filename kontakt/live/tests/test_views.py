"""The events stream, read through the real view while another thread publishes."""

import json
import threading
import time
import warnings

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.http import StreamingHttpResponse
from django.test import AsyncClient

from kontakt.live import bus
from kontakt.live.bus import CENTER, SUPERVISORS, user_topic

from .conftest import set_live

pytestmark = pytest.mark.django_db

URL = "/live/events/"


def parse(body: str) -> list[dict[str, str]]:
    """The blocks of an event stream as {field: value}; a comment is {"comment": text}."""
    blocks = []
    for block in body.split("\n\n"):
        if not block:
            continue
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(":")
            fields[name or "comment"] = value.removeprefix(" ")
        blocks.append(fields)
    return blocks


def events_of(blocks: list[dict[str, str]]) -> list[dict]:
    """The data of each event; each is a plain "message", its type inside the data."""
    events = [b for b in blocks if "data" in b]
    assert all(set(b) == {"id", "data"} for b in events), events
    return [json.loads(b["data"]) for b in events]


def read_while_publishing(response, *messages: tuple[str, dict]) -> str:
    """The whole stream; the messages are published from another thread once it is open."""
    chunks = iter(response.streaming_content)
    first = next(chunks)  # the view has subscribed by the time it sends this

    def publish_all() -> None:
        for message in messages:
            bus.publish(*message)

    publisher = threading.Thread(target=publish_all)
    publisher.start()
    rest = b"".join(chunks)
    publisher.join()
    return (first + rest).decode()


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/live/events/")


def test_a_user_without_a_role_is_refused(client_for, no_role_user):
    assert client_for(no_role_user).get(URL).status_code == 403


def test_the_stream_is_get_only(client_for, agent):
    assert client_for(agent).post(URL).status_code == 405


def test_a_staff_user_receives_their_own_messages_and_no_one_elses(
    backend, client_for, agent, second_line
):
    # Asking for other topics in the query changes nothing.
    response = client_for(agent).get(URL, {"topics": f"{user_topic(second_line.pk)},{SUPERVISORS}"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/event-stream"
    # Never stored, as every answer to a signed-in user (kontakt/web/middleware.py).
    assert {"no-cache", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["X-Accel-Buffering"] == "no"
    body = read_while_publishing(
        response,
        (user_topic(second_line.pk), {"type": "screen-pop", "for": "second line"}),
        (SUPERVISORS, {"type": "wallboard"}),
        (user_topic(agent.pk), {"type": "screen-pop", "for": "agent"}),
        (CENTER, {"type": "crisis", "text": "Vattenläcka på Storgatan"}),
        (CENTER, {"text": "no type"}),
    )
    blocks = parse(body)
    assert blocks[0] == {"retry": "2000"}
    assert events_of(blocks) == [
        {"type": "screen-pop", "for": "agent"},
        {"type": "crisis", "text": "Vattenläcka på Storgatan"},
        {"text": "no type"},
    ]
    ids = [b["id"] for b in blocks if "id" in b]
    assert len(ids) == 3 and ids == sorted(ids, key=bus.parse_id)


def test_a_supervisor_also_receives_the_wallboard(client_for, supervisor):
    response = client_for(supervisor).get(URL)
    body = read_while_publishing(response, (SUPERVISORS, {"type": "wallboard", "waiting": 3}))
    assert events_of(parse(body)) == [{"type": "wallboard", "waiting": 3}]


@pytest.mark.parametrize("how", ["header", "query"])
def test_a_reconnecting_browser_gets_what_it_missed(settings, backend, client_for, agent, how):
    with bus.subscribe([CENTER]) as earlier:  # the previous connection's position
        bus.publish(CENTER, {"type": "crisis", "n": 1})
        seen = earlier.get(timeout=1)[0].id
    bus.publish(CENTER, {"type": "crisis", "n": 2})
    bus.publish(user_topic(agent.pk), {"type": "agent-state", "n": 3})
    set_live(settings, STREAM_SECONDS=0.3)
    if how == "header":
        response = client_for(agent).get(URL, headers={"last-event-id": seen})
    else:
        response = client_for(agent).get(URL, {"last_event_id": seen})
    body = b"".join(response.streaming_content).decode()
    assert [data["n"] for data in events_of(parse(body))] == [2, 3]


def test_a_quiet_stream_sends_heartbeats_and_ends(settings, client_for, agent):
    set_live(settings, STREAM_SECONDS=0.5, HEARTBEAT_SECONDS=0.1)
    started = time.monotonic()
    body = b"".join(client_for(agent).get(URL).streaming_content).decode()
    took = time.monotonic() - started
    blocks = parse(body)
    assert blocks[0] == {"retry": "2000"}
    assert all(block == {"comment": "heartbeat"} for block in blocks[1:])
    assert 3 <= len(blocks) - 1 <= 6
    assert 0.4 <= took < 2


def test_under_asgi_the_stream_is_an_async_iterator(agent):
    """Django would read a sync iterator to its end before sending anything under ASGI."""

    async def read() -> tuple[bool, str]:
        client = AsyncClient()
        await client.aforce_login(agent)
        response = await client.get(URL)
        assert isinstance(response, StreamingHttpResponse)
        chunks = aiter(response.streaming_content)
        first = await anext(chunks)
        threading.Thread(
            target=bus.publish, args=(user_topic(agent.pk), {"type": "screen-pop", "n": 1})
        ).start()
        rest = b"".join([chunk async for chunk in chunks])
        return response.is_async, (first + rest).decode()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "must consume synchronous iterators"
        is_async, body = async_to_sync(read)()
    assert is_async
    assert events_of(parse(body)) == [{"type": "screen-pop", "n": 1}]


def test_under_wsgi_the_stream_is_a_sync_iterator(client_for, agent):
    assert client_for(agent).get(URL).is_async is False


def end_session(how: str, browser, user) -> None:
    if how == "sign-out":
        assert browser.post("/logout/").status_code == 302
    elif how == "disabled":
        user.is_active = False
        user.save()
    else:  # a changed password signs out every other session
        user.set_password("ny-lösen-7351")
        user.save()


@pytest.mark.parametrize("how", ["sign-out", "disabled", "password"])
def test_an_open_stream_ends_once_its_session_no_longer_signs_in(settings, client_for, agent, how):
    set_live(settings, STREAM_SECONDS=30, HEARTBEAT_SECONDS=0.05)
    browser = client_for(agent)
    chunks = iter(browser.get(URL).streaming_content)
    assert next(chunks) == b"retry: 2000\n\n"
    end_session(how, browser, agent)
    bus.publish(user_topic(agent.pk), {"type": "screen-pop", "n": 1})
    bus.publish(CENTER, {"type": "crisis", "n": 2})
    # Nothing more: no message, not even a heartbeat; the response is over.
    assert b"".join(chunks) == b""


def test_a_stream_of_a_session_still_signed_in_goes_on(settings, client_for, agent):
    set_live(settings, STREAM_SECONDS=0.3, HEARTBEAT_SECONDS=0.05)
    at_desk, elsewhere = client_for(agent), client_for(agent)
    chunks = iter(at_desk.get(URL).streaming_content)
    next(chunks)
    end_session("sign-out", elsewhere, agent)  # another browser of the same user
    body = b"".join(chunks).decode()
    assert {"comment": "heartbeat"} in parse(body)


def test_under_asgi_an_open_stream_ends_when_the_user_is_disabled(settings, agent):
    set_live(settings, STREAM_SECONDS=30, HEARTBEAT_SECONDS=0.05)

    def disable() -> None:
        end_session("disabled", None, agent)
        bus.publish(user_topic(agent.pk), {"type": "screen-pop", "n": 1})

    async def read() -> tuple[bytes, bytes]:
        client = AsyncClient()
        await client.aforce_login(agent)
        response = await client.get(URL)
        assert isinstance(response, StreamingHttpResponse)
        chunks = aiter(response.streaming_content)
        first = await anext(chunks)
        await sync_to_async(disable)()
        return first, b"".join([chunk async for chunk in chunks])

    first, rest = async_to_sync(read)()
    assert first == b"retry: 2000\n\n"
    assert rest == b""
