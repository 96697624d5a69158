"""Tests for kontakt.core.router: the stateful routing engine against a naive reference."""

from __future__ import annotations

import ast
import math
import random
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kontakt.core import router as router_module
from kontakt.core.router import (
    DEFAULT_CAPACITY,
    NO_ANSWER,
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
from kontakt.core.routing import Need, proficiency

CALL, CHAT, EMAIL = Channel.CALL, Channel.CHAT, Channel.EMAIL
READY, PAUSED, WRAP_UP, LOGGED_OUT = (
    AgentState.READY,
    AgentState.PAUSED,
    AgentState.WRAP_UP,
    AgentState.LOGGED_OUT,
)


# --- the reference: the rules as plain loops over every agent and every contact ----------------


@dataclass
class RefHolding:
    contact: Contact
    offer: Offer
    accepted: bool = False


@dataclass
class RefAgent:
    profile: AgentProfile
    presence: AgentState = AgentState.LOGGED_OUT
    reason: str = ""
    idle_since: float | None = None
    wrap_up_until: float | None = None
    held: dict[str, RefHolding] = field(default_factory=dict)


class ReferenceRouter:
    """The module docstring's rules, written the obvious way: O(contacts × agents) a route."""

    def __init__(
        self,
        groups: Iterable[Group] = (),
        *,
        aging_seconds: float = 60.0,
        handle_seconds: Mapping[str, float] | None = None,
    ) -> None:
        self.aging = aging_seconds
        self.handle = dict(handle_seconds or {})
        self.groups = {group.code: group for group in groups}
        self.agents: dict[str, RefAgent] = {}
        self.queue: dict[str, Contact] = {}
        self.pending: list[Offer] = []

    def set_group(self, group: Group) -> None:
        self.groups[group.code] = group

    def set_agent(self, agent: AgentProfile) -> None:
        if agent.id in self.agents:
            self.agents[agent.id].profile = agent
        else:
            self.agents[agent.id] = RefAgent(agent)

    def remove_agent(self, agent_id: str) -> None:
        self._release(self.agents[agent_id])
        del self.agents[agent_id]

    def set_state(
        self,
        agent_id: str,
        state: AgentState,
        *,
        now: float,
        reason: str = "",
        wrap_up_until: float | None = None,
    ) -> None:
        self.tick(now)
        agent = self.agents[agent_id]
        if state in (AgentState.OFFERED, AgentState.BUSY):
            raise ValueError(state)
        if wrap_up_until is not None and state is not WRAP_UP:
            raise ValueError(state)
        if state is LOGGED_OUT:
            self._release(agent)
        if state is READY and agent.presence is not READY:
            agent.idle_since = now
        agent.presence, agent.reason, agent.wrap_up_until = state, reason, wrap_up_until

    def state_of(self, agent_id: str) -> AgentState:
        agent = self.agents[agent_id]
        if agent.presence is not READY:
            return agent.presence
        if not agent.held:
            return READY
        if any(h.contact.channel is CALL and not h.accepted for h in agent.held.values()):
            return AgentState.OFFERED
        return AgentState.BUSY

    def holder(self, contact_id: str) -> RefAgent | None:
        return next((a for a in self.agents.values() if contact_id in a.held), None)

    def enqueue(self, contact: Contact) -> None:
        if contact.id in self.queue or self.holder(contact.id) is not None:
            raise ValueError(contact.id)
        if contact.group not in self.groups:
            raise ValueError(contact.group)
        self.queue[contact.id] = contact

    def withdraw(self, contact_id: str) -> None:
        if contact_id in self.queue:
            del self.queue[contact_id]
            return
        agent = self.holder(contact_id)
        if agent is None:
            raise KeyError(contact_id)
        if agent.held[contact_id].accepted:
            raise ValueError(contact_id)
        self.pending.remove(agent.held.pop(contact_id).offer)

    def request_callback(self, contact_id: str, *, now: float) -> None:
        if contact_id not in self.queue:
            if self.holder(contact_id) is not None:
                raise ValueError(contact_id)
            raise KeyError(contact_id)
        self.queue[contact_id] = replace(self.queue[contact_id], callback=True)

    def order(self, contact: Contact) -> tuple[float, float, str]:
        return (contact.priority + contact.queued_at / self.aging, contact.queued_at, contact.id)

    def waiting(self, group: str | None = None) -> list[Contact]:
        chosen = [c for c in self.queue.values() if group is None or c.group == group]
        return sorted(chosen, key=self.order)

    def free_for(self, agent: RefAgent, channel: Channel) -> bool:
        if agent.presence is not READY:
            return False
        held = [h.contact.channel for h in agent.held.values()]
        capacity = agent.profile.capacity.get(channel, 0)
        if CALL in held:
            return False
        if channel is CALL:
            return capacity >= 1 and not held
        return held.count(channel) < capacity

    def tick(self, now: float) -> None:
        for agent in self.agents.values():
            until = agent.wrap_up_until
            if agent.presence is WRAP_UP and until is not None and until <= now:
                agent.presence, agent.idle_since = READY, until
                agent.wrap_up_until, agent.reason = None, ""

    def route(self, *, now: float) -> list[Offer]:
        self.tick(now)
        offers = []
        for contact in self.waiting():
            own = self.groups[contact.group]
            options = [(0, own)] + [
                (index, self.groups[step.group])
                for index, step in enumerate(own.overflow, 1)
                if step.group in self.groups and contact.queued_at + step.after_seconds <= now
            ]
            best: tuple[tuple[int, float, str, int], RefAgent, str] | None = None
            for index, group in options:
                need = Need(group.skill, contact.language or group.language)
                for agent in self.agents.values():
                    level = proficiency(agent.profile.agent, need)
                    if level and self.free_for(agent, contact.channel):
                        assert agent.idle_since is not None
                        key = (-level, agent.idle_since, agent.profile.id, index)
                        if best is None or key < best[0]:
                            best = (key, agent, group.code)
            if best is not None:
                _, agent, code = best
                offer = Offer(contact.id, agent.profile.id, code)
                del self.queue[contact.id]
                agent.held[contact.id] = RefHolding(contact, offer)
                self.pending.append(offer)
                offers.append(offer)
        return offers

    def accept(self, agent_id: str, contact_id: str, *, now: float) -> None:
        self.tick(now)
        holding = self._offered(agent_id, contact_id)
        holding.accepted = True
        self.pending.remove(holding.offer)

    def reject(self, agent_id: str, contact_id: str, *, now: float) -> None:
        self.tick(now)
        holding = self._offered(agent_id, contact_id)
        agent = self.agents[agent_id]
        del agent.held[contact_id]
        self.pending.remove(holding.offer)
        self.queue[contact_id] = holding.contact
        agent.presence, agent.reason, agent.wrap_up_until = PAUSED, NO_ANSWER, None

    def finish(
        self, agent_id: str, contact_id: str, *, now: float, wrap_up_seconds: float = 0
    ) -> None:
        self.tick(now)
        agent = self.agents[agent_id]
        if contact_id not in agent.held:
            raise ValueError(contact_id)
        holding = agent.held.pop(contact_id)
        if not holding.accepted:
            self.pending.remove(holding.offer)
        if wrap_up_seconds > 0 and agent.presence in (READY, WRAP_UP):
            until = now + wrap_up_seconds
            if agent.presence is READY or (
                agent.wrap_up_until is not None and agent.wrap_up_until < until
            ):
                agent.presence, agent.wrap_up_until = WRAP_UP, until
        elif agent.presence is READY and not agent.held:
            agent.idle_since = now

    def decide(self, contact: Contact, *, now: float) -> Offer | Waiting:
        if contact.id not in self.queue and self.holder(contact.id) is None:
            self.enqueue(contact)
        self.route(now=now)
        agent = self.holder(contact.id)
        if agent is not None:
            return agent.held[contact.id].offer
        waiting = self.queue[contact.id]
        position = [c.id for c in self.waiting(waiting.group)].index(contact.id) + 1
        estimate = self.estimated_wait(waiting.group, now=now, position=position)
        threshold = self.groups[waiting.group].callback_threshold_seconds
        callback = not waiting.callback and threshold is not None and estimate > threshold
        return Waiting(contact.id, position, estimate, callback)

    def estimated_wait(self, group: str, *, now: float, position: int | None = None) -> float:
        own = self.groups[group]
        if position is None:
            position = len(self.waiting(group)) + 1
        need = Need(own.skill, own.language)
        able = [a for a in self.agents.values() if proficiency(a.profile.agent, need)]
        if position == 1 and any(
            not a.held
            and (
                a.presence is READY
                or (
                    a.presence is WRAP_UP and a.wrap_up_until is not None and a.wrap_up_until <= now
                )
            )
            for a in able
        ):
            return 0.0
        staffed = sum(1 for a in able if a.presence in (READY, WRAP_UP))
        return position * self.handle.get(group, 180.0) / max(1, staffed)

    def agents_by_state(self, group: str | None = None) -> dict[AgentState, int]:
        counts = dict.fromkeys(AgentState, 0)
        for agent_id, agent in self.agents.items():
            if group is not None:
                own = self.groups[group]
                if not proficiency(agent.profile.agent, Need(own.skill, own.language)):
                    continue
            counts[self.state_of(agent_id)] += 1
        return counts

    def pending_offers(self) -> list[Offer]:
        return list(self.pending)

    def _offered(self, agent_id: str, contact_id: str) -> RefHolding:
        holding = self.agents[agent_id].held.get(contact_id)
        if holding is None or holding.accepted:
            raise ValueError(contact_id)
        return holding

    def _release(self, agent: RefAgent) -> None:
        for contact_id, holding in list(agent.held.items()):
            if not holding.accepted:
                self.pending.remove(holding.offer)
                self.queue[contact_id] = holding.contact
        agent.held.clear()


# --- helpers -----------------------------------------------------------------------------------


def profile(
    id: str,
    languages: str = "sv",
    capacity: Mapping[Channel, int] = DEFAULT_CAPACITY,
    **skills: int,
) -> AgentProfile:
    return AgentProfile(id, skills, frozenset(languages.split()), capacity)


def center(groups: Iterable[Group], agents: Iterable[AgentProfile], *, now: float = 0.0) -> Router:
    """A router with the agents READY at `now`."""
    router = Router(groups)
    for agent in agents:
        router.set_agent(agent)
        router.set_state(agent.id, READY, now=now)
    return router


def call(
    id: str,
    group: str = "g",
    queued_at: float = 0.0,
    *,
    priority: int = 1,
    language: str | None = None,
) -> Contact:
    return Contact(id, group, CALL, queued_at, priority, language)


GENERAL = Group("g", "general")
SWEDE = profile("a", "sv", general=5)
FINN = profile("b", "fi", general=1)
CALLS_ONLY = {CALL: 1}


# --- who gets a contact ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agents", "contact", "chosen"),
    [
        # Highest proficiency first, however long the others have been idle.
        ([profile("a", general=2), profile("b", general=3)], call("c1"), "b"),
        # Among equals the one idle longest: "b" became ready first.
        ([profile("b", general=2), profile("a", general=2)], call("c1"), "b"),
        # No skill, or proficiency 0: never.
        ([profile("a", permits=5), profile("b", general=0)], call("c1"), None),
        # The resident asked for Arabic: only who speaks it.
        ([SWEDE, profile("b", "sv ar", general=1)], call("c1", language="ar"), "b"),
        ([profile("a", "sv en", general=5)], call("c1", language="ar"), None),
        # The group's language when the resident asked none.
        ([SWEDE, FINN], call("c1", group="fi"), "b"),
        # The resident's language replaces the group's.
        ([SWEDE, FINN], call("c1", group="fi", language="sv"), "a"),
        # A chat-only agent takes no call.
        ([profile("a", capacity={CHAT: 3}, general=5), profile("b", general=1)], call("c1"), "b"),
    ],
)
def test_the_contact_goes_to_the_best_agent_who_can_take_it(
    agents: list[AgentProfile], contact: Contact, chosen: str | None
) -> None:
    groups = [GENERAL, Group("fi", "general", "fi")]
    router = Router(groups)
    for now, agent in enumerate(agents):
        router.set_agent(agent)
        router.set_state(agent.id, READY, now=float(now))
    router.enqueue(contact)
    offers = router.route(now=10.0)
    assert [o.agent_id for o in offers] == ([chosen] if chosen else [])
    assert [c.id for c in router.waiting()] == ([] if chosen else [contact.id])


def test_ties_in_proficiency_and_idle_time_go_to_the_lowest_id() -> None:
    router = center([GENERAL], [profile("b", general=2), profile("a", general=2)], now=5.0)
    router.enqueue(call("c1"))
    assert router.route(now=6.0) == [Offer("c1", "a", "g")]


def test_longest_idle_counts_from_the_end_of_the_last_contact() -> None:
    router = center([GENERAL], [profile("a", general=1), profile("b", general=1)])
    router.enqueue(call("c1"))
    assert router.route(now=1.0) == [Offer("c1", "a", "g")]
    router.accept("a", "c1", now=2.0)
    router.finish("a", "c1", now=3.0)  # both were idle since 0 (a by id); now a since 3
    router.enqueue(call("c2", queued_at=4.0))
    assert router.route(now=4.0) == [Offer("c2", "b", "g")]
    assert router.status_of("a").idle_since == 3.0


# --- capacity ----------------------------------------------------------------------------------


def test_an_agent_takes_chats_up_to_capacity_and_no_call_while_chatting() -> None:
    router = center(
        [GENERAL], [profile("a", general=3), profile("b", capacity=CALLS_ONLY, general=1)]
    )
    for i in range(5):
        router.enqueue(Contact(f"chat{i}", "g", CHAT, float(i)))
    router.enqueue(call("call", queued_at=10.0))
    offers = router.route(now=20.0)
    # Three chats for a (capacity 3); b takes calls only; the call goes to b, not to busy a.
    assert [(o.contact_id, o.agent_id) for o in offers] == [
        ("chat0", "a"),
        ("chat1", "a"),
        ("chat2", "a"),
        ("call", "b"),
    ]
    assert router.status_of("a").load[CHAT] == 3
    assert router.state_of("a") is AgentState.BUSY
    assert router.state_of("b") is AgentState.OFFERED
    assert [c.id for c in router.waiting()] == ["chat3", "chat4"]
    router.accept("a", "chat0", now=21.0)
    router.finish("a", "chat0", now=22.0)
    assert router.route(now=22.0) == [Offer("chat3", "a", "g")]


def test_an_agent_on_a_call_takes_nothing_else() -> None:
    router = center([GENERAL], [profile("a", general=3)])
    router.enqueue(call("call"))
    router.enqueue(Contact("mail", "g", EMAIL, 1.0))
    assert router.route(now=2.0) == [Offer("call", "a", "g")]
    router.accept("a", "call", now=3.0)
    assert router.route(now=4.0) == []
    assert router.state_of("a") is AgentState.BUSY
    router.finish("a", "call", now=5.0)
    assert router.route(now=5.0) == [Offer("mail", "a", "g")]


def test_chats_fill_the_longest_idle_agent_and_a_finish_counts_as_end_of_work() -> None:
    router = center([GENERAL], [profile("a", general=2), profile("b", general=2)])
    router.set_state("b", PAUSED, now=0.0)
    router.set_state("b", READY, now=0.5)  # a idle since 0, b since 0.5
    offers = []
    for i in range(1, 5):
        router.enqueue(Contact(f"chat{i}", "g", CHAT, float(i)))
        offers += router.route(now=float(i))
    assert [o.agent_id for o in offers] == ["a", "a", "a", "b"]
    router.finish("a", "chat1", now=6.0)  # a still holds two: idle since 0 still
    router.enqueue(Contact("chat5", "g", CHAT, 7.0))
    assert router.route(now=7.0) == [Offer("chat5", "a", "g")]
    for chat in ("chat2", "chat3", "chat5"):
        router.finish("a", chat, now=8.0)  # the end of a's work: idle since 8
    router.enqueue(Contact("chat6", "g", CHAT, 9.0))
    assert router.route(now=9.0) == [Offer("chat6", "b", "g")]
    assert router.status_of("a").idle_since == 8.0


# --- overflow, aging, callback -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("waited", "offered_to"),
    [
        (0.0, None),
        (29.999999, None),
        (30.0 - 1e-9, None),
        (30.0, ("b", "second")),
        (31.0, ("b", "second")),
    ],
)
def test_overflow_opens_exactly_after_its_seconds(
    waited: float, offered_to: tuple[str, str] | None
) -> None:
    groups = [
        Group("first", "permits", overflow=(OverflowStep(30.0, "second"),)),
        Group("second", "general"),
    ]
    router = center(groups, [profile("b", general=1)])
    queued_at = 1000.1  # not a round number: 1000.1 + 30 is not exactly 1030.1
    router.enqueue(call("c1", group="first", queued_at=queued_at))
    offers = router.route(now=queued_at + waited)
    expected = [Offer("c1", *offered_to)] if offered_to else []
    assert offers == expected


def test_overflow_opens_later_by_itself_while_nothing_else_happens() -> None:
    groups = [
        Group("first", "permits", overflow=(OverflowStep(30, "second"), OverflowStep(60, "third"))),
        Group("second", "general", "fi"),
        Group("third", "general"),
    ]
    router = center(groups, [profile("p", "sv", general=5)])
    router.enqueue(call("c1", group="first"))
    assert router.route(now=10.0) == []
    assert router.route(now=30.0) == []  # second group needs Finnish
    assert router.route(now=59.0) == []
    assert router.route(now=60.0) == [Offer("c1", "p", "third")]


def test_a_contact_queued_earlier_than_the_waiting_ones_overflows_at_once() -> None:
    groups = [
        Group("first", "permits", overflow=(OverflowStep(20.0, "second"),)),
        Group("second", "general"),
    ]
    router = center(groups, [profile("g", general=1)])
    router.enqueue(call("c1", group="first", queued_at=100.0))
    assert router.route(now=100.0) == []
    # A returned contact keeps its older queued_at: it has waited 25 s, overflow is open.
    router.enqueue(call("c0", group="first", queued_at=80.0))
    assert router.route(now=105.0) == [Offer("c0", "g", "second")]


def test_a_changed_group_routes_its_waiting_contacts_anew() -> None:
    router = center([Group("g", "permits")], [profile("a", general=1)])
    router.enqueue(call("c1"))
    assert router.route(now=1.0) == []
    router.set_group(Group("g", "general", overflow=(OverflowStep(5.0, "later"),)))
    assert router.route(now=2.0) == [Offer("c1", "a", "g")]


def test_an_agent_in_two_groups_counts_through_the_better_one() -> None:
    groups = [
        Group("first", "permits", overflow=(OverflowStep(0.0, "second"),)),
        Group("second", "general"),
    ]
    router = center(groups, [profile("a", permits=1, general=4), profile("b", permits=3)])
    router.enqueue(call("c1", group="first"))
    assert router.route(now=1.0) == [Offer("c1", "a", "second")]


@pytest.mark.parametrize(
    ("aging_seconds", "new_queued_at", "first"),
    [
        (60.0, 30.0, "new"),  # waited 30 s more: not enough to beat one priority step
        (60.0, 59.0, "new"),
        (60.0, 60.0, "old"),  # equal effective priority: the older goes first
        (60.0, 90.0, "old"),
        (120.0, 90.0, "new"),  # slower aging
        (math.inf, 10_000.0, "new"),  # no aging: priority only
    ],
)
def test_aging_lets_an_old_low_priority_contact_go_first(
    aging_seconds: float, new_queued_at: float, first: str
) -> None:
    router = Router([GENERAL], aging_seconds=aging_seconds)
    router.set_agent(profile("a", general=1))
    router.enqueue(call("old", queued_at=0.0, priority=2))
    router.enqueue(call("new", queued_at=new_queued_at, priority=1))
    assert [c.id for c in router.waiting("g")] == sorted(["old", "new"], key=lambda i: i != first)
    router.set_state("a", READY, now=new_queued_at + 1)
    assert [o.contact_id for o in router.route(now=new_queued_at + 1)] == [first]


def test_a_callback_keeps_its_place() -> None:
    router = center([GENERAL], [])
    for i in range(3):
        router.enqueue(call(f"c{i}", queued_at=float(i)))
    router.request_callback("c1", now=5.0)
    waiting = router.waiting("g")
    assert [c.id for c in waiting] == ["c0", "c1", "c2"]
    assert [c.callback for c in waiting] == [False, True, False]
    assert waiting[1].queued_at == 1.0
    router.set_agent(profile("a", general=1))
    router.set_state("a", READY, now=6.0)
    assert router.decide(call("c1", queued_at=1.0), now=6.0) == Waiting("c1", 1, 180.0, False)
    assert router.route(now=6.0) == []  # decide routed: c0 went to a
    assert router.pending_offers() == [Offer("c0", "a", "g")]
    with pytest.raises(ValueError, match="already offered"):
        router.request_callback("c0", now=7.0)
    with pytest.raises(KeyError):
        router.request_callback("nobody", now=7.0)


# --- states: wrap-up, reject, log out ----------------------------------------------------------


def test_wrap_up_ends_by_itself_at_its_time() -> None:
    router = center([GENERAL], [profile("a", general=1)])
    router.enqueue(call("c1"))
    router.route(now=1.0)
    router.accept("a", "c1", now=2.0)
    router.finish("a", "c1", now=100.0, wrap_up_seconds=30.0)
    assert router.state_of("a") is WRAP_UP
    assert router.status_of("a").wrap_up_until == 130.0
    router.enqueue(call("c2", queued_at=110.0))
    assert router.route(now=129.999) == []
    assert router.state_of("a") is WRAP_UP
    assert router.route(now=130.0) == [Offer("c2", "a", "g")]


def test_after_wrap_up_the_agent_is_idle_since_its_end_not_since_the_tick() -> None:
    router = center([GENERAL], [profile("a", general=1), profile("b", general=1)], now=50.0)
    router.set_state("a", WRAP_UP, now=0.0, wrap_up_until=40.0)
    router.tick(now=200.0)
    assert router.state_of("a") is READY
    assert router.status_of("a").idle_since == 40.0
    router.enqueue(call("c1", queued_at=200.0))
    assert router.route(now=200.0) == [Offer("c1", "a", "g")]  # idle since 40 < 50


def test_a_wrap_up_due_ends_before_anything_else_the_agent_does() -> None:
    router = center([GENERAL], [profile("a", general=1)])
    router.set_state("a", WRAP_UP, now=0.0, wrap_up_until=40.0)
    router.set_state("a", READY, now=90.0)  # READY already, since 40
    assert router.status_of("a").idle_since == 40.0


def test_reject_puts_the_contact_back_in_its_place_and_pauses_the_agent() -> None:
    router = center([GENERAL], [profile("a", general=2), profile("b", general=1)])
    router.set_state("b", PAUSED, now=0.0, reason="lunch")
    router.enqueue(call("c1", queued_at=1.0))
    assert router.route(now=2.0) == [Offer("c1", "a", "g")]
    router.enqueue(call("c2", queued_at=3.0))
    router.reject("a", "c1", now=10.0)
    assert router.state_of("a") is PAUSED
    assert router.status_of("a").reason == NO_ANSWER
    assert [(c.id, c.queued_at) for c in router.waiting("g")] == [("c1", 1.0), ("c2", 3.0)]
    assert router.pending_offers() == []
    router.set_state("b", READY, now=11.0)
    assert router.route(now=11.0) == [Offer("c1", "b", "g")]
    with pytest.raises(ValueError, match="not offered"):
        router.accept("a", "c1", now=12.0)


def test_logging_out_returns_unanswered_offers_and_forgets_answered_ones() -> None:
    router = center([GENERAL], [profile("a", general=1)])
    for i in range(3):
        router.enqueue(Contact(f"chat{i}", "g", CHAT, float(i)))
    assert len(router.route(now=5.0)) == 3
    router.accept("a", "chat1", now=6.0)
    router.set_state("a", LOGGED_OUT, now=7.0)
    assert [c.id for c in router.waiting()] == ["chat0", "chat2"]
    assert router.status_of("a").contacts == ()
    assert router.state_of("a") is LOGGED_OUT
    with pytest.raises(KeyError):
        router.withdraw("chat1")


def test_withdrawing_a_ringing_call_frees_the_agent() -> None:
    router = center([GENERAL], [profile("a", general=1)])
    router.enqueue(call("c1"))
    router.enqueue(call("c2", queued_at=1.0))
    assert router.route(now=2.0) == [Offer("c1", "a", "g")]
    router.withdraw("c1")
    assert router.state_of("a") is READY
    assert router.route(now=3.0) == [Offer("c2", "a", "g")]
    router.accept("a", "c2", now=4.0)
    with pytest.raises(ValueError, match="finish"):
        router.withdraw("c2")


def test_a_paused_agent_keeps_their_contacts_and_gets_no_new_ones() -> None:
    router = center([GENERAL], [profile("a", general=1)])
    router.enqueue(Contact("chat0", "g", CHAT, 0.0))
    router.route(now=1.0)
    router.accept("a", "chat0", now=1.0)
    router.set_state("a", PAUSED, now=2.0, reason="meeting")
    router.enqueue(Contact("chat1", "g", CHAT, 3.0))
    assert router.route(now=4.0) == []
    assert router.status_of("a").contacts == ("chat0",)
    router.finish("a", "chat0", now=5.0, wrap_up_seconds=10.0)  # paused stays paused
    assert router.state_of("a") is PAUSED
    router.set_state("a", READY, now=6.0)
    assert router.route(now=6.0) == [Offer("chat1", "a", "g")]


@pytest.mark.parametrize(
    ("call_", "error"),
    [
        (lambda r: r.enqueue(call("c0")), ValueError),  # duplicate id
        (lambda r: r.enqueue(call("x", group="nope")), ValueError),
        (lambda r: r.set_state("a", AgentState.BUSY, now=1.0), ValueError),
        (lambda r: r.set_state("a", READY, now=1.0, wrap_up_until=5.0), ValueError),
        (lambda r: r.set_state("nobody", READY, now=1.0), KeyError),
        (lambda r: r.accept("a", "c0", now=1.0), ValueError),  # waiting, not offered
        (lambda r: r.finish("a", "c0", now=1.0), ValueError),
        (lambda r: r.withdraw("nothing"), KeyError),
        (lambda r: r.estimated_wait("nope", now=1.0), KeyError),
        (lambda r: r.estimated_wait("g", now=1.0, position=0), ValueError),
    ],
)
def test_what_does_not_fit_raises(
    call_: Callable[[Router], object], error: type[Exception]
) -> None:
    router = Router([GENERAL])
    router.set_agent(profile("a", general=1))
    router.enqueue(call("c0"))
    with pytest.raises(error):
        call_(router)


# --- the estimate and the routing API ----------------------------------------------------------


def ewt_center(staffed: int, paused: int = 0, logged_out: int = 0) -> Router:
    router = Router(
        [Group("g", "general", callback_threshold_seconds=100.0)], handle_seconds={"g": 120.0}
    )
    agents = [profile(f"a{i}", general=1) for i in range(staffed + paused + logged_out)]
    for i, agent in enumerate(agents):
        router.set_agent(agent)
        if i < staffed + paused:
            router.set_state(agent.id, READY if i < staffed else PAUSED, now=0.0)
    # Keep the staffed agents busy so that nobody is free.
    for i in range(staffed):
        router.enqueue(call(f"busy{i}"))
    router.route(now=0.0)
    return router


@pytest.mark.parametrize(
    ("staffed", "paused", "logged_out", "waiting", "position", "expected"),
    [
        # position × handle (120 s) / staffed agents
        (1, 0, 0, 0, None, 120.0),
        (1, 0, 0, 2, None, 360.0),  # two ahead: third in line
        (4, 0, 0, 3, None, 120.0),
        (4, 0, 0, 7, None, 240.0),
        (4, 3, 5, 7, None, 240.0),  # paused and logged-out agents do not count
        (2, 0, 0, 9, 3, 180.0),  # the estimate of the contact in position 3
        (0, 2, 0, 1, None, 240.0),  # nobody staffed: counted as one agent
    ],
)
def test_estimated_wait(
    staffed: int, paused: int, logged_out: int, waiting: int, position: int | None, expected: float
) -> None:
    router = ewt_center(staffed, paused, logged_out)
    for i in range(waiting):
        router.enqueue(call(f"w{i}", queued_at=float(i)))
    assert router.estimated_wait("g", now=10.0, position=position) == pytest.approx(expected)


def test_estimated_wait_rises_with_the_queue_and_falls_with_more_agents() -> None:
    by_queue = []
    for waiting in range(6):
        router = ewt_center(3)
        for i in range(waiting):
            router.enqueue(call(f"w{i}", queued_at=float(i)))
        by_queue.append(router.estimated_wait("g", now=10.0))
    assert by_queue == sorted(by_queue) and len(set(by_queue)) == 6
    by_agents = []
    for staffed in range(1, 6):
        router = ewt_center(staffed)
        for i in range(4):
            router.enqueue(call(f"w{i}", queued_at=float(i)))
        by_agents.append(router.estimated_wait("g", now=10.0))
    assert by_agents == sorted(by_agents, reverse=True) and len(set(by_agents)) == 5


def test_estimated_wait_is_zero_with_a_ready_agent_and_nobody_ahead() -> None:
    router = center([GENERAL], [profile("a", general=1)])
    assert router.estimated_wait("g", now=1.0) == 0.0
    router.enqueue(Contact("w0", "g", CALL, 0.0, language="ar"))  # a cannot take it
    assert router.estimated_wait("g", now=1.0) == 360.0  # 2 × 180 / 1


def test_decide_returns_the_offer_or_the_place_and_keeps_other_offers() -> None:
    router = ewt_center(1)
    assert router.decide(call("n1", queued_at=1.0), now=1.0) == Waiting("n1", 1, 120.0, True)
    assert router.decide(call("n2", queued_at=2.0), now=2.0) == Waiting("n2", 2, 240.0, True)
    router.request_callback("n2", now=3.0)
    assert router.decide(call("n2", queued_at=2.0), now=3.0) == Waiting("n2", 2, 240.0, False)
    router.set_agent(profile("extra", general=1))
    router.set_state("extra", READY, now=4.0)  # takes n1 at the next route
    assert router.decide(call("n3", queued_at=5.0), now=5.0) == Waiting("n3", 2, 120.0, True)
    assert router.pending_offers() == [Offer("busy0", "a0", "g"), Offer("n1", "extra", "g")]
    router.accept("a0", "busy0", now=6.0)
    router.finish("a0", "busy0", now=7.0)
    assert router.decide(call("n3", queued_at=5.0), now=8.0) == Waiting("n3", 1, 60.0, False)
    assert router.pending_offers()[-1] == Offer("n2", "a0", "g")


def test_agents_by_state_counts_those_who_can_take_the_group() -> None:
    groups = [GENERAL, Group("fi", "general", "fi")]
    router = center(groups, [profile("a", general=1), profile("b", "fi", general=1)])
    router.set_agent(profile("c", "fi", general=1))
    router.enqueue(call("c1", group="fi"))
    router.route(now=1.0)
    expected_fi = dict.fromkeys(AgentState, 0) | {AgentState.OFFERED: 1, LOGGED_OUT: 1}
    assert router.agents_by_state("fi") == expected_fi
    assert router.agents_by_state()[READY] == 1


# --- the core stays pure -----------------------------------------------------------------------


def test_the_router_imports_only_the_standard_library_and_the_core() -> None:
    tree = ast.parse(Path(router_module.__file__).read_text())
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert names, "parsed no imports"
    for name in names:
        top = name.split(".")[0]
        assert (
            name.startswith("kontakt.core") or top in sys.stdlib_module_names or top == "__future__"
        ), name


# --- the router against the reference ----------------------------------------------------------

CODES = ["a", "b", "c"]
SKILLS = ["s1", "s2", "s3"]
LANGUAGES = ["sv", "fi", "en"]

groups_strategy = st.tuples(
    *(
        st.builds(
            Group,
            st.just(code),
            st.sampled_from(SKILLS),
            st.sampled_from([None, None, *LANGUAGES]),
            st.lists(
                st.builds(
                    OverflowStep,
                    st.sampled_from([0.0, 5.0, 10.0, 20.0]),
                    st.sampled_from([*CODES, "unknown"]),
                ),
                max_size=2,
            ).map(tuple),
            st.sampled_from([None, 0.0, 200.0]),
        )
        for code in CODES
    )
)
profile_parts = st.tuples(
    st.dictionaries(st.sampled_from(SKILLS), st.integers(0, 3)),
    st.frozensets(st.sampled_from(LANGUAGES), min_size=1),
    st.fixed_dictionaries(
        {CALL: st.integers(0, 1), CHAT: st.integers(0, 2), EMAIL: st.integers(0, 2)}
    ),
)
AgentParts = tuple[dict[str, int], frozenset[str], dict[Channel, int]]


@settings(max_examples=100, stateful_step_count=40, deadline=None)
class RouterMatchesReference(RuleBasedStateMachine):
    """Random operations on the router and the reference: the same offers, states, queues."""

    router: Router
    reference: ReferenceRouter

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.serial = 0
        self.agent_ids: list[str] = []

    @initialize(
        groups=groups_strategy,
        agents=st.lists(profile_parts, min_size=1, max_size=6),
        aging=st.sampled_from([30.0, 60.0, math.inf]),
    )
    def build(self, groups: tuple[Group, ...], agents: list[AgentParts], aging: float) -> None:
        handle = {"a": 120.0}
        self.router = Router(groups, aging_seconds=aging, handle_seconds=handle)
        self.reference = ReferenceRouter(groups, aging_seconds=aging, handle_seconds=handle)
        for i, (skills, languages, capacity) in enumerate(agents):
            self.agent_ids.append(f"x{i}")
            self.both("set_agent", AgentProfile(f"x{i}", skills, languages, capacity))

    def both(self, method: str, *args: object, **kwargs: object) -> object:
        """Call a method on both; they must return equal results or raise the same error."""
        outcomes = []
        for each in (self.router, self.reference):
            try:
                outcomes.append(("ok", getattr(each, method)(*args, **kwargs)))
            except (KeyError, ValueError) as error:
                outcomes.append(("raised", type(error)))
        assert outcomes[0] == outcomes[1], (method, args, outcomes)
        return outcomes[0][1]

    def check_offers(self, offers: list[Offer]) -> None:
        for offer in offers:
            agent = self.reference.agents[offer.agent_id]
            holding = agent.held[offer.contact_id]
            contact, group = holding.contact, self.reference.groups[offer.group]
            need = Need(group.skill, contact.language or group.language)
            assert proficiency(agent.profile.agent, need) >= 1
            if group.code != contact.group:
                after = min(
                    s.after_seconds
                    for s in self.reference.groups[contact.group].overflow
                    if s.group == group.code
                )
                assert contact.queued_at + after <= self.now
            status = self.router.status_of(offer.agent_id)
            assert status.load[contact.channel] <= agent.profile.capacity.get(contact.channel, 0)
            if status.load[CALL]:  # a call excludes everything else
                assert status.contacts == (offer.contact_id,) or contact.channel is not CALL
                assert len(status.contacts) == 1

    @rule(seconds=st.sampled_from([0.0, 0.5, 1.0, 5.0, 10.0, 20.0]))
    def route(self, seconds: float) -> None:
        self.now += seconds
        offers = self.both("route", now=self.now)
        assert isinstance(offers, list)
        self.check_offers(offers)

    @rule(
        agent=st.integers(0, 5),
        state=st.sampled_from([LOGGED_OUT, READY, READY, PAUSED, WRAP_UP]),
        wrap=st.sampled_from([None, 0.0, 5.0, 15.0]),
    )
    def set_state(self, agent: int, state: AgentState, wrap: float | None) -> None:
        until = self.now + wrap if state is WRAP_UP and wrap is not None else None
        agent_id = self.agent_ids[agent % len(self.agent_ids)]
        self.both("set_state", agent_id, state, now=self.now, reason="r", wrap_up_until=until)

    @rule(
        group=st.sampled_from(CODES),
        channel=st.sampled_from([CALL, CALL, CHAT, EMAIL]),
        priority=st.integers(0, 2),
        language=st.sampled_from([None, None, *LANGUAGES]),
        waited=st.sampled_from([0.0, 3.0, 10.0, 25.0]),
        decide=st.booleans(),
    )
    def arrive(
        self,
        group: str,
        channel: Channel,
        priority: int,
        language: str | None,
        waited: float,
        decide: bool,
    ) -> None:
        self.serial += 1
        contact = Contact(f"c{self.serial}", group, channel, self.now - waited, priority, language)
        if decide:
            before = self.router.pending_offers()
            self.both("decide", contact, now=self.now)
            self.check_offers([o for o in self.router.pending_offers() if o not in before])
        else:
            self.both("enqueue", contact)

    @rule(index=st.integers(0, 99), accept=st.booleans())
    def answer(self, index: int, accept: bool) -> None:
        pending = self.reference.pending
        if pending:
            offer = pending[index % len(pending)]
            method = "accept" if accept else "reject"
            self.both(method, offer.agent_id, offer.contact_id, now=self.now)

    @rule(index=st.integers(0, 99), wrap=st.sampled_from([0.0, 0.0, 5.0, 12.0]))
    def finish(self, index: int, wrap: float) -> None:
        held = sorted((a, c) for a, r in self.reference.agents.items() for c in r.held)
        if held:
            agent_id, contact_id = held[index % len(held)]
            self.both("finish", agent_id, contact_id, now=self.now, wrap_up_seconds=wrap)

    @rule(index=st.integers(0, 99), callback=st.booleans())
    def withdraw_or_call_back(self, index: int, callback: bool) -> None:
        known = sorted(self.reference.queue) + [o.contact_id for o in self.reference.pending]
        contact_id = known[index % len(known)] if known else "unknown"
        if callback:
            self.both("request_callback", contact_id, now=self.now)
        else:
            self.both("withdraw", contact_id)

    @rule(agent=st.integers(0, 5), parts=profile_parts, remove=st.booleans())
    def change_agent(self, agent: int, parts: AgentParts, remove: bool) -> None:
        agent_id = self.agent_ids[agent % len(self.agent_ids)]
        if remove and agent_id in self.reference.agents:
            self.both("remove_agent", agent_id)
        else:
            self.both("set_agent", AgentProfile(agent_id, *parts))

    @rule(groups=groups_strategy, which=st.integers(0, 2))
    def change_group(self, groups: tuple[Group, ...], which: int) -> None:
        self.both("set_group", groups[which])

    @invariant()
    def same_state(self) -> None:
        router, reference = self.router, self.reference
        assert router.pending_offers() == reference.pending_offers()
        assert router.waiting() == reference.waiting()
        assert router.agents_by_state() == reference.agents_by_state()
        for code in CODES:
            assert router.waiting(code) == reference.waiting(code)
            assert router.agents_by_state(code) == reference.agents_by_state(code)
            assert router.estimated_wait(code, now=self.now) == reference.estimated_wait(
                code, now=self.now
            )
        for agent_id, agent in reference.agents.items():
            status = router.status_of(agent_id)
            assert status.state is reference.state_of(agent_id)
            assert (status.reason, status.wrap_up_until) == (agent.reason, agent.wrap_up_until)
            assert set(status.contacts) == set(agent.held)
            if status.state is READY:
                assert status.idle_since == agent.idle_since


TestRouterMatchesReference = RouterMatchesReference.TestCase


# --- a longer script at a larger scale, twice ---------------------------------------------------


def random_script(seed: int, routers: list[Router | ReferenceRouter]) -> list[list[object]]:
    """Drive the routers through the same seeded script; what each returned, step by step."""
    rng = random.Random(seed)
    skills = [f"skill{i}" for i in range(6)]
    languages = ["sv", "en", "ar", "so", "fi"]
    groups = [
        Group(
            f"g{i}",
            skills[i % 6],
            rng.choice([None, None, None, *languages]),
            tuple(
                OverflowStep(rng.choice([10.0, 30.0, 60.0]), f"g{rng.randrange(10)}")
                for _ in range(rng.randrange(3))
            ),
            rng.choice([None, 300.0]),
        )
        for i in range(10)
    ]
    profiles = [
        AgentProfile(
            f"agent{i:02}",
            {s: rng.randint(1, 5) for s in rng.sample(skills, rng.randint(1, 3))},
            frozenset({"sv", *rng.sample(languages, rng.randint(0, 2))}),
            rng.choice([DEFAULT_CAPACITY, CALLS_ONLY, {CHAT: 3, EMAIL: 5}]),
        )
        for i in range(40)
    ]
    results: list[list[object]] = [[] for _ in routers]
    for each in routers:
        for group in groups:
            each.set_group(group)
        for agent in profiles:
            each.set_agent(agent)
            each.set_state(agent.id, READY, now=0.0)
    now = 0.0
    for step in range(800):
        now += rng.choice([0.0, 0.5, 2.0, 5.0])
        roll = rng.random()
        pending = routers[0].pending_offers()
        for each, out in zip(routers, results, strict=True):
            if roll < 0.4:
                contact = Contact(
                    f"c{step}",
                    f"g{random.Random(step).randrange(10)}",
                    [CALL, CALL, CHAT, EMAIL][step % 4],
                    now - (step % 7),
                    step % 3,
                    languages[step % 5] if step % 11 == 0 else None,
                )
                out.append(each.decide(contact, now=now))
            elif pending and roll < 0.85:
                offer = pending[step % len(pending)]
                if step % 17:
                    each.accept(offer.agent_id, offer.contact_id, now=now)
                    each.finish(
                        offer.agent_id, offer.contact_id, now=now, wrap_up_seconds=step % 3 * 5
                    )
                else:
                    each.reject(offer.agent_id, offer.contact_id, now=now)
            elif roll < 0.95:
                each.set_state(profiles[step % 40].id, READY, now=now)
            out.append(each.route(now=now))
    return results


def test_a_long_script_repeats_exactly_and_matches_the_reference() -> None:
    first, second, reference = random_script(7, [Router(), Router(), ReferenceRouter()])
    assert first == second
    assert first == reference
    outcomes = [o for step in first for o in (step if isinstance(step, list) else [step])]
    offers = [o for o in outcomes if isinstance(o, Offer)]
    waits = [w for w in outcomes if isinstance(w, Waiting)]
    # The script exercises both kinds of decision, and overflow.
    assert len(offers) > 200 and len(waits) > 100
    own = {o.contact_id: f"g{random.Random(int(o.contact_id[1:])).randrange(10)}" for o in offers}
    assert any(o.group != own[o.contact_id] for o in offers)
