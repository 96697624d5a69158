"""A simulated telephone exchange: callers ring a number, listen to its menu, choose a digit,
wait in the queue, are routed to agents whose phones answer, talk and hang up, all through
Kontakt's HTTP API, as a real exchange integration does.

Standard library only (no Django), so it runs wherever Kontakt's API can be reached. The
plan of calls (arrivals, callers, digits, patience, talk times) comes from one seeded random
generator, whatever Kontakt answers; the simulated times are divided by the speed, and every
event carries the real time it happened at.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import json
import logging
import math
import random
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)

# PTS keeps 070-174 06 05 … 070-174 06 99 for fiction: no real subscriber has these.
FICTION_NUMBERS = tuple(f"+467017406{n:02d}" for n in range(5, 100))

# The callers and agents, in simulated seconds.
IVR_SECONDS = (4.0, 12.0)  # listening to the greeting (or closed message), pressing a digit
NO_DIGIT_SHARE = 0.1  # callers who press nothing and go to the number's default group
PATIENCE_MEAN_SECONDS = 120.0  # exponential: past it the caller hangs up
SHORT_ABANDON_SHARE = 0.05  # callers who hang up within a few seconds of queueing
SHORT_ABANDON_SECONDS = (1.0, 4.5)
ANSWER_SECONDS = (2.0, 6.0)  # a simulated agent's phone rings this long before they answer
OTHER_AGENT_ANSWER_SECONDS = 3.0  # the desk phone of an agent the simulator does not play
TALK_MEAN_SECONDS = 150.0  # lognormal
TALK_SIGMA = 0.6
TALK_MIN_SECONDS = 20.0
TRANSFER_SHARE = 0.05  # of answered calls
TRANSFER_RETURN_SHARE = 0.2  # of transferred calls
TRANSFER_AWAY_SECONDS = 30.0  # a returned transfer is back after this long
CALLBACK_SHARE = 0.3  # of callers offered a callback
CALLBACK_DECIDE_SECONDS = 5.0  # hearing the offer and pressing its key
# Kontakt queues a callback and hands it to an agent, who is busy with it until it is done;
# the exchange cannot tell which agent has it, so it closes each callback after this long
# (phoned back), and never sooner than the real seconds given to the simulator (default
# 30), so a person at a desk has time to phone back and log it themselves.
CALLBACK_HANDLE_SECONDS = 240.0
POLL_SECONDS = 1.0  # how often a waiting call asks routing again
# Never more often than this in real time: at a high speed a handful of waiting calls
# would otherwise ask the server hundreds of times a second.
MIN_POLL_REAL_SECONDS = 0.2
BREAK_EVERY_MEAN_SECONDS = 1800.0  # exponential, per simulated agent
BREAK_SECONDS = (180.0, 600.0)
BREAK_REASON = "Break"
REPORT_EVERY_SECONDS = 60.0
# Outside the shape's hours (or in a quiet one) calls still come, so a demo shows something.
FLOOR_CALLS_PER_HOUR = 6.0
# The switchboard (Oslo's shares, seed 000): what becomes of a transfer to a person and of a
# call to a direct number. A transfer nobody answers comes back after the ring time.
TRANSFER_OUTCOMES = {"answered": 0.81, "no_answer": 0.11, "busy": 0.08}
DIRECT_OUTCOMES = {"answered": 0.86, "no_answer": 0.11, "busy": 0.03}
STAYS_ON_SHARE = 0.8  # callers to an absent person who stay on for the switchboard
RING_SECONDS = 20.0
SWITCHBOARD_TRANSFER_SHARE = 0.85  # of the calls a simulated operator answers
COMMANDS_POLL_SECONDS = 1.0  # real seconds, as the protocol asks
# A call a person at the console answered waits for them this long (real seconds at least)
# before the caller hangs up: they search, transfer, take a message.
HUMAN_HOLD_SECONDS = 300.0
MAX_BATCH = 1000
# Without quick ACKs (Linux only) a reused connection is slower than a new one per request
# against servers that write a response in pieces; see KontaktApi._send.
KEEP_ALIVE = hasattr(socket, "TCP_QUICKACK")


class SimulatorError(Exception):
    """The simulator cannot start: Kontakt is unreachable, refuses the token, or lacks the
    number."""


# The plan of calls -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedCall:
    """One caller to come and how they will behave, decided before the call starts."""

    call_id: str
    arrives: float  # simulated seconds after the start
    caller: str
    choice: float  # where the caller's digit falls among the menu's weights, in [0, 1)
    ivr_seconds: float
    patience_seconds: float
    answer_seconds: float
    talk_seconds: float
    transfer: bool
    transfer_returns: bool
    takes_callback: bool


def choose_digit(
    options: Sequence[str], choice: float, *, weights: Mapping[str, float] | None = None
) -> str:
    """The digit a caller presses among the menu's, or "" for none (the default group).

    Without weights the first option is the most popular (weights 1, 1/2, 1/3, …), and
    `NO_DIGIT_SHARE` of callers press nothing.
    """
    if not options or choice >= 1 - NO_DIGIT_SHARE:
        return ""
    given = [max(0.0, (weights or {}).get(d, 1 / (i + 1))) for i, d in enumerate(options)]
    total = sum(given)
    if total <= 0:
        return ""
    point = choice / (1 - NO_DIGIT_SHARE) * total
    for digit, weight in zip(options, given, strict=True):
        if point < weight:
            return digit
        point -= weight
    return options[-1]


class CallPlanner:
    """The calls to come, one after the other: a Poisson stream whose rate follows the hour
    of the simulated day (calls a day × the hour's share), or a flat rate given per hour."""

    def __init__(
        self,
        *,
        seed: int,
        start: datetime,
        hourly_share: Mapping[int, float],
        calls_per_day: float,
        calls_per_hour: float | None = None,
        callers: Sequence[str] = (),
        known_caller_share: float = 0.6,
        run_id: str = "sim",
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("The start must be timezone-aware.")
        self._rng = random.Random(seed)
        self._start = start
        self._tz = start.tzinfo
        self._shape = dict(hourly_share)
        self._per_day = calls_per_day
        self._per_hour = calls_per_hour
        self._callers = list(callers)
        self._known_share = known_caller_share if self._callers else 0.0
        self._run_id = run_id
        self._t = 0.0
        self._count = 0

    def calls_per_hour_at(self, seconds: float) -> float:
        """The arrival rate `seconds` (simulated) after the start."""
        if self._per_hour is not None:
            return max(self._per_hour, 0.0)
        hour = self._local(seconds).hour
        return max(self._per_day * self._shape.get(hour, 0.0), FLOOR_CALLS_PER_HOUR)

    def _local(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(self._start.timestamp() + seconds, tz=self._tz)

    def _next_arrival(self) -> float:
        # The rate is constant within an hour; exponential gaps are memoryless, so a gap that
        # crosses the hour starts again from the hour with the new rate.
        t = self._t
        while True:
            rate = self.calls_per_hour_at(t) / 3600
            local = self._local(t)
            into_hour = local.minute * 60 + local.second + local.microsecond / 1e6
            to_boundary = 3600 - into_hour
            if rate <= 0:
                if self._per_hour is not None:
                    return math.inf
                t += to_boundary
                continue
            gap = self._rng.expovariate(rate)
            if self._per_hour is not None or gap < to_boundary:
                return t + gap
            t += to_boundary

    def __iter__(self) -> Iterator[PlannedCall]:
        return self

    def __next__(self) -> PlannedCall:
        rng = self._rng
        self._t = self._next_arrival()
        self._count += 1
        if self._callers and rng.random() < self._known_share:
            caller = rng.choice(self._callers)
        else:
            caller = rng.choice(FICTION_NUMBERS)
        if rng.random() < SHORT_ABANDON_SHARE:
            patience = rng.uniform(*SHORT_ABANDON_SECONDS)
        else:
            patience = rng.expovariate(1 / PATIENCE_MEAN_SECONDS)
        mu = math.log(TALK_MEAN_SECONDS) - TALK_SIGMA**2 / 2
        transfer = rng.random() < TRANSFER_SHARE
        return PlannedCall(
            call_id=f"{self._run_id}-{self._count:05d}",
            arrives=self._t,
            caller=caller,
            choice=rng.random(),
            ivr_seconds=rng.uniform(*IVR_SECONDS),
            patience_seconds=patience,
            answer_seconds=rng.uniform(*ANSWER_SECONDS),
            talk_seconds=max(TALK_MIN_SECONDS, rng.lognormvariate(mu, TALK_SIGMA)),
            transfer=transfer,
            transfer_returns=transfer and rng.random() < TRANSFER_RETURN_SHARE,
            takes_callback=rng.random() < CALLBACK_SHARE,
        )


# Kontakt's API -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """Kontakt's answer to one request: its status and its JSON (or text)."""

    status: int
    data: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class KontaktApi:
    """Kontakt's API over one keep-alive connection; what may succeed later (a 5xx, a
    refused connection) is tried again with a growing pause, a 4xx is logged with its
    body."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SimulatorError(f"Give Kontakt's address as http(s)://host[:port], not {url!r}.")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._base = parts.path.rstrip("/")
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "kontakt-exchange-simulator",
        }
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._connection: http.client.HTTPConnection | None = None
        self.problem = ""  # why the last request that gave up failed

    def get(self, path: str) -> Answer | None:
        return self.request("GET", path)

    def post(self, path: str, body: Any) -> Answer | None:
        return self.request("POST", path, body)

    def request(self, method: str, path: str, body: Any = None) -> Answer | None:
        """The answer, or None when Kontakt could not be reached or kept failing."""
        payload = None if body is None else json.dumps(body).encode()
        problem = ""
        for attempt in range(self._retries + 1):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                status, text = self._send(method, self._base + path, payload)
            except (OSError, http.client.HTTPException) as error:
                self.close()
                problem = f"{type(error).__name__}: {error}"
                continue
            answer = Answer(status, _json_or_text(text))
            if status >= 500:
                problem = f"{status} {text[:300]}"
                continue
            if status >= 400:
                log.warning("%s %s → %s %s", method, path, status, text[:1000])
            return answer
        log.error("%s %s failed %d times, giving up: %s", method, path, attempt + 1, problem)
        self.problem = problem
        return None

    def _send(self, method: str, path: str, payload: bytes | None) -> tuple[int, str]:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._connection = kind(self._host, self._port, timeout=self._timeout)
        connection = self._connection
        headers = self._headers if KEEP_ALIVE else {**self._headers, "Connection": "close"}
        connection.request(method, path, body=payload, headers=headers)
        if KEEP_ALIVE and connection.sock is not None:
            # Servers that write the headers and the body apart (Django's runserver) wait
            # for our ACK of the first before sending the second (Nagle), and on a reused
            # connection Linux delays that ACK by up to 40 ms: ask for it at once.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        if response.will_close or not KEEP_ALIVE:
            self.close()
        return response.status, text

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


# The exchange ------------------------------------------------------------------------------


class Stage(StrEnum):
    IVR = "ivr"
    WAITING = "waiting"
    RINGING = "ringing"
    TALKING = "talking"
    TRANSFERRED = "transferred"
    DONE = "done"


@dataclass
class LiveCall:
    """A call in progress on the exchange."""

    plan: PlannedCall
    stage: Stage = Stage.IVR
    group: str = ""
    digit: str = ""
    agent: str = ""
    callback_offered: bool = False
    number: str = ""  # the number dialled: the center's, or a person's direct number
    transfers: int = 0
    events: Iterator[int] = field(default_factory=lambda: itertools.count(1))


@dataclass
class SimulatedAgent:
    """An agent whose phone the simulator plays: logs in, answers, takes breaks."""

    username: str
    call_id: str = ""  # the call their phone rings for or they talk on
    break_due: bool = False


@dataclass
class Counts:
    """What the exchange has done so far."""

    offered: int = 0
    closed: int = 0
    queued: int = 0
    answered: int = 0
    abandoned: int = 0
    callbacks: int = 0
    transferred: int = 0
    direct: int = 0
    direct_fallbacks: int = 0
    transfers_returned: int = 0
    commands: int = 0
    events: int = 0
    duplicates: int = 0
    refused: int = 0
    lost: int = 0

    def line(self, waiting: int) -> str:
        return (
            f"calls offered {self.offered}, closed {self.closed}, queued {self.queued}, "
            f"answered {self.answered}, abandoned {self.abandoned}, callbacks "
            f"{self.callbacks}, waiting now {waiting}"
        )


class ExchangeSimulator:
    """The exchange: one thread runs a heap of timed actions until `stop()` or the
    duration, then ends the calls in progress and logs its agents out."""

    def __init__(
        self,
        *,
        api: KontaktApi,
        number: str,
        planner: CallPlanner,
        agents: Sequence[str] = (),
        speed: float = 1.0,
        seed: int = 1,
        duration: float | None = None,
        ignore_closed: bool = False,
        digit_weights: Mapping[str, float] | None = None,
        menu_options: Mapping[str, str] | None = None,
        callback_hold_real_seconds: float = 30.0,
        switchboard_group: str = "",
        directory: Sequence[str] = (),
        direct_share: float = 0.0,
        never_answers: Sequence[str] = (),
        ring_seconds: float = RING_SECONDS,
        tz: tzinfo | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("The speed must be positive.")
        self.api = api
        self.number = number
        self.counts = Counts()
        self._planner = planner
        self._agents = {name: SimulatedAgent(name) for name in dict.fromkeys(agents) if name}
        self._speed = speed
        # Agents' breaks depend on what Kontakt answers, so they draw from their own
        # generator and leave the plan of calls as the seed made it.
        self._rng = random.Random(f"agents-{seed}")
        self._duration = duration
        self._ignore_closed = ignore_closed
        self._digit_weights = digit_weights
        # Digit → answer group, for when Kontakt's menu lists none: closed, and ignored.
        self._options = dict(menu_options or {})
        self._callback_hold = callback_hold_real_seconds
        self._callbacks: set[str] = set()  # requested and not yet closed
        self._tz = tz or datetime.now().astimezone().tzinfo
        self._clock = clock
        self._heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._order = itertools.count()
        self._calls: dict[str, LiveCall] = {}
        self._started = clock()
        self._stopping = False
        self._behind = 0.0  # the most an action ran late since the last report, in seconds
        self._wake = threading.Event()
        self.running = threading.Event()  # set once the agents are logged in
        self._menu_path = f"/api/v1/telephony/numbers/{urllib.parse.quote(number, safe='+')}/menu"
        # The switchboard: its answer group, the people's direct numbers, and whose phone
        # never answers; its choices draw from their own generator too.
        self._switchboard = switchboard_group
        self._directory = list(directory)
        self._direct_share = direct_share if self._directory and switchboard_group else 0.0
        self._never_answers = frozenset(never_answers)
        self._ring_seconds = ring_seconds
        self._sb_rng = random.Random(f"switchboard-{seed}")
        self._commands_seen: set[str] = set()
        self._commands_missing = False
        self._availability_missing = False

    # Running ------------------------------------------------------------------------------

    def check(self) -> dict[str, Any]:
        """The number's menu, or SimulatorError saying why the exchange cannot start."""
        answer = self.api.get(self._menu_path)
        if answer is None:
            raise SimulatorError(
                f"Kontakt did not answer the menu of {self.number}: {self.api.problem}"
            )
        if answer.status == 401:
            raise SimulatorError("Kontakt refused the token: create one with exchange_create.")
        if answer.status == 404:
            raise SimulatorError(f"Kontakt has no phone number {self.number}.")
        if not answer.ok or not isinstance(answer.data, dict):
            raise SimulatorError(f"Kontakt answered {answer.status}: {answer.data}")
        return answer.data

    def run(self) -> Counts:
        """Simulate until stopped; the calls in progress are ended before returning."""
        menu = self.check()
        log.info(
            "Exchange on %s (%s, %s) at %g× speed, agents: %s",
            self.number,
            menu.get("name", ""),
            "open" if menu.get("open") else "closed" + (", ignored" if self._ignore_closed else ""),
            self._speed,
            ", ".join(self._agents) or "none",
        )
        started = self._started = self._clock()
        for agent in list(self._agents.values()):
            self._agent_login(agent)
        self._plan_next_arrival()
        if self._switchboard:
            self._at(self._clock(), self._poll_commands)
        self._after(REPORT_EVERY_SECONDS, self._report)
        self.running.set()
        deadline = started + self._duration if self._duration is not None else math.inf
        try:
            while not self._stopping:
                now = self._clock()
                if now >= deadline:
                    break
                if self._heap and self._heap[0][0] <= now:
                    due, _order, action, args = heapq.heappop(self._heap)
                    self._behind = max(self._behind, now - due)
                    try:
                        action(*args)
                    except Exception:
                        log.exception("The exchange's action %s failed", action.__name__)
                    continue
                due = self._heap[0][0] if self._heap else now + 0.2
                self._wake.wait(max(0.0, min(due - now, deadline - now, 0.2)))
        finally:
            self._wind_down()
        return self.counts

    def stop(self) -> None:
        """Stop soon: the calls in progress are ended first (safe from another thread)."""
        self._stopping = True
        self._wake.set()

    def request_stop(self) -> None:
        """Stop soon, from a signal handler: only sets a flag, no lock is taken."""
        self._stopping = True

    @property
    def waiting(self) -> int:
        return sum(1 for c in self._calls.values() if c.stage == Stage.WAITING)

    def _after(
        self, seconds: float, action: Callable[..., None], *args: Any, min_real: float = 0.0
    ) -> None:
        """Run the action after `seconds` of simulated time."""
        self._at(self._clock() + max(seconds / self._speed, min_real), action, *args)

    def _at(self, due: float, action: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._heap, (due, next(self._order), action, args))

    def _report(self) -> None:
        behind = f" ({self._behind:.1f} s behind: Kontakt answers slowly)"
        log.info(self.counts.line(self.waiting) + (behind if self._behind >= 1 else ""))
        self._behind = 0.0
        self._after(REPORT_EVERY_SECONDS, self._report)

    def _wind_down(self) -> None:
        """Hang up what is in progress, so no phantom call waits, and log the agents out."""
        events = []
        for call in self._calls.values():
            if call.stage in (Stage.TALKING, Stage.TRANSFERRED):
                events.append(self._event(call, "ended", agent=call.agent))
            elif call.stage in (Stage.WAITING, Stage.RINGING):
                events.append(self._event(call, "abandoned", agent=call.agent))
                self.counts.abandoned += 1
            elif call.stage == Stage.IVR:
                events.append(self._event(call, "ended"))
            call.stage = Stage.DONE
        for start in range(0, len(events), MAX_BATCH):
            self._send({"events": events[start : start + MAX_BATCH]})
        self._calls.clear()
        for call_id in sorted(self._callbacks):
            self._callback_done(call_id)
        for agent in self._agents.values():
            self._agent_state(agent, "logged_out")
        log.info("Exchange stopped: %s", self.counts.line(0))
        self.api.close()

    # Calls --------------------------------------------------------------------------------

    def _plan_next_arrival(self) -> None:
        planned = next(self._planner)
        if math.isfinite(planned.arrives):
            self._at(self._started + planned.arrives / self._speed, self._arrive, planned)

    def _arrive(self, planned: PlannedCall) -> None:
        self._plan_next_arrival()
        call = LiveCall(planned, number=self.number)
        self._calls[planned.call_id] = call
        self.counts.offered += 1
        if self._direct_share and self._sb_rng.random() < self._direct_share:
            self._direct_call(call)
            return
        self._post(call, "offered", number=self.number, caller=planned.caller)
        answer = self.api.get(self._menu_path)
        menu = answer.data if answer is not None and answer.ok else None
        if not isinstance(menu, dict):
            # No menu, no queue: the caller hears a busy tone.
            self._finish(call, "ended")
            return
        if not menu.get("open") and not self._ignore_closed:
            self.counts.closed += 1
            self._after(planned.ivr_seconds, self._finish, call, "ended")
            return
        options = {o["digit"]: o["answer_group"] for o in menu.get("options") or []}
        if options:
            self._options = options
        else:
            options = self._options
        call.digit = choose_digit(list(options), planned.choice, weights=self._digit_weights)
        call.group = options.get(call.digit) or str(menu.get("default_answer_group", ""))
        self._after(planned.ivr_seconds, self._queue, call)

    def _queue(self, call: LiveCall) -> None:
        if call.stage != Stage.IVR:
            return
        call.stage = Stage.WAITING
        self.counts.queued += 1
        self._post(
            call,
            "queued",
            number=call.number,
            caller=call.plan.caller,
            answer_group=call.group,
            digit=call.digit,
        )
        self._after(call.plan.patience_seconds, self._give_up, call)
        self._ask_routing(call)

    def _ask_routing(self, call: LiveCall) -> None:
        if call.stage != Stage.WAITING:
            return
        answer = self.api.post(
            "/api/v1/routing/offers",
            {"call_id": call.plan.call_id, "answer_group": call.group, "caller": call.plan.caller},
        )
        if answer is not None and 400 <= answer.status < 500:
            self.counts.refused += 1
            return  # Kontakt will not route it: the caller waits until their patience ends.
        offer = answer.data if answer is not None and isinstance(answer.data, dict) else {}
        agent = offer.get("agent") or {}
        if offer.get("action") == "ring" and agent.get("username"):
            self._ring(call, agent["username"])
            return
        if offer.get("offer_callback") and not call.callback_offered:
            call.callback_offered = True
            if call.plan.takes_callback:
                self._after(CALLBACK_DECIDE_SECONDS, self._request_callback, call)
        self._after(POLL_SECONDS, self._ask_routing, call, min_real=MIN_POLL_REAL_SECONDS)

    def _ring(self, call: LiveCall, username: str) -> None:
        call.stage = Stage.RINGING
        call.agent = username
        simulated = self._agents.get(username)
        if simulated is not None:
            simulated.call_id = call.plan.call_id
        self._post(call, "ringing", agent=username)
        delay = call.plan.answer_seconds if simulated else OTHER_AGENT_ANSWER_SECONDS
        self._after(delay, self._answer, call)

    def _answer(self, call: LiveCall) -> None:
        if call.stage != Stage.RINGING:
            return
        call.stage = Stage.TALKING
        self.counts.answered += 1
        self._post(call, "answered", agent=call.agent)
        talk = call.plan.talk_seconds
        if self._switchboard and call.group == self._switchboard:
            self._switchboard_answered(call)
        elif call.plan.transfer:
            self._after(talk * 0.6, self._transfer, call)
        else:
            self._after(talk, self._end, call)

    def _transfer(self, call: LiveCall) -> None:
        if call.stage != Stage.TALKING:
            return
        call.stage = Stage.TRANSFERRED
        self.counts.transferred += 1
        self._post(call, "transferred", agent=call.agent)
        self._agent_free(call)
        rest = call.plan.talk_seconds * 0.4
        if call.plan.transfer_returns:
            self._after(TRANSFER_AWAY_SECONDS, self._transfer_return, call)
        else:
            self._after(rest, self._end, call)

    def _transfer_return(self, call: LiveCall) -> None:
        if call.stage != Stage.TRANSFERRED:
            return
        self._post(call, "transfer_returned", agent=call.agent)
        self._after(call.plan.talk_seconds * 0.4, self._end, call)

    # The switchboard -------------------------------------------------------------------------

    def _switchboard_answered(self, call: LiveCall) -> None:
        """A simulated operator puts most callers through to someone; a person at the
        console orders transfers by command, and the caller waits for them meanwhile."""
        if call.agent not in self._agents:
            self._after(HUMAN_HOLD_SECONDS, self._end, call, min_real=HUMAN_HOLD_SECONDS)
            return
        if self._directory and self._sb_rng.random() < SWITCHBOARD_TRANSFER_SHARE:
            target = self._sb_rng.choice(self._directory)
            self._after(
                call.plan.talk_seconds * 0.3, self._put_through, call, target, self._ring_seconds
            )
        else:
            self._after(call.plan.talk_seconds, self._end, call)

    def _put_through(self, call: LiveCall, target: str, ring_seconds: float) -> None:
        """Ring the person: answered, back after the ring time, or back at once (busy)."""
        if call.stage != Stage.TALKING:
            return
        call.stage = Stage.TRANSFERRED
        call.transfers += 1
        self.counts.transferred += 1
        self._post(call, "transfer_started", agent=call.agent, target=target)
        rng = self._sb_rng
        if target in self._never_answers:
            outcome = "no_answer"
        else:
            outcome = rng.choices(list(TRANSFER_OUTCOMES), list(TRANSFER_OUTCOMES.values()))[0]
        if outcome == "answered":
            self._after(
                rng.uniform(3.0, min(12.0, ring_seconds)), self._transfer_answered, call, target
            )
        elif outcome == "busy":
            self._after(1.0, self._transfer_back, call, target, "busy")
        else:
            self._after(ring_seconds, self._transfer_back, call, target, "no_answer")

    def _transfer_answered(self, call: LiveCall, target: str) -> None:
        if call.stage != Stage.TRANSFERRED:
            return
        self._post(call, "transfer_answered", target=target)
        self._agent_free(call)
        self._after(call.plan.talk_seconds, self._end, call)

    def _transfer_back(self, call: LiveCall, target: str, reason: str) -> None:
        """The call comes back to the operator who put it through."""
        if call.stage != Stage.TRANSFERRED:
            return
        call.stage = Stage.TALKING
        self.counts.transfers_returned += 1
        self._post(call, "transfer_returned", agent=call.agent, target=target, reason=reason)
        if call.agent not in self._agents:
            self._after(HUMAN_HOLD_SECONDS, self._end, call, min_real=HUMAN_HOLD_SECONDS)
        elif call.transfers < 2 and self._directory and self._sb_rng.random() < 0.3:
            target = self._sb_rng.choice(self._directory)  # someone else who may know
            self._after(20.0, self._put_through, call, target, self._ring_seconds)
        else:
            self._after(60.0, self._end, call)  # took a message

    def _poll_commands(self) -> None:
        """Fetch the operators' orders (transfers) from Kontakt and carry out the new ones."""
        if self._stopping:
            return
        answer = self.api.get("/api/v1/telephony/commands")
        again = COMMANDS_POLL_SECONDS
        if answer is not None and answer.status == 404:
            if not self._commands_missing:
                log.warning("Kontakt has no command endpoint: no transfers from the console.")
            self._commands_missing = True
            again = 30.0
        elif answer is not None and answer.ok and isinstance(answer.data, dict):
            for command in answer.data.get("commands") or []:
                self._command(command)
        self._at(self._clock() + again, self._poll_commands)

    def _command(self, command: Mapping[str, Any]) -> None:
        ident = str(command.get("id", ""))
        if not ident or ident in self._commands_seen or command.get("type") != "transfer":
            return
        call = self._calls.get(str(command.get("call_id", "")))
        target = str(command.get("target", ""))
        if call is None or call.stage != Stage.TALKING or not target:
            return  # not ours, or not yet back to the operator: delivered again later
        self._commands_seen.add(ident)
        self.counts.commands += 1
        try:
            ring = float(command.get("ring_seconds") or self._ring_seconds)
        except (TypeError, ValueError):
            ring = self._ring_seconds
        self._put_through(call, target, ring * self._speed)  # ring_seconds are real seconds

    def _direct_call(self, call: LiveCall) -> None:
        """A call to a person's direct number: Kontakt says whether to ring; answered, or
        back to the switchboard's queue with the reason."""
        rng = self._sb_rng
        target = rng.choice(self._directory)
        call.number = target
        self.counts.direct += 1
        path = f"/api/v1/directory/numbers/{urllib.parse.quote(target, safe='+')}/availability"
        answer = None if self._availability_missing else self.api.get(path)
        if answer is not None and answer.status == 404 and not isinstance(answer.data, dict):
            # No such endpoint (an older Kontakt): ring everyone, and stop asking.
            self._availability_missing = True
        found = answer.data if answer is not None and answer.ok else None
        ring = not isinstance(found, dict) or bool(found.get("ring", True))
        self._post(call, "direct_offered", number=target, caller=call.plan.caller, target=target)
        if not ring:
            # The absence message plays; most callers stay on for the switchboard.
            if rng.random() < STAYS_ON_SHARE:
                self._after(call.plan.ivr_seconds, self._direct_fallback, call, "absent")
            else:
                self._after(call.plan.ivr_seconds, self._finish, call, "ended")
            return
        if target in self._never_answers:
            outcome = "no_answer"
        else:
            outcome = rng.choices(list(DIRECT_OUTCOMES), list(DIRECT_OUTCOMES.values()))[0]
        if outcome == "answered":
            self._after(rng.uniform(3.0, 12.0), self._direct_answered, call)
        elif outcome == "busy":
            self._after(1.0, self._direct_fallback, call, "busy")
        else:
            self._after(self._ring_seconds, self._direct_fallback, call, "no_answer")

    def _direct_answered(self, call: LiveCall) -> None:
        if call.stage != Stage.IVR:
            return
        call.stage = Stage.TALKING
        self._post(call, "direct_answered", target=call.number)
        self._after(call.plan.talk_seconds, self._end, call)

    def _direct_fallback(self, call: LiveCall, reason: str) -> None:
        if call.stage != Stage.IVR:
            return
        self.counts.direct_fallbacks += 1
        self._post(call, "direct_fallback", target=call.number, reason=reason)
        call.group = self._switchboard
        self._queue(call)

    def _end(self, call: LiveCall) -> None:
        if call.stage in (Stage.TALKING, Stage.TRANSFERRED):
            self._finish(call, "ended", agent=call.agent)

    def _give_up(self, call: LiveCall) -> None:
        if call.stage == Stage.WAITING:
            self.counts.abandoned += 1
            self._finish(call, "abandoned")

    def _request_callback(self, call: LiveCall) -> None:
        if call.stage == Stage.WAITING:
            self.counts.callbacks += 1
            self._finish(call, "callback_requested")
            self._callbacks.add(call.plan.call_id)
            self._after(
                CALLBACK_HANDLE_SECONDS,
                self._callback_done,
                call.plan.call_id,
                min_real=self._callback_hold,
            )

    def _callback_done(self, call_id: str) -> None:
        """The callback was made: whoever holds it may take the next contact (a no-op when
        an agent logged it already)."""
        if call_id not in self._callbacks:
            return
        self._callbacks.discard(call_id)
        path = f"/api/v1/routing/contacts/call/{urllib.parse.quote(call_id, safe='')}/done"
        self.api.post(path, {})

    def _finish(self, call: LiveCall, kind: str, **fields: str) -> None:
        call.stage = Stage.DONE
        self._post(call, kind, **fields)
        self._agent_free(call)
        self._calls.pop(call.plan.call_id, None)

    def _event(self, call: LiveCall, kind: str, **fields: str) -> dict[str, str]:
        event = {
            "event_id": f"{call.plan.call_id}-{next(call.events):02d}-{kind}",
            "call_id": call.plan.call_id,
            "type": kind,
            "at": datetime.now(UTC).astimezone(self._tz).isoformat(timespec="milliseconds"),
        }
        event.update({k: v for k, v in fields.items() if v})
        return event

    def _post(self, call: LiveCall, kind: str, **fields: str) -> None:
        self._send(self._event(call, kind, **fields))

    def _send(self, body: dict[str, Any]) -> None:
        sent = len(body.get("events", [body]))
        answer = self.api.post("/api/v1/telephony/events", body)
        if answer is None or not answer.ok:
            self.counts.lost += sent
            return
        self.counts.events += sent
        if isinstance(answer.data, dict):
            self.counts.duplicates += int(answer.data.get("duplicates", 0))

    # Agents -------------------------------------------------------------------------------

    def _agent_state(self, agent: SimulatedAgent, state: str, reason: str = "") -> Answer | None:
        path = f"/api/v1/agents/{urllib.parse.quote(agent.username, safe='')}/state"
        return self.api.post(path, {"state": state, "reason": reason})

    def _agent_login(self, agent: SimulatedAgent) -> None:
        answer = self._agent_state(agent, "ready")
        if answer is None or not answer.ok:
            log.warning("Agent %s cannot log in: left out of the simulation.", agent.username)
            del self._agents[agent.username]
            return
        self._plan_break(agent)

    def _plan_break(self, agent: SimulatedAgent) -> None:
        self._after(self._rng.expovariate(1 / BREAK_EVERY_MEAN_SECONDS), self._break, agent)

    def _break(self, agent: SimulatedAgent) -> None:
        if agent.call_id:
            agent.break_due = True  # after this call
            return
        agent.break_due = False
        answer = self._agent_state(agent, "paused", BREAK_REASON)
        if answer is None or not answer.ok:
            self._after(30, self._break, agent)  # maybe ringing for a call we did not see
            return
        self._after(self._rng.uniform(*BREAK_SECONDS), self._back, agent)

    def _back(self, agent: SimulatedAgent) -> None:
        answer = self._agent_state(agent, "ready")
        if answer is None or not answer.ok:
            self._after(30, self._back, agent)
            return
        self._plan_break(agent)

    def _agent_free(self, call: LiveCall) -> None:
        agent = self._agents.get(call.agent)
        if agent is None or agent.call_id != call.plan.call_id:
            return
        agent.call_id = ""
        if agent.break_due:
            self._break(agent)
