"""Web chat over HTTP: the widget's endpoints (no login, the chat is the browser's by its
cookie) and the agent's (front line, their own chats only)."""

import json

import pytest
from django.test import Client

from kontakt.cases.models import Contact
from kontakt.chat.access import cookie_name
from kontakt.chat.models import Chat

from .conftest import ready


def started(client: Client, **fields: str):
    data = {"language": "nb", "body": "Hei, jeg lurer på noe.", "client_id": "c1", **fields}
    return client.post("/chat/start/", data)


@pytest.fixture
def resident_client() -> Client:
    return Client(enforce_csrf_checks=False)


def test_status_offers_the_chat_or_the_form(resident_client, norwegian):
    answer = resident_client.get("/chat/status/").json()
    assert (answer["available"], answer["reason"], answer["form_url"]) == (
        False,
        "unstaffed",
        "/form/",
    )
    ready(norwegian)
    answer = resident_client.get("/chat/status/").json()
    assert answer["available"] is True and answer["estimated_wait_seconds"] == 0


def test_start_send_read_and_leave(resident_client, norwegian, swedish_only):
    ready(swedish_only)  # nobody with Norwegian: the chat waits
    response = started(resident_client)
    assert response.status_code == 201
    data = response.json()
    assert data["state"] == "waiting" and data["position"] == 1
    assert data["messages"][0]["body"] == "Hei, jeg lurer på noe."
    assert cookie_name() in response.cookies
    urls = data["urls"]
    sent = resident_client.post(urls["send"], {"body": "Hallo?", "client_id": "c2"})
    assert sent.status_code == 201 and sent.json()["seq"] == 2
    again = resident_client.post(urls["send"], {"body": "Hallo?", "client_id": "c2"})
    assert again.status_code == 200 and again.json()["seq"] == 2
    detail = resident_client.get(urls["detail"] + "?after=1").json()
    assert [m["body"] for m in detail["messages"]] == ["Hallo?"]
    left = resident_client.post(urls["leave"])
    assert left.json() == {"state": "abandoned"}
    assert resident_client.post(urls["send"], {"body": "Hei"}).status_code == 400


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"language": "de"}, "language"),
        ({"body": ""}, "body"),
        ({"body": "\x00\x00"}, "body"),
        ({"body": "å" * 2001}, "body"),
        ({"email": "not-an-address"}, "email"),
        ({"client_id": "<script>"}, "client_id"),
    ],
)
def test_bad_starts_are_400_with_the_field(resident_client, norwegian, fields, field):
    ready(norwegian)
    response = started(resident_client, **fields)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Chat.objects.count() == 0


def test_bad_messages_are_400_and_nul_is_dropped(resident_client, norwegian):
    ready(norwegian)
    urls = started(resident_client).json()["urls"]
    assert resident_client.post(urls["send"], {"body": "x" * 2001}).status_code == 400
    assert resident_client.post(urls["send"], {"body": ""}).status_code == 400
    ok = resident_client.post(urls["send"], {"body": "hei\x00 der"})
    assert ok.status_code == 201 and ok.json()["body"] == "hei der"
    assert resident_client.get(urls["send"]).status_code == 405


def test_a_closed_center_answers_409_with_the_form(resident_client, chat_group):
    response = started(resident_client)
    assert response.status_code == 409
    assert response.json()["reason"] == "unstaffed" and response.json()["form_url"] == "/form/"


def test_another_browser_a_forged_cookie_and_an_unknown_id_are_the_same_404(
    resident_client, norwegian
):
    ready(norwegian)
    urls = started(resident_client).json()["urls"]
    public_id = Chat.objects.get().public_id
    stranger = Client()
    forged = Client()
    forged.cookies[cookie_name()] = f"{public_id}:forged"
    answers = []
    for client, url in [
        (stranger, urls["detail"]),
        (forged, urls["detail"]),
        (resident_client, "/chat/AAAAAAAAAAAAAAAAAAAAAAAA/"),
    ]:
        response = client.get(url)
        answers.append((response.status_code, response.content))
    assert len(set(answers)) == 1 and answers[0][0] == 404
    for url in (urls["send"], urls["leave"]):
        assert stranger.post(url, {"body": "x"}).status_code == 404
    assert stranger.get(urls["stream"]).status_code == 404
    # Another browser's cookie names another chat: still 404 here.
    other = Client()
    started(other, client_id="c9")
    assert other.get(urls["detail"]).status_code == 404


def test_starts_and_messages_are_limited_per_address(resident_client, norwegian, settings):
    ready(norwegian)
    settings.KONTAKT["CHAT"]["STARTS_PER_ADDRESS_PER_HOUR"] = 1
    settings.KONTAKT["CHAT"]["MESSAGES_PER_ADDRESS_PER_MINUTE"] = 2
    urls = started(resident_client).json()["urls"]
    assert started(Client(), client_id="c2").status_code == 429
    codes = [
        resident_client.post(urls["send"], {"body": f"{n}", "client_id": f"m{n}"}).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]


def test_the_stream_replays_the_chats_messages_from_the_last_event_id(
    resident_client, norwegian, settings, django_capture_on_commit_callbacks
):
    ready(norwegian)
    settings.KONTAKT["LIVE"] = {
        **settings.KONTAKT["LIVE"],
        "BACKEND": "memory",
        "STREAM_SECONDS": 0.3,
        "HEARTBEAT_SECONDS": 0.1,
    }
    urls = started(resident_client).json()["urls"]
    chat = Chat.objects.get()
    agent = Client()
    agent.force_login(norwegian)
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(f"/chat/agent/{chat.pk}/answer/")
        agent.post(f"/chat/agent/{chat.pk}/messages/", {"body": "Svar fra oss", "client_id": "s1"})
    # A browser that was away asks from an id before these: they are replayed, in order.
    stream = resident_client.get(urls["stream"], HTTP_LAST_EVENT_ID="1-0")
    assert stream["Content-Type"] == "text/event-stream"
    body = b"".join(stream.streaming_content).decode()
    assert body.startswith("retry: 2000")
    events = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    ours = [e for e in events if e.get("chat") == chat.pk]
    assert [e["body"] for e in ours if e["type"] == "chat_message"][-1] == "Svar fra oss"
    assert any(e["type"] == "chat_state" and e["state"] == "active" for e in ours)
    # A fresh stream starts at the newest message: nothing old comes again.
    fresh = b"".join(resident_client.get(urls["stream"]).streaming_content).decode()
    assert "Svar fra oss" not in fresh


def test_the_agent_answers_writes_and_ends_the_chat(
    resident_client, norwegian, swedish_only, parking_type
):
    ready(norwegian)
    urls = started(resident_client, email="kari@example.no").json()["urls"]
    chat = Chat.objects.get()
    agent = Client()
    agent.force_login(norwegian)
    desk = agent.get("/desk/")
    assert desk.status_code == 200
    assert f'data-chat="{chat.pk}"' in desk.content.decode()
    page = agent.get(f"/chat/agent/{chat.pk}/")
    assert page.status_code == 200 and "Hei, jeg lurer på noe." in page.content.decode()
    panel = agent.post(f"/chat/agent/{chat.pk}/answer/")
    assert panel.status_code == 200 and 'data-state="active"' in panel.content.decode()
    json = {"HTTP_ACCEPT": "application/json"}
    reply = agent.post(f"/chat/agent/{chat.pk}/messages/", {"body": "Hei!"}, **json)
    assert reply.status_code == 201
    assert agent.post(f"/chat/agent/{chat.pk}/messages/", {"body": ""}, **json).status_code == 400
    bodies = [m["body"] for m in resident_client.get(urls["detail"]).json()["messages"]]
    assert bodies[-1] == "Hei!"
    # Another agent sees nothing of it.
    other = Client()
    other.force_login(swedish_only)
    assert other.get(f"/chat/agent/{chat.pk}/").status_code == 404
    assert other.post(f"/chat/agent/{chat.pk}/messages/", {"body": "x"}).status_code == 404
    bad = agent.post(f"/chat/agent/{chat.pk}/end/", {f"chat{chat.pk}-outcome": "forwarded"}, **json)
    assert bad.status_code == 400 and "case_type" in bad.json()["errors"]
    ended = agent.post(
        f"/chat/agent/{chat.pk}/end/",
        {
            f"chat{chat.pk}-outcome": "forwarded",
            f"chat{chat.pk}-case_type": parking_type.code,
            f"chat{chat.pk}-summary": "Parkering",
        },
        **json,
    )
    assert ended.status_code == 200
    contact = Contact.objects.get(pk=ended.json()["contact"])
    assert contact.channel == "chat" and contact.case.reference == ended.json()["case"]
    assert resident_client.get(urls["detail"]).json()["state"] == "ended"
    assert agent.get(f"/chat/agent/{chat.pk}/").status_code == 404


def test_agent_pages_are_for_the_front_line(norwegian, handler):
    ready(norwegian)
    started(Client())
    chat = Chat.objects.get()
    anonymous = Client()
    assert anonymous.get(f"/chat/agent/{chat.pk}/").status_code == 302
    other = Client()
    other.force_login(handler)
    assert other.get(f"/chat/agent/{chat.pk}/").status_code == 403
