"""The simulated exchange: its plan of calls is the seed's, and run against a real Kontakt
(the live server) its calls go through the IVR, queue, ring agents, are answered and end,
and none is left waiting when it stops."""

import http.server
import itertools
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.services import roles_sync
from kontakt.accounts.tests.factories import UserFactory
from kontakt.core.call_events import OPEN_STATES, CallState
from kontakt.demo.exchange_simulator import (
    FICTION_NUMBERS,
    CallPlanner,
    Counts,
    ExchangeSimulator,
    KontaktApi,
    PlannedCall,
    choose_digit,
)
from kontakt.demo.exchange_simulator import (
    Answer as KontaktApiAnswer,
)
from kontakt.demo.management.commands.exchange_simulate import menu_options_of
from kontakt.directory.models import AnswerGroup, OpeningHours
from kontakt.directory.selectors import opening_hours_changed
from kontakt.residents.tests.factories import ResidentFactory
from kontakt.telephony import services
from kontakt.telephony.models import (
    AgentSkill,
    Call,
    CallEvent,
    MenuOption,
    PhoneNumber,
    Presence,
    PresenceChange,
    RoutingSettings,
)

TZ = ZoneInfo("Europe/Stockholm")
NUMBER = "+46406280400"
RESIDENT_PHONE = "+46701234567"
SPEED = 60
SHAPE = {9: 0.5, 10: 0.5}


def planner(seed: int = 1, **overrides: object) -> CallPlanner:
    options: dict = {
        "seed": seed,
        "start": datetime(2026, 3, 2, 8, 0, tzinfo=TZ),
        "hourly_share": SHAPE,
        "calls_per_day": 1000,
        "callers": [RESIDENT_PHONE],
        "run_id": "t",
    }
    options.update(overrides)
    return CallPlanner(**options)


def planned(calls: CallPlanner, count: int) -> list[PlannedCall]:
    return list(itertools.islice(calls, count))


# The plan, without a server ----------------------------------------------------------------


def test_the_same_seed_plans_the_same_calls_and_digits():
    options = ["1", "2", "9"]
    plans = planned(planner(seed=7), 60)
    again = planned(planner(seed=7), 60)
    assert plans == again
    digits = [choose_digit(options, p.choice) for p in plans]
    assert digits == [choose_digit(options, p.choice) for p in again]
    other = planned(planner(seed=8), 60)
    assert [p.arrives for p in other] != [p.arrives for p in plans]
    assert [p.call_id for p in plans[:3]] == ["t-00001", "t-00002", "t-00003"]
    assert all(b.arrives > a.arrives for a, b in itertools.pairwise(plans))
    # Every digit and none are chosen; the first option most often.
    seen = Counter(digits)
    assert set(seen) == {"1", "2", "9", ""}
    assert seen["1"] > seen["2"] > seen[""]


def test_arrivals_follow_the_hour_of_the_day():
    """1,000 calls a day, half of them 9–10 and half 10–11: ~500 an hour then (Poisson, so
    within 4σ ≈ 90), and the floor of 6 an hour before 9 and after 11."""
    hours = Counter()
    for plan in planner(seed=3):
        if plan.arrives > 5 * 3600:
            break
        hours[8 + int(plan.arrives // 3600)] += 1
    assert 410 <= hours[9] <= 590
    assert 410 <= hours[10] <= 590
    assert hours[8] <= 20
    assert hours[11] + hours[12] <= 40


def test_a_flat_rate_overrides_the_day():
    plans = planned(planner(seed=4, calls_per_hour=3600), 400)
    mean_gap = plans[-1].arrives / len(plans)
    assert 0.85 <= mean_gap <= 1.15


@pytest.mark.parametrize(
    ("options", "choice", "digit"),
    [
        # weights 1, 1/2 of the 90 % who press a digit: 1 below 0.6, 2 below 0.9
        (["1", "2"], 0.0, "1"),
        (["1", "2"], 0.59, "1"),
        (["1", "2"], 0.61, "2"),
        (["1", "2"], 0.89, "2"),
        (["1", "2"], 0.91, ""),
        ([], 0.1, ""),
        (["5"], 0.5, "5"),
    ],
)
def test_choose_digit(options, choice, digit):
    assert choose_digit(options, choice) == digit


def test_weights_choose_the_digit():
    assert choose_digit(["1", "2"], 0.1, weights={"1": 0, "2": 1}) == "2"


def test_callers_are_residents_or_fictional():
    plans = planned(planner(seed=5), 500)
    known = sum(p.caller == RESIDENT_PHONE for p in plans)
    assert 0.5 <= known / len(plans) <= 0.7
    assert all(p.caller in FICTION_NUMBERS for p in plans if p.caller != RESIDENT_PHONE)
    assert FICTION_NUMBERS[0] == "+46701740605"
    assert FICTION_NUMBERS[-1] == "+46701740699"


# Kontakt's API client, against a stand-in server ----------------------------------------------


class Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first two requests, then 400 to /refuse and 200 to the rest."""

    protocol_version = "HTTP/1.1"
    seen: list[str] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(f"{self.path} {self.headers['Authorization']} {body.decode()}")
        status = 503 if len(self.seen) <= 2 else 400 if self.path == "/refuse" else 200
        answer = json.dumps({"n": len(self.seen)}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[str]:
    Flaky.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_api_client_tries_again_after_a_5xx_and_not_after_a_4xx(flaky, caplog):
    api = KontaktApi(flaky, "kx_test", backoff_seconds=0.01)
    answer = api.post("/events", {"a": 1})
    assert answer == KontaktApiAnswer(200, {"n": 3})
    assert Flaky.seen == ['/events Bearer kx_test {"a": 1}'] * 3
    refused = api.post("/refuse", {})
    assert refused is not None and refused.status == 400
    assert len(Flaky.seen) == 4
    assert '/refuse → 400 {"n": 4}' in caplog.text


def test_the_api_client_gives_up_without_raising_when_nobody_answers():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = KontaktApi(f"http://127.0.0.1:{port}", "kx_test", retries=2, backoff_seconds=0.01)
    assert api.post("/events", {}) is None
    assert "ConnectionRefusedError" in api.problem


# Against a real Kontakt ---------------------------------------------------------------------


@dataclass
class Center:
    url: str
    key: str
    simulated: list[User]
    desk: User
    supervisor: User


@pytest.fixture
def center(live_server) -> Center:
    """Two answer groups behind a menu, two agents the simulator plays and one at a desk
    who is ready, a supervisor, a resident who calls, an exchange's key; closed now."""
    # A flush between live-server tests may have removed the role groups.
    if Group.objects.filter(name__in=[r.value for r in Role]).count() < len(Role):
        roles_sync()
    groups = {}
    for code, name in [("avfall", "Avfall och vatten"), ("bygg", "Bygglov")]:
        groups[code] = AnswerGroup.objects.create(code=code, name=name)
        RoutingSettings.objects.create(
            answer_group=groups[code], skill=code, wrap_up_seconds=1, callback_after_seconds=60
        )
    phone = PhoneNumber.objects.create(
        number=NUMBER,
        name="Kontaktcenter",
        greeting="Välkommen.",
        closed_message="Vi har stängt.",
        default_group=groups["avfall"],
    )
    MenuOption.objects.create(
        phone_number=phone, digit="1", label="Avfall", answer_group=groups["avfall"]
    )
    MenuOption.objects.create(
        phone_number=phone, digit="2", label="Bygg", answer_group=groups["bygg"]
    )
    simulated = [UserFactory.create(username=f"sim{n}", role=Role.AGENT) for n in (1, 2)]
    for agent in simulated:
        AgentSkill.objects.create(agent=agent, skill="avfall", proficiency=3)
        AgentSkill.objects.create(agent=agent, skill="bygg", proficiency=3)
    desk = UserFactory.create(username="desk", role=Role.AGENT)
    AgentSkill.objects.create(agent=desk, skill="avfall", proficiency=3)
    services.presence_change(agent=desk, state="ready", by=desk)
    ResidentFactory.create(name="Karin Lindqvist", phones=[RESIDENT_PHONE])
    # Open one minute a week, three days from today: closed now. (With no opening hours at
    # all the menu answers 500.)
    OpeningHours.objects.create(
        weekday=(datetime.now(TZ).weekday() + 3) % 7, opens=clock_time(8), closes=clock_time(8, 1)
    )
    opening_hours_changed()
    _exchange, key = services.exchange_create(name="simulator")
    return Center(
        url=live_server.url,
        key=key,
        simulated=simulated,
        desk=desk,
        supervisor=UserFactory.create(username="supervisor", role=Role.SUPERVISOR),
    )


def simulate(
    center: Center, *, until: Callable[[Counts], bool], seconds: float, **options: Any
) -> Counts:
    """Run the exchange in a thread for at least `seconds` and until `until(counts)` (12 s at
    most), stop it and wait until it has stopped.

    The test's thread leaves the database alone meanwhile: the live server shares its
    SQLite connection.
    """
    simulator = ExchangeSimulator(
        api=KontaktApi(center.url, center.key, backoff_seconds=0.05),
        number=NUMBER,
        planner=CallPlanner(
            seed=11,
            start=datetime.now(TZ),
            hourly_share={},
            calls_per_day=0,
            calls_per_hour=150,
            callers=[RESIDENT_PHONE],
            run_id="live",
        ),
        speed=SPEED,
        seed=11,
        tz=TZ,
        callback_hold_real_seconds=0,
        **options,
    )
    failures: list[BaseException] = []

    def run() -> None:
        try:
            simulator.run()
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    simulator.running.wait(timeout=10)
    started = time.monotonic()
    while thread.is_alive() and time.monotonic() - started < 12:
        if time.monotonic() - started >= seconds and until(simulator.counts):
            break
        time.sleep(0.1)
    simulator.stop()
    thread.join(timeout=20)
    assert not thread.is_alive(), "the simulator did not stop"
    if failures:
        raise failures[0]
    return simulator.counts


@pytest.mark.django_db(transaction=True)
def test_calls_flow_from_the_exchange_to_the_agents(center, api_client_for):
    before = datetime.now(TZ) - timedelta(seconds=1)
    counts = simulate(
        center,
        seconds=4,
        until=lambda counts: counts.offered >= 14 and counts.answered >= 6,
        agents=[a.username for a in center.simulated],
        ignore_closed=True,
        # Closed, the menu lists no digits: the exchange knows them, as the command reads them.
        menu_options=menu_options_of(NUMBER),
    )
    after = datetime.now(TZ) + timedelta(seconds=1)

    # Every event reached Kontakt once, under its own id.
    assert counts.lost == counts.duplicates == counts.refused == 0
    assert CallEvent.objects.count() == counts.events
    assert CallEvent.objects.values("event_id").distinct().count() == counts.events

    calls = Call.objects.all()
    assert calls.count() == counts.offered >= 12
    assert counts.queued >= 10
    assert not calls.filter(state__in=[s.value for s in OPEN_STATES]).exists()
    kinds = set(CallEvent.objects.values_list("type", flat=True))
    assert {"offered", "queued", "ringing", "answered", "ended", "abandoned"} <= kinds

    # The digit chose the group, as the menu says; some callers are the resident.
    menu = {"1": "avfall", "2": "bygg", "": "avfall"}
    queued = calls.exclude(queued_at=None)
    assert queued.count() == counts.queued
    assert all(menu[c.digit] == c.group_code for c in queued)
    assert {c.digit for c in queued} >= {"1", "2"}
    assert calls.filter(caller=RESIDENT_PHONE).exists()
    assert calls.exclude(caller=RESIDENT_PHONE).exists()

    # Answered by the simulated agents and by the one at the desk, whose phone picked up.
    answered = calls.filter(state=CallState.ANSWERED)
    assert answered.count() == counts.answered
    assert answered.filter(agent__in=center.simulated).exists()
    assert answered.filter(agent=center.desk).exists()
    for call in answered:
        rang = CallEvent.objects.filter(call_id=call.call_id, type="ringing").get()
        assert rang.agent == call.agent_name
        assert call.queued_at <= rang.at <= call.answered_at < call.ended_at

    # The simulated agents went round: ready, ringing, on a call, wrap-up; logged out at the end.
    for agent in center.simulated:
        states = list(PresenceChange.objects.filter(agent=agent).values_list("state", flat=True))
        assert states[0] == "ready"
        assert {"offered", "busy", "wrap_up"} <= set(states)
        assert states[-1] == "logged_out"
        assert Presence.objects.get(agent=agent).state == "logged_out"

    # The service level counts what the exchange did.
    response = api_client_for(center.supervisor).get(
        "/api/v1/stats/service-level", {"start": before.isoformat(), "end": after.isoformat()}
    )
    assert response.status_code == 200
    figures = response.json()
    assert figures["answered"] == counts.answered
    assert figures["offered"] + figures["short_abandoned"] + figures["callbacks"] == counts.queued
    assert figures["callbacks"] == counts.callbacks


@pytest.mark.django_db(transaction=True)
def test_a_closed_center_plays_its_message_and_queues_nobody(center):
    assert not OpeningHours.objects.filter(weekday=datetime.now(TZ).weekday()).exists()
    counts = simulate(center, seconds=2, until=lambda counts: counts.offered >= 4)

    assert counts.offered == counts.closed >= 4
    assert counts.queued == 0
    assert Call.objects.count() == counts.offered
    assert set(Call.objects.values_list("state", flat=True)) == {CallState.NOT_QUEUED}
    assert not CallEvent.objects.exclude(type__in=["offered", "ended"]).exists()
