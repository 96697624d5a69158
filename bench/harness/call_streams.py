"""Call streams as an exchange reports them, for the telephony events benchmark.

A contact center of AGENTS agents and five answer groups over one working day: calls arrive
at random (Poisson), spend a while in the IVR, queue, and are answered first come first
served by the agent free longest, or are abandoned when the caller's patience runs out
before an agent is free. Each answered call gives offered, queued, ringing, answered, ended;
each abandoned call offered, queued, abandoned. Seeded, standard library only, so Kontakt's
process and the benchmark make the same stream.

`send_order` turns the stream into what is posted: roughly in time order (as an exchange
sends live) with events shuffled within a window, some calls sent whole in reverse (an
exchange replaying a buffer after an outage) and about 5 % of the events sent a second time,
always in a later request than the first.
"""

import heapq
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

STOCKHOLM_WINTER = timezone(timedelta(hours=1))
DAY_START = datetime(2026, 11, 30, 8, 0, tzinfo=STOCKHOLM_WINTER)
NUMBERS = ("+46406280400", "+46406280500")
# Code, name, share of the calls, digit in the menu.
GROUPS = (
    ("avfall", "Avfall och vatten", 0.30, "1"),
    ("bygg", "Bygglov", 0.15, "2"),
    ("skola", "Förskola och skola", 0.25, "3"),
    ("omsorg", "Omsorg", 0.20, "4"),
    ("vaxel", "Växeln", 0.10, "0"),
)
AGENTS = 40
CALLS_PER_HOUR = 660
TALK_MEAN_SECONDS = 180.0
WRAP_UP_SECONDS = 30.0
PATIENCE_MEAN_SECONDS = 300.0
SHORT_ABANDON_SECONDS = 5.0


def agent_name(n: int) -> str:
    return f"agent{n:02d}"


@dataclass(frozen=True)
class Call:
    call_id: str
    answered: bool
    wait_seconds: float
    group: str
    agent: str
    events: tuple[dict[str, str], ...]

    @property
    def state(self) -> str:
        """What Kontakt's summary should say once every event is in."""
        if self.answered:
            return "answered"
        return "short_abandoned" if self.wait_seconds < SHORT_ABANDON_SECONDS else "abandoned"


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def calls(count: int, seed: int = 2026) -> list[Call]:
    """`count` calls of one day, in order of arrival."""
    rng = random.Random(seed)
    weights = [share for _code, _name, share, _digit in GROUPS]
    arrivals = []
    clock = 0.0
    for _ in range(count):
        clock += rng.expovariate(CALLS_PER_HOUR / 3600)
        arrivals.append(clock)
    # Agents by the second they are free again, then by their number (the longest idle first).
    free: list[tuple[float, int]] = [(0.0, n) for n in range(1, AGENTS + 1)]
    heapq.heapify(free)
    made: list[tuple[float, int, Call]] = []
    ivr = [rng.uniform(8, 35) for _ in arrivals]
    # First come first served: callers in the order they entered the queue.
    order = sorted(range(count), key=lambda i: arrivals[i] + ivr[i])
    for i in order:
        code, _name, _share, digit = GROUPS[rng.choices(range(len(GROUPS)), weights)[0]]
        call_id = f"pbx1-{i:06d}"
        number = NUMBERS[i % len(NUMBERS)]
        caller = f"+4670{rng.randrange(10**7):07d}"
        offered = DAY_START + timedelta(seconds=arrivals[i])
        queued_s = arrivals[i] + ivr[i]
        queued = DAY_START + timedelta(seconds=queued_s)
        patience = rng.expovariate(1 / PATIENCE_MEAN_SECONDS)
        agent_free, agent = free[0]
        wait = max(0.0, agent_free - queued_s)
        common = {"call_id": call_id, "number": number, "caller": caller}
        events = [
            {**common, "type": "offered", "at": _at(offered)},
            {**common, "type": "queued", "at": _at(queued), "answer_group": code, "digit": digit},
        ]
        if patience < wait:
            left = queued + timedelta(seconds=patience)
            events.append({**common, "type": "abandoned", "at": _at(left)})
            answered, waited, name = False, patience, ""
        else:
            heapq.heappop(free)
            ring = queued + timedelta(seconds=wait)
            answer = ring + timedelta(seconds=rng.uniform(2, 8))
            talk = rng.lognormvariate(0, 0.6) * TALK_MEAN_SECONDS / 1.197  # mean ≈ TALK_MEAN
            end = answer + timedelta(seconds=talk)
            name = agent_name(agent)
            with_agent = {**common, "answer_group": code, "agent": name}
            events += [
                {**with_agent, "type": "ringing", "at": _at(ring)},
                {**with_agent, "type": "answered", "at": _at(answer)},
                {**with_agent, "type": "ended", "at": _at(end)},
            ]
            free_again = (end - DAY_START).total_seconds() + WRAP_UP_SECONDS
            heapq.heappush(free, (free_again, agent))
            answered, waited = True, (answer - queued).total_seconds()
        numbered = tuple({"event_id": f"{call_id}-{n + 1:02d}", **e} for n, e in enumerate(events))
        made.append((arrivals[i], i, Call(call_id, answered, waited, code, name, numbered)))
    made.sort()
    return [call for _offered, _i, call in made]


@dataclass(frozen=True)
class Plan:
    """The events as posted: `sent` in order, resends included; which are resends."""

    sent: list[dict[str, str]]
    distinct: int
    resends: int
    reversed_calls: int


def send_order(
    stream: list[Call], *, batch: int, window: int, resend_share: float = 0.05,
    reversed_share: float = 0.03, seed: int = 7,
) -> Plan:  # fmt: skip
    """Time order with each event moved up to `window` places; some calls reversed whole;
    `resend_share` of the events again, more than a batch later."""
    rng = random.Random(seed)
    events = sorted(
        (e for call in stream for e in call.events), key=lambda e: (e["at"], e["event_id"])
    )
    position = {e["event_id"]: n for n, e in enumerate(events)}
    keyed: list[tuple[float, dict[str, str]]] = []
    reversed_calls = 0
    for call in stream:
        if rng.random() < reversed_share:
            # Sent together when the call ended, last event first.
            reversed_calls += 1
            last = position[call.events[-1]["event_id"]]
            for k, event in enumerate(reversed(call.events)):
                keyed.append((last + k * 1e-3, event))
        else:
            for event in call.events:
                keyed.append((position[event["event_id"]] + rng.uniform(0, window), event))
    resends = 0
    for key, event in list(keyed):
        if rng.random() < resend_share:
            resends += 1
            keyed.append((key + batch + 1 + rng.uniform(0, 2 * batch + window), event))
    keyed.sort(key=lambda item: item[0])
    return Plan([event for _key, event in keyed], len(events), resends, reversed_calls)


def bodies(sent: list[dict[str, str]], batch: int) -> list[bytes]:
    """Request bodies: one event alone, or `{"events": [...]}` of `batch`."""
    chunks = [sent[n : n + batch] for n in range(0, len(sent), batch)]
    if batch == 1:
        return [json.dumps(chunk[0]).encode() for chunk in chunks]
    return [json.dumps({"events": chunk}).encode() for chunk in chunks]
