"""The reliability load: agents at work and an exchange, as locust users.

Run by bench/reliability_load.py in locust's own throwaway venv (no Django here); what the
agents need to know (their names, password, residents, case types, search words, the
exchange's key) comes from the JSON file named by RELIABILITY_CONFIG, which
harness/reliability_side.py made.

An agent signs in, then with a few seconds between steps opens the desktop, searches
residents and knowledge articles, opens a resident on the desktop, logs a contact through
the desk's form or the API, and presses Ready or Pause (the presence API, with the session
and CSRF token as the desktop's buttons do). The exchange posts the calls of the center as
call events (offered, queued, ringing, answered, ended) every second, each event once. Every
answer other than the expected one is a failure.
"""

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta

from locust import HttpUser, between, constant, task

with open(os.environ["RELIABILITY_CONFIG"], encoding="utf-8") as config_file:
    CONFIG = json.load(config_file)
NUMBERS = itertools.count()


def _expect(response, *statuses: int) -> None:  # type: ignore[no-untyped-def]
    if response.status_code not in statuses:
        response.failure(f"{response.status_code}: {response.text[:200]!r}")
    else:
        response.success()


class Agent(HttpUser):
    weight = 100
    wait_time = between(2, 8)

    def on_start(self) -> None:
        self.username = CONFIG["agents"][next(NUMBERS) % len(CONFIG["agents"])]
        self.rng = random.Random(self.username)
        self.client.get("/login/", name="GET /login/")
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": CONFIG["password"],
                "csrfmiddlewaretoken": self._csrf(),
            },
            allow_redirects=False,
            name="POST /login/",
            catch_response=True,
        ) as response:
            _expect(response, 302)

    def _csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def _resident(self) -> tuple[int, str]:
        pk, name = self.rng.choice(CONFIG["residents"])
        return int(pk), str(name)

    @task(4)
    def desktop(self) -> None:
        with self.client.get("/desk/", name="GET /desk/", catch_response=True) as response:
            _expect(response, 200)

    @task(3)
    def search_residents(self) -> None:
        _pk, name = self._resident()
        query = name.split()[-1]
        with self.client.get(
            "/desk/", params={"q": query}, name="GET /desk/?q=[resident]", catch_response=True
        ) as response:
            _expect(response, 200)

    @task(2)
    def open_resident(self) -> None:
        pk, _name = self._resident()
        with self.client.get(
            "/desk/", params={"resident": pk}, name="GET /desk/?resident=[id]",
            catch_response=True,
        ) as response:  # fmt: skip
            _expect(response, 200)

    @task(3)
    def search_articles(self) -> None:
        word = self.rng.choice(CONFIG["words"])
        with self.client.get(
            "/knowledge/", params={"q": word}, name="GET /knowledge/?q=[word]",
            catch_response=True,
        ) as response:  # fmt: skip
            _expect(response, 200)

    @task(1)
    def log_contact_on_desk(self) -> None:
        pk, _name = self._resident()
        _code, case_type = self.rng.choice(CONFIG["case_types"])
        with self.client.post(
            "/desk/contacts/",
            data={
                "csrfmiddlewaretoken": self._csrf(),
                "channel": "phone",
                "case_type": case_type,
                "summary": f"Load test contact {uuid.uuid4()}",
                "outcome": "closed",
                "priority": "2",
                "resident": str(pk),
            },
            allow_redirects=False,
            name="POST /desk/contacts/",
            catch_response=True,
        ) as response:
            _expect(response, 302)

    @task(1)
    def log_contact_by_api(self) -> None:
        pk, _name = self._resident()
        code, _case_type = self.rng.choice(CONFIG["case_types"])
        with self.client.post(
            "/api/v1/contacts",
            json={
                "channel": self.rng.choice(["phone", "email", "chat"]),
                "outcome": "closed",
                "summary": f"Load test contact {uuid.uuid4()}",
                "resident_id": pk,
                "case_type": code,
            },
            headers={"X-CSRFToken": self._csrf()},
            name="POST /api/v1/contacts",
            catch_response=True,
        ) as response:
            _expect(response, 201)

    @task(1)
    def presence(self) -> None:
        body = self.rng.choice([{"state": "ready"}, {"state": "paused", "reason": "Lunch"}])
        with self.client.post(
            "/api/v1/agents/me/state",
            json=body,
            headers={"X-CSRFToken": self._csrf()},
            name="POST /api/v1/agents/me/state",
            catch_response=True,
        ) as response:
            _expect(response, 200)


class Exchange(HttpUser):
    """The center's telephone exchange: a few calls' events every second."""

    fixed_count = 1
    wait_time = constant(1)

    def on_start(self) -> None:
        self.rng = random.Random(2026)
        self.calls = itertools.count()
        self.prefix = uuid.uuid4().hex[:8]

    @task
    def post_events(self) -> None:
        now = datetime.now(UTC)
        events = []
        for _ in range(3):
            call = f"load-{self.prefix}-{next(self.calls):06d}"
            group = self.rng.choice(CONFIG["groups"])
            agent = self.rng.choice(CONFIG["agents"])
            caller = f"+4670{self.rng.randrange(10**7):07d}"
            steps = [("offered", 0), ("queued", 15), ("ringing", 40), ("answered", 45),
                     ("ended", 200)]  # fmt: skip
            for n, (kind, offset) in enumerate(steps, start=1):
                event = {
                    "event_id": f"{call}-{n}",
                    "call_id": call,
                    "type": kind,
                    "at": (now - timedelta(seconds=300 - offset)).isoformat(),
                    "number": "+46406280400",
                    "caller": caller,
                }
                if kind != "offered":
                    event["answer_group"] = group
                if kind in {"ringing", "answered", "ended"}:
                    event["agent"] = agent
                events.append(event)
        with self.client.post(
            "/api/v1/telephony/events",
            json={"events": events},
            headers={"Authorization": f"Bearer {CONFIG['key']}"},
            name="POST /api/v1/telephony/events",
            catch_response=True,
        ) as response:
            _expect(response, 200, 201)
