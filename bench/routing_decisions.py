"""Routing decisions per second: kontakt.core.router beside a naive router, on one stream.

    .venv/bin/python bench/routing_decisions.py            # 300 k contacts (~3 min)
    .venv/bin/python bench/routing_decisions.py --quick    # 40 k contacts (~30 s)

The center: 500 agents and 50 answer groups over 30 skills. Proficiencies are 1–5; every
agent speaks Swedish, some English, Arabic, Somali, Finnish, Tigrinya or Persian; 20 groups
ask for a language, groups overflow after 30 s to another group and after 90 s to one of
five general ones. A quarter of the agents are blended (1 call, or up to 3 chats and 5
e-mails), a seventh write only, the rest take calls only.

The stream, the same for every run (seeded): contacts arrive as a Poisson stream whose
rate swings ±35 % over an hour around what the center can take, 70 % calls, 20 % chats,
10 % e-mails, one in twenty asking for a language, a tenth urgent and a tenth low
priority. Each contact comes with its handle time, its wrap-up, its patience (a caller
still waiting then hangs up: `withdraw`), whether it takes an offered callback, and whether
the first agent lets it ring (`reject`; the agent is READY again 30 s later). Some agents
take a 5-minute break after a contact. So both kinds of decision happen: matched at once,
and queued then matched later.

A decision is one contact matched to an agent (an Offer) or left waiting (a Waiting): a
contact answered at once counts one, one that waited counts two. An event loop plays the
stream through the router (decide, pending_offers, accept or reject, finish, route, ...),
and a recorder notes every call. The figure: those calls replayed on a fresh router, timed,
the median of the repeats: the router's own work in one process. The rate of the event loop
itself (its bookkeeping included) is beside it, as `end_to_end_decisions_per_second`.

The peer is a naive router with the same rules: at every route() it scans all agents for
the free ones and takes the waiting contacts in order, each with `routing.choose_agent`
over the free agents, per group the contact may go to. It is slow, so it plays the first
contacts of the stream only; Kontakt's router plays them too, and both must log the same
decisions and be given the same calls (`same_decisions`); both are then timed by replay.
The goal: at least 50,000 decisions a second with 500 agents and 50 groups.

Prints one JSON object as the last line (also saved under bench/results/).
"""

import argparse
import gc
import heapq
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(REPO))

from harness.host import log, machine  # noqa: E402

from kontakt.core.router import (  # noqa: E402
    DEFAULT_HANDLE_SECONDS,
    AgentProfile,
    AgentState,
    Channel,
    Contact,
    Group,
    Offer,
    OverflowStep,
    Router,
    Waiting,
)
from kontakt.core.routing import Agent, Need, choose_agent, proficiency  # noqa: E402

GOAL = 50_000
AGENTS = 500
GROUPS = 50
SKILLS = 30
GENERAL_GROUPS = 5  # g00..g04: the general groups everyone overflows to at last
SEED = 2024
LANGUAGE_SHARE = {"en": 0.5, "ar": 0.1, "so": 0.06, "fi": 0.08, "ti": 0.03, "fa": 0.05}
GROUP_LANGUAGES = ["en", "ar", "so", "fi", "ar", "en", "so", "ti", "fa", "fi"]
CALL, CHAT, EMAIL = Channel.CALL, Channel.CHAT, Channel.EMAIL
MEAN_RATE = 2.4  # contacts a second; the rate swings around it
HANDLE_MEAN = {CALL: 180.0, CHAT: 420.0, EMAIL: 600.0}
RING_AGAIN_SECONDS = 30.0
BREAK_SECONDS = 300.0


# --- the scenario --------------------------------------------------------------------------


def center(rng: random.Random) -> tuple[list[Group], list[AgentProfile]]:
    """50 groups and 500 agents, the same for a seed."""
    groups = []
    for i in range(GROUPS):
        language = "sv" if i < 30 else GROUP_LANGUAGES[i % len(GROUP_LANGUAGES)]
        overflow: tuple[OverflowStep, ...] = ()
        if i >= GENERAL_GROUPS:
            overflow = (
                OverflowStep(30.0, f"g{(i + 7) % GROUPS:02}"),
                OverflowStep(90.0, f"g{i % GENERAL_GROUPS:02}"),
            )
        groups.append(Group(f"g{i:02}", f"skill{i % SKILLS:02}", language, overflow, 240.0))
    agents = []
    for i in range(AGENTS):
        general = rng.randrange(GENERAL_GROUPS)
        others = rng.sample(range(GENERAL_GROUPS, SKILLS), rng.randint(2, 5))
        skills = {f"skill{s:02}": rng.randint(1, 5) for s in [general, *others]}
        languages = {"sv"} | {lang for lang, p in LANGUAGE_SHARE.items() if rng.random() < p}
        kind = rng.random()
        capacity: Mapping[Channel, int]
        if kind < 0.6:
            capacity = {CALL: 1}
        elif kind < 0.86:
            capacity = {CALL: 1, CHAT: 3, EMAIL: 5}
        else:
            capacity = {CHAT: 3, EMAIL: 5}
        agents.append(AgentProfile(f"a{i:03}", skills, frozenset(languages), capacity))
    return groups, agents


@dataclass(frozen=True, slots=True)
class Arrival:
    """A contact and what will happen to it, drawn in advance so every run sees the same."""

    contact: Contact
    handle: float
    wrap_up: float
    patience: float
    takes_callback: bool
    lets_ring: bool
    break_after: bool


def stream(rng: random.Random, contacts: int) -> list[Arrival]:
    """The seeded stream of arrivals, in time order."""
    codes = [f"g{i:02}" for i in range(GROUPS)]
    # Busier and quieter groups: weights 1/(rank + 3).
    weights = [1 / (rank + 3) for rank in range(GROUPS)]
    rng.shuffle(weights)
    asked = ["en", "ar", "so", "fi"]
    arrivals = []
    now = 0.0
    for i in range(contacts):
        rate = MEAN_RATE * (1 + 0.35 * math.sin(2 * math.pi * now / 3600))
        now += rng.expovariate(rate)
        channel = rng.choices([CALL, CHAT, EMAIL], [0.7, 0.2, 0.1])[0]
        roll = rng.random()
        priority = 0 if roll < 0.1 else 2 if roll < 0.2 else 1
        language = rng.choice(asked) if rng.random() < 0.05 else None
        group = rng.choices(codes, weights)[0]
        contact = Contact(f"c{i}", group, channel, now, priority, language)
        wrap_up = 0.0 if rng.random() < 0.5 else rng.uniform(5, 30)
        arrivals.append(
            Arrival(
                contact,
                handle=rng.expovariate(1 / HANDLE_MEAN[channel]),
                wrap_up=wrap_up,
                patience=rng.expovariate(1 / 300) if channel is CALL else math.inf,
                takes_callback=rng.random() < 0.3,
                lets_ring=rng.random() < 0.02,
                break_after=rng.random() < 0.01,
            )
        )
    return arrivals


# --- the naive peer ------------------------------------------------------------------------


@dataclass
class NaiveAgent:
    profile: AgentProfile
    agent: Agent
    presence: AgentState = AgentState.LOGGED_OUT
    idle_since: float = 0.0
    wrap_up_until: float | None = None
    held: dict[str, tuple[Contact, Offer, bool]] = field(default_factory=dict)
    load: dict[Channel, int] = field(default_factory=lambda: dict.fromkeys(Channel, 0))

    def free_for(self, channel: Channel) -> bool:
        if self.presence is not AgentState.READY or self.load[CALL]:
            return False
        capacity = self.profile.capacity.get(channel, 0)
        if channel is CALL:
            return capacity >= 1 and not self.held
        return self.load[channel] < capacity


class NaiveRouter:
    """The router's rules by brute force: each route() scans all agents and all contacts."""

    def __init__(
        self,
        groups: Iterable[Group],
        *,
        aging_seconds: float = 60.0,
        handle_seconds: Mapping[str, float] | None = None,
    ) -> None:
        self.groups = {group.code: group for group in groups}
        self.aging = aging_seconds
        self.handle = dict(handle_seconds or {})
        self.agents: dict[str, NaiveAgent] = {}
        self.queue: dict[str, Contact] = {}
        self.pending: dict[str, Offer] = {}
        self.holder: dict[str, NaiveAgent] = {}

    def set_agent(self, agent: AgentProfile) -> None:
        self.agents[agent.id] = NaiveAgent(agent, agent.agent)

    def tick(self, now: float) -> None:
        for record in self.agents.values():
            until = record.wrap_up_until
            if record.presence is AgentState.WRAP_UP and until is not None and until <= now:
                record.presence, record.idle_since, record.wrap_up_until = (
                    AgentState.READY,
                    until,
                    None,
                )

    def set_state(self, agent_id: str, state: AgentState, *, now: float, reason: str = "") -> None:
        self.tick(now)
        record = self.agents[agent_id]
        if state is AgentState.READY and record.presence is not AgentState.READY:
            record.idle_since = now
        record.presence, record.wrap_up_until = state, None

    def order(self, contact: Contact) -> tuple[float, float, str]:
        return (contact.priority + contact.queued_at / self.aging, contact.queued_at, contact.id)

    def route(self, *, now: float) -> list[Offer]:
        self.tick(now)
        # Who is free for what, from a scan of every agent; kept up to date as offers go.
        free = {
            channel: [(r.agent, r.idle_since) for r in self.agents.values() if r.free_for(channel)]
            for channel in Channel
        }
        offers = []
        for contact in sorted(self.queue.values(), key=self.order):
            candidates = free[contact.channel]
            if not candidates:
                continue
            own = self.groups[contact.group]
            options = [(0, own)] + [
                (index, self.groups[step.group])
                for index, step in enumerate(own.overflow, 1)
                if step.group in self.groups and contact.queued_at + step.after_seconds <= now
            ]
            best: tuple[tuple[int, float, str, int], str] | None = None
            for index, group in options:
                need = Need(group.skill, contact.language or group.language)
                agent = choose_agent(need, candidates)
                if agent is not None:
                    record = self.agents[agent.id]
                    key = (-proficiency(agent, need), record.idle_since, agent.id, index)
                    if best is None or key < best[0]:
                        best = (key, group.code)
            if best is not None:
                record = self.agents[best[0][2]]
                offer = Offer(contact.id, record.profile.id, best[1])
                del self.queue[contact.id]
                record.held[contact.id] = (contact, offer, False)
                record.load[contact.channel] += 1
                self.pending[contact.id] = offer
                self.holder[contact.id] = record
                offers.append(offer)
                for channel, agents in free.items():
                    if not record.free_for(channel):
                        agents[:] = [(a, idle) for a, idle in agents if a is not record.agent]
        return offers

    def decide(self, contact: Contact, *, now: float) -> Offer | Waiting:
        if contact.id not in self.queue and contact.id not in self.holder:
            self.queue[contact.id] = contact
        self.route(now=now)
        if contact.id in self.holder:
            return self.holder[contact.id].held[contact.id][1]
        waiting = self.queue[contact.id]
        ahead = [c for c in self.queue.values() if c.group == waiting.group]
        position = sorted(ahead, key=self.order).index(waiting) + 1
        group = self.groups[waiting.group]
        need = Need(group.skill, group.language)
        able = [r for r in self.agents.values() if proficiency(r.agent, need)]
        if position == 1 and any(r.presence is AgentState.READY and not r.held for r in able):
            estimate = 0.0
        else:
            staffed = sum(r.presence in (AgentState.READY, AgentState.WRAP_UP) for r in able)
            handle = self.handle.get(group.code, DEFAULT_HANDLE_SECONDS)
            estimate = position * handle / max(1, staffed)
        threshold = group.callback_threshold_seconds
        callback = not waiting.callback and threshold is not None and estimate > threshold
        return Waiting(contact.id, position, estimate, callback)

    def accept(self, agent_id: str, contact_id: str, *, now: float) -> None:
        self.tick(now)
        record = self.agents[agent_id]
        contact, offer, _ = record.held[contact_id]
        record.held[contact_id] = (contact, offer, True)
        del self.pending[contact_id]

    def reject(self, agent_id: str, contact_id: str, *, now: float) -> None:
        self.tick(now)
        record = self.agents[agent_id]
        contact, _, _ = record.held.pop(contact_id)
        record.load[contact.channel] -= 1
        del self.pending[contact_id], self.holder[contact_id]
        self.queue[contact_id] = contact
        record.presence, record.wrap_up_until = AgentState.PAUSED, None

    def finish(
        self, agent_id: str, contact_id: str, *, now: float, wrap_up_seconds: float = 0
    ) -> None:
        self.tick(now)
        record = self.agents[agent_id]
        contact, _, _ = record.held.pop(contact_id)
        record.load[contact.channel] -= 1
        del self.holder[contact_id]
        if wrap_up_seconds > 0 and record.presence in (AgentState.READY, AgentState.WRAP_UP):
            until = now + wrap_up_seconds
            if record.presence is AgentState.READY or (
                record.wrap_up_until is not None and record.wrap_up_until < until
            ):
                record.presence, record.wrap_up_until = AgentState.WRAP_UP, until
        elif record.presence is AgentState.READY and not record.held:
            record.idle_since = now

    def withdraw(self, contact_id: str) -> None:
        del self.queue[contact_id]

    def request_callback(self, contact_id: str, *, now: float) -> None:
        self.queue[contact_id] = replace(self.queue[contact_id], callback=True)

    def pending_offers(self) -> list[Offer]:
        return list(self.pending.values())


# --- the run -------------------------------------------------------------------------------


class RouterLike(Protocol):
    def set_agent(self, agent: AgentProfile) -> None: ...
    def set_state(
        self, agent_id: str, state: AgentState, *, now: float, reason: str = ""
    ) -> None: ...
    def decide(self, contact: Contact, *, now: float) -> Offer | Waiting: ...
    def route(self, *, now: float) -> list[Offer]: ...
    def accept(self, agent_id: str, contact_id: str, *, now: float) -> None: ...
    def reject(self, agent_id: str, contact_id: str, *, now: float) -> None: ...
    def finish(
        self, agent_id: str, contact_id: str, *, now: float, wrap_up_seconds: float = 0
    ) -> None: ...
    def withdraw(self, contact_id: str) -> None: ...
    def request_callback(self, contact_id: str, *, now: float) -> None: ...
    def pending_offers(self) -> list[Offer]: ...


@dataclass
class Run:
    seconds: float
    decisions: int
    at_once: int  # offered at their arrival
    queued: int  # left waiting at their arrival
    later: int  # offers to contacts that had waited
    abandoned: int
    callbacks: int
    rejected: int
    log: list[tuple[object, ...]] | None

    def figures(self) -> dict[str, object]:
        return {
            "decisions": self.decisions,
            "seconds": round(self.seconds, 3),
            "decisions_per_second": round(self.decisions / self.seconds),
            "matched_at_once": self.at_once,
            "queued": self.queued,
            "matched_later": self.later,
            "abandoned": self.abandoned,
            "callbacks": self.callbacks,
            "rejected": self.rejected,
        }


FINISH, ABANDON, READY_AGAIN = 1, 2, 3
COUNTS = ("matched", "queued", "abandoned", "callbacks", "rejected")


def staffed(router: RouterLike, agents: list[AgentProfile]) -> RouterLike:
    """The router with every agent logged in and READY at 0."""
    for agent in agents:
        router.set_agent(agent)
        router.set_state(agent.id, AgentState.READY, now=0.0)
    return router


Call = tuple[str, tuple[object, ...], dict[str, object]]


class Recorder:
    """A router's stand-in that notes every call made to it, to replay them later."""

    def __init__(self, router: RouterLike) -> None:
        self.router = router
        self.calls: list[Call] = []

    def __getattr__(self, name: str) -> Callable[..., object]:
        method = getattr(self.router, name)
        calls = self.calls

        def call(*args: object, **kwargs: object) -> object:
            calls.append((name, args, kwargs))
            return method(*args, **kwargs)

        return call


def replay(router: RouterLike, calls: list[Call]) -> float:
    """Make the same calls on a fresh router; the seconds they took.

    The recorded calls (millions of objects) are frozen out of the garbage collector's
    sight first, so that its passes over the benchmark's own data do not count.
    """
    methods = {name: getattr(router, name) for name in {name for name, _, _ in calls}}
    bound = [(methods[name], args, kwargs) for name, args, kwargs in calls]
    gc.collect()
    gc.freeze()
    try:
        started = time.perf_counter()
        for method, args, kwargs in bound:
            method(*args, **kwargs)
        return time.perf_counter() - started
    finally:
        gc.unfreeze()


def simulate(router: RouterLike, arrivals: list[Arrival], *, keep_log: bool) -> Run:
    """Play the stream through a router; decisions, counts and (if asked) the decision log."""
    by_id = {a.contact.id: a for a in arrivals}
    log_: list[tuple[object, ...]] | None = [] if keep_log else None
    events: list[tuple[float, int, int, str, str]] = []
    waiting: set[str] = set()
    rung: set[str] = set()
    counts = dict.fromkeys(
        ["offers", "at_once", "queued", "later", "abandoned", "callbacks", "rejected"], 0
    )
    seq = 0
    push, pop = heapq.heappush, heapq.heappop
    READY = AgentState.READY

    def deliver(offers: list[Offer], now: float) -> None:
        """Answer the new offers (all earlier ones are answered): ring on, or accept."""
        nonlocal seq
        for offer in offers:
            contact_id, agent_id = offer.contact_id, offer.agent_id
            counts["offers"] += 1
            if log_ is not None:
                log_.append(("offer", contact_id, agent_id, offer.group))
            if contact_id in waiting:
                waiting.discard(contact_id)
                counts["later"] += 1
            arrival = by_id[contact_id]
            if arrival.lets_ring and contact_id not in rung:
                rung.add(contact_id)
                router.reject(agent_id, contact_id, now=now)
                waiting.add(contact_id)
                counts["rejected"] += 1
                seq += 1
                push(events, (now + RING_AGAIN_SECONDS, seq, READY_AGAIN, agent_id, ""))
                continue
            router.accept(agent_id, contact_id, now=now)
            seq += 1
            push(events, (now + arrival.handle, seq, FINISH, agent_id, contact_id))

    started = time.perf_counter()
    index, total = 0, len(arrivals)
    while index < total or events:
        if index < total and (not events or arrivals[index].contact.queued_at <= events[0][0]):
            arrival = arrivals[index]
            index += 1
            contact = arrival.contact
            now = contact.queued_at
            outcome = router.decide(contact, now=now)
            if isinstance(outcome, Waiting):
                counts["queued"] += 1
                waiting.add(contact.id)
                if log_ is not None:
                    log_.append(("wait", contact.id, outcome.position))
                    log_.append((outcome.estimated_wait_seconds, outcome.offer_callback))
                if outcome.offer_callback and arrival.takes_callback:
                    router.request_callback(contact.id, now=now)
                    counts["callbacks"] += 1
                elif arrival.patience != math.inf:
                    seq += 1
                    push(events, (now + arrival.patience, seq, ABANDON, contact.id, ""))
            else:
                counts["at_once"] += 1
            deliver(router.pending_offers(), now)
            continue
        now, _, kind, first, second = pop(events)
        if kind == FINISH:
            arrival = by_id[second]
            router.finish(first, second, now=now, wrap_up_seconds=arrival.wrap_up)
            if arrival.break_after:
                router.set_state(first, AgentState.PAUSED, now=now, reason="break")
                seq += 1
                push(events, (now + BREAK_SECONDS, seq, READY_AGAIN, first, ""))
        elif kind == ABANDON:
            if first in waiting:
                waiting.discard(first)
                router.withdraw(first)
                counts["abandoned"] += 1
                if log_ is not None:
                    log_.append(("abandon", first))
            continue
        else:
            router.set_state(first, READY, now=now)
        deliver(router.route(now=now), now)
    seconds = time.perf_counter() - started
    return Run(
        seconds,
        decisions=counts["queued"] + counts["offers"],
        at_once=counts["at_once"],
        queued=counts["queued"],
        later=counts["later"],
        abandoned=counts["abandoned"],
        callbacks=counts["callbacks"],
        rejected=counts["rejected"],
        log=log_,
    )


def rates(decisions: int, seconds: list[float]) -> dict[str, object]:
    """Decisions per second: the median over repeats, and each repeat."""
    return {
        "decisions": decisions,
        "seconds_median": round(statistics.median(seconds), 3),
        "decisions_per_second": round(decisions / statistics.median(seconds)),
        "repeats": [round(decisions / s) for s in seconds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 k contacts: about 30 s")
    args = parser.parse_args()
    contacts = 40_000 if args.quick else 300_000
    repeats = 5
    peer_contacts = 1_500 if args.quick else 10_000
    rng = random.Random(SEED)
    groups, agents = center(rng)
    arrivals = stream(rng, contacts)
    hours = arrivals[-1].contact.queued_at / 3600
    log(f"{len(agents)} agents, {len(groups)} groups, {contacts} contacts over {hours:.1f} h")

    def ours() -> RouterLike:
        return staffed(Router(groups), agents)

    def naive() -> RouterLike:
        return staffed(NaiveRouter(groups), agents)

    # The same decisions: both routers through the first contacts, every outcome logged.
    prefix = arrivals[:peer_contacts]
    ours_recorded, naive_recorded = Recorder(ours()), Recorder(naive())
    ours_prefix = simulate(ours_recorded, prefix, keep_log=True)
    naive_prefix = simulate(naive_recorded, prefix, keep_log=True)
    same = ours_prefix.log == naive_prefix.log and ours_recorded.calls == naive_recorded.calls
    log(f"first {peer_contacts} contacts: {ours_prefix.decisions} decisions, same: {same}")
    peer_seconds = [replay(naive(), naive_recorded.calls) for _ in range(3)]
    ours_prefix_seconds = [replay(ours(), ours_recorded.calls) for _ in range(repeats)]
    peer = rates(naive_prefix.decisions, peer_seconds)
    ours_on_prefix = rates(ours_prefix.decisions, ours_prefix_seconds)
    log(f"naive on them: {peer}; kontakt: {ours_on_prefix}")

    # The whole stream: once with the event loop, once recorded, then the calls replayed.
    end_to_end = simulate(ours(), arrivals, keep_log=False)
    log(f"kontakt with the event loop: {end_to_end.figures()}")
    recorded = Recorder(ours())
    whole = simulate(recorded, arrivals, keep_log=False)
    seconds = []
    for _ in range(repeats):
        seconds.append(replay(ours(), recorded.calls))
        log(f"kontakt, {len(recorded.calls)} calls replayed: {whole.decisions / seconds[-1]:.0f}/s")
    figures = rates(whole.decisions, seconds)
    rate = whole.decisions / statistics.median(seconds)
    report = {
        "benchmark": "routing_decisions",
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "scenario": {
            "agents": AGENTS,
            "groups": GROUPS,
            "skills": SKILLS,
            "contacts": contacts,
            "hours": round(hours, 2),
            "mean_arrivals_per_second": MEAN_RATE,
            "seed": SEED,
        },
        "kontakt": figures
        | {
            "calls": len(recorded.calls),
            "end_to_end_decisions_per_second": round(end_to_end.decisions / end_to_end.seconds),
        }
        | {k: v for k, v in whole.figures().items() if k.startswith(COUNTS)},
        "peer": {
            "name": "naive router (linear scans, routing.choose_agent)",
            "contacts": peer_contacts,
            "naive": peer,
            "kontakt": ours_on_prefix,
            "kontakt_vs_naive": round(
                statistics.median(peer_seconds) / statistics.median(ours_prefix_seconds), 1
            ),
        },
        "same_decisions": same,
        "goal_decisions_per_second": GOAL,
        "meets_goal": rate >= GOAL,
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"routing_decisions-{'quick-' if args.quick else ''}{stamp}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, separators=(",", ":")))


if __name__ == "__main__":
    main()
