"""Routing offers, agents' states from the desktop and from calls, the IVR menu."""

import json
import logging
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from kontakt.directory.models import OpeningHours
from kontakt.telephony import selectors, services
from kontakt.telephony.models import Presence, PresenceChange

from .conftest import now_event, pbx

pytestmark = pytest.mark.django_db


def offer(client: Client, **body: object) -> dict:
    response = client.post(
        "/api/v1/routing/offers", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def events(client: Client, *items: dict) -> None:
    response = client.post(
        "/api/v1/telephony/events", json.dumps(list(items)), content_type="application/json"
    )
    assert response.status_code == 200, response.content


def ready(*users, seconds_ago: float = 0) -> None:
    for user in users:
        services.presence_change(
            agent=user, state="ready", by=user, now=timezone.now() - timedelta(seconds=seconds_ago)
        )


def test_nobody_ready_means_queue_with_an_estimate(exchange_client, groups, skilled):
    answer = offer(exchange_client, call_id="c1", answer_group="avfall")
    assert answer["action"] == "queue" and answer["agent"] is None
    assert answer["position"] == 1


def test_the_most_proficient_ready_agent_is_rung_and_held(exchange_client, groups, skilled):
    ready(skilled["agent"], skilled["second_line"])
    answer = offer(exchange_client, call_id="c1", answer_group="avfall")
    assert answer["action"] == "ring"
    assert answer["agent"]["username"] == skilled["second_line"].username  # avfall 5 > 3
    presence = Presence.objects.get(agent=skilled["second_line"])
    assert (presence.state, presence.call_id) == ("offered", pbx("c1"))
    # The next call gets the other agent: the first is held for the ring time.
    assert offer(exchange_client, call_id="c2", answer_group="avfall")["agent"]["username"] == (
        skilled["agent"].username
    )
    assert offer(exchange_client, call_id="c3", answer_group="avfall")["action"] == "queue"


def test_among_equals_the_longest_idle_is_rung(exchange_client, groups, agent, switchboard):
    from kontakt.telephony.models import AgentSkill

    for user in (agent, switchboard):
        AgentSkill.objects.create(agent=user, skill="bygg", proficiency=3)
    ready(agent, seconds_ago=10)
    ready(switchboard, seconds_ago=100)
    assert offer(exchange_client, call_id="c1", answer_group="bygg")["agent"]["username"] == (
        switchboard.username
    )


def test_a_language_group_needs_an_agent_who_speaks_it(exchange_client, groups, skilled):
    from kontakt.telephony.models import AgentSkill

    AgentSkill.objects.create(agent=skilled["agent"], skill="general", proficiency=5)
    ready(skilled["agent"], seconds_ago=100)
    ready(skilled["second_line"])
    answer = offer(exchange_client, call_id="c1", answer_group="arabic")
    assert answer["agent"]["username"] == skilled["second_line"].username  # speaks ar


def test_a_waiting_call_keeps_its_place(exchange_client, groups, skilled):
    # c1 waited longer: when the one agent is ready, c2 asking first must not jump ahead.
    events(
        exchange_client,
        now_event("c1", "queued", 30, answer_group="avfall"),
        now_event("c2", "queued", 5, answer_group="avfall"),
    )
    ready(skilled["agent"])
    assert offer(exchange_client, call_id="c2", answer_group="avfall")["action"] == "queue"
    assert offer(exchange_client, call_id="c1", answer_group="avfall")["action"] == "ring"


def test_call_events_move_the_agent_and_pop_the_screen(
    exchange_client, groups, skilled, resident, published, django_capture_on_commit_callbacks
):
    from kontakt.live import bus

    sent = published
    agent = skilled["agent"]
    ready(agent, seconds_ago=60)  # an event older than the agent's state changes nothing
    phone = resident.phones.first().number
    with django_capture_on_commit_callbacks(execute=True):
        events(
            exchange_client,
            now_event("c1", "queued", 20, answer_group="avfall", caller=phone),
            now_event("c1", "ringing", 15, agent=agent.username),
            now_event("c1", "answered", 10, agent=agent.username),
        )
    presence = Presence.objects.get(agent=agent)
    assert (presence.state, presence.call_id) == ("busy", pbx("c1"))
    pops = [m for t, m in sent if t == bus.user_topic(agent.pk) and m["type"] == "screen_pop"]
    assert len(pops) == 1
    assert pops[0]["resident"] == {"id": resident.pk, "name": resident.name}
    assert pops[0]["url"] == f"/desk/?resident={resident.pk}&call={quote(pbx('c1'), safe='')}"
    with django_capture_on_commit_callbacks(execute=True):
        events(exchange_client, now_event("c1", "ended", 0))
    presence.refresh_from_db()
    assert presence.state == "wrap_up"
    assert presence.until is not None
    assert 29 <= (presence.until - timezone.now()).total_seconds() <= 31
    # After the wrap-up the agent is ready again by themselves.
    later = presence.until + timedelta(seconds=1)
    assert selectors.effective_state(presence, now=later) == "ready"
    states = list(PresenceChange.objects.filter(agent=agent).values_list("state", flat=True))
    assert states == ["ready", "offered", "busy", "wrap_up"]


def test_an_unknown_caller_pops_a_new_resident_form(
    exchange_client, groups, skilled, published, django_capture_on_commit_callbacks
):
    ready(skilled["agent"], seconds_ago=60)
    with django_capture_on_commit_callbacks(execute=True):
        events(
            exchange_client,
            now_event("c7", "queued", 20, answer_group="avfall", caller="+46701740677"),
            now_event("c7", "answered", 10, agent=skilled["agent"].username),
        )
    pop = next(m for _topic, m in published if m["type"] == "screen_pop")
    assert pop["resident"] is None
    assert pop["url"] == "/residents/new/?phone=%2B46701740677&call=" + quote(pbx("c7"), safe="")


def test_an_agent_sets_their_state(client_for, agent, handler):
    web = client_for(agent)
    response = web.post(
        "/telephony/state/set/", {"state": "paused", "reason": ""}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == ["Give the reason for the pause."]
    response = web.post(
        "/telephony/state/set/",
        {"state": "paused", "reason": "Lunch"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == "paused" and response.json()["reason"] == "Lunch"
    assert web.get("/telephony/state/").json()["state"] == "paused"
    assert client_for(handler).get("/telephony/state/").status_code == 403


def test_a_busy_agent_cannot_go_ready(exchange_client, groups, skilled):
    agent = skilled["agent"]
    ready(agent, seconds_ago=60)
    events(
        exchange_client, now_event("c1", "answered", 1, agent=agent.username, answer_group="avfall")
    )
    with pytest.raises(Exception, match="Finish the call first"):
        services.presence_change(agent=agent, state="paused", reason="x", by=agent)


def test_the_menu_follows_opening_hours_and_crisis(
    exchange_client, number, supervisor, monkeypatch
):
    # Open around the clock for this test.
    for day in range(7):
        OpeningHours.objects.create(weekday=day, opens="00:00", closes="23:59:59")
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(
        "kontakt.telephony.selectors.ivr.business_hours.is_open", lambda at, hours: True
    )
    menu = exchange_client.get("/api/v1/telephony/numbers/+46406280400/menu").json()
    assert menu["open"] and not menu["crisis"]
    assert menu["greeting"] == "Välkommen till Sjöstad kommun."
    assert [o["digit"] for o in menu["options"]] == ["1", "2", "9"]
    services.crisis_switch_on(
        message="Storm: avfallshämtningen är inställd.", article=None, by=supervisor
    )
    menu = exchange_client.get("/api/v1/telephony/numbers/+46406280400/menu").json()
    assert menu["crisis"] and menu["greeting"] == "Storm: avfallshämtningen är inställd."
    services.crisis_switch_off(by=supervisor)
    menu = exchange_client.get("/api/v1/telephony/numbers/+46406280400/menu").json()
    assert menu["greeting"] == "Välkommen till Sjöstad kommun."
    monkeypatch.setattr(
        "kontakt.telephony.selectors.ivr.business_hours.is_open", lambda at, hours: False
    )
    menu = exchange_client.get("/api/v1/telephony/numbers/+46406280400/menu").json()
    assert (menu["open"], menu["greeting"], menu["options"]) == (False, "Vi har stängt.", [])
    assert exchange_client.get("/api/v1/telephony/numbers/+4600000/menu").status_code == 404


def test_a_callback_keeps_its_place_and_goes_to_the_next_free_agent(
    exchange_client, groups, skilled, client_for, django_capture_on_commit_callbacks
):
    from kontakt.telephony.models import QueuedContact

    # c1 waited from 120 s ago and asked for a callback; c2 came later and still waits.
    events(
        exchange_client,
        now_event("c1", "queued", 120, answer_group="avfall", caller="+46701740677"),
        now_event("c1", "callback_requested", 60),
        now_event("c2", "queued", 90, answer_group="avfall"),
    )
    queued = QueuedContact.objects.get()
    assert (queued.callback, queued.state, queued.reference) == (True, "waiting", pbx("c1"))
    agent = skilled["agent"]
    with django_capture_on_commit_callbacks(execute=True):
        ready(agent)
    queued.refresh_from_db()
    # The callback was first in line: it goes to the agent, not the later call.
    assert (queued.state, queued.agent) == ("assigned", agent)
    presence = Presence.objects.get(agent=agent)
    assert (presence.state, presence.reason, presence.call_id) == ("busy", "callback", pbx("c1"))
    assert offer(exchange_client, call_id="c2", answer_group="avfall")["action"] == "queue"
    desk = client_for(agent).get("/desk/").content.decode()
    assert "+46701740677" in desk and "Call back" in desk
    # Logging a contact about the call finishes the callback; wrap-up follows.
    response = client_for(agent).post(
        "/desk/contacts/",
        {"channel": "phone", "outcome": "closed", "priority": "2", "call": pbx("c1")},
    )
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.state == "done"
    presence.refresh_from_db()
    assert presence.state == "wrap_up"


def test_chats_and_e_mails_go_by_the_same_rules_with_a_capacity(
    exchange_client, groups, skilled, api_client_for, administrator
):
    agent = skilled["agent"]
    ready(agent)

    def chat(reference: str, channel: str = "chat") -> dict:
        response = exchange_client.post(
            "/api/v1/routing/contacts",
            json.dumps(
                {
                    "channel": channel,
                    "reference": reference,
                    "answer_group": "avfall",
                    "subject": "Soptunnan",
                    "url": "https://chat.example/1",
                }
            ),
            content_type="application/json",
        )
        assert response.status_code in (200, 201), response.content
        return response.json()

    # Three chats at once, then the fourth waits; e-mails have their own capacity.
    assert [chat(f"k{i}")["state"] for i in range(4)] == ["assigned"] * 3 + ["waiting"]
    assert chat("k0")["state"] == "assigned"  # posted again: the same contact
    assert chat("m1", "email")["state"] == "assigned"
    # An agent holding chats takes no call.
    assert offer(exchange_client, call_id="c1", answer_group="avfall")["action"] == "queue"
    done = exchange_client.post(
        "/api/v1/routing/contacts/chat/k1/done", "{}", content_type="application/json"
    )
    assert done.json()["state"] == "done"
    # The waiting chat gets the freed place.
    again = chat("k3")
    assert again["state"] == "assigned" and again["agent"]["username"] == agent.username
    refused = exchange_client.post(
        "/api/v1/routing/contacts",
        json.dumps({"channel": "fax", "reference": "x", "answer_group": "avfall"}),
        content_type="application/json",
    )
    assert refused.status_code == 400 and "channel" in refused.json()["errors"]


def test_without_opening_hours_the_menu_is_open(exchange_client, number):
    menu = exchange_client.get("/api/v1/telephony/numbers/+46406280400/menu")
    assert menu.status_code == 200
    assert menu.json()["open"] and menu.json()["next_opening"] is None


def test_a_contact_about_another_agents_callback_leaves_it_theirs(
    exchange_client, groups, skilled, client_for
):
    from kontakt.telephony.models import QueuedContact

    events(
        exchange_client,
        now_event("c1", "queued", 120, answer_group="avfall", caller="+46701740677"),
        now_event("c1", "callback_requested", 60),
    )
    ready(skilled["agent"])
    queued = QueuedContact.objects.get()
    assert queued.agent == skilled["agent"]
    response = client_for(skilled["second_line"]).post(
        "/desk/contacts/",
        {"channel": "phone", "outcome": "closed", "priority": "2", "call": pbx("c1")},
    )
    assert response.status_code == 302  # the contact is logged, not refused after the fact
    queued.refresh_from_db()
    assert (queued.state, queued.agent) == ("assigned", skilled["agent"])


def test_a_live_bus_that_is_down_fails_no_request(
    exchange_client,
    groups,
    skilled,
    client_for,
    broken_bus,
    caplog,
    django_capture_on_commit_callbacks,
):
    from kontakt.telephony.models import Call

    agent = skilled["agent"]
    caplog.set_level(logging.ERROR, logger="kontakt.live.bus")
    with django_capture_on_commit_callbacks(execute=True) as pushes:
        response = client_for(agent).post(
            "/telephony/state/set/", {"state": "ready"}, HTTP_ACCEPT="application/json"
        )
    assert response.status_code == 200 and response.json()["state"] == "ready"
    with django_capture_on_commit_callbacks(execute=True) as more:
        events(
            exchange_client,
            now_event("c1", "queued", 20, answer_group="avfall"),
            now_event("c1", "answered", 10, agent=agent.username),
        )
    pushes += more
    # Stored: the agent's state and the call, though no push went out.
    assert Presence.objects.get(agent=agent).state == "busy"
    assert Call.objects.get(call_id=pbx("c1")).state == "talking"
    # Each push (ready; busy and the screen-pop) failed once and was logged, not raised.
    failures = [r for r in caplog.records if r.name == "kontakt.live.bus"]
    assert len(pushes) == len(failures) == 3
    assert all("not delivered" in r.getMessage() and r.exc_info for r in failures)


def test_an_agents_skills_are_edited_on_their_user_page(client_for, administrator, agent):
    page = client_for(administrator).get(f"/admin/accounts/user/{agent.pk}/change/")
    assert page.status_code == 200
    assert 'name="skills-TOTAL_FORMS"' in page.content.decode()


def test_a_batch_of_contacts_is_routed_once_at_its_end(
    groups, skilled, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = skilled["agent"]
    ready(agent)
    rounds = []
    real_state = selectors.routing_state

    def counted(**kwargs):
        rounds.append(1)
        return real_state(**kwargs)

    monkeypatch.setattr(selectors, "routing_state", counted)

    def queue(reference: str):
        queued, _created = services.queued_contact_add(
            draft=services.WorkDraft(
                channel="email", reference=reference, answer_group=groups["avfall"]
            )
        )
        return queued

    with services.routing_batch():
        held = [queue(f"m{i}") for i in range(3)]
        # Nothing routed inside the batch ...
        assert {q.state for q in held} == {"waiting"} and rounds == []
    # ... and all of it in one round at its end.
    assert rounds == [1]
    assert {q.state for q in selectors.work_of(agent)} == {"assigned"}
    assert len(selectors.work_of(agent)) == 3


def test_without_anyone_ready_a_round_reads_nothing(
    groups, skilled, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounds = []
    monkeypatch.setattr(selectors, "routing_state", lambda **kwargs: rounds.append(1))
    queued, _created = services.queued_contact_add(
        draft=services.WorkDraft(channel="chat", reference="k1", answer_group=groups["avfall"])
    )
    assert queued.state == "waiting" and rounds == []


def test_an_agent_ready_again_by_time_gets_the_waiting_chat_on_the_next_round(
    groups, skilled
) -> None:
    from kontakt.core.presence import AgentState
    from kontakt.telephony.services.presence import _presence_of, _presence_set
    from kontakt.telephony.tasks import routing_round
    from kontakt.web.periodic import periodic_tasks

    agent = skilled["agent"]
    then = timezone.now() - timedelta(seconds=30)
    presence = _presence_of(agent, now=then)
    # Half a minute ago, in a wrap-up that ran out a moment ago: the chat queued then waited.
    _presence_set(
        presence,
        state=AgentState.WRAP_UP,
        at=then,
        until=timezone.now() - timedelta(seconds=1),
    )
    queued, _created = services.queued_contact_add(
        draft=services.WorkDraft(channel="chat", reference="k1", answer_group=groups["avfall"]),
        now=then,
    )
    assert queued.state == "waiting"
    # The wrap-up runs out with no event; the scheduler's round hands the chat out.
    assert "kontakt.telephony.tasks.routing_round" in {e.name for e in periodic_tasks()}
    assert routing_round.call() == 1
    queued.refresh_from_db()
    assert queued.state == "assigned" and queued.agent == agent
