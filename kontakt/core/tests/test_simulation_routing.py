"""One routing rule: the simulator's engine offers what production's Router offers.

The same stream (answer groups with skills, languages and overflow steps; agents with
skills, proficiencies and languages; calls with priorities and languages arriving, agents
finishing calls, callers hanging up) is played twice: on a Router driven the way production
drives it (enqueue, route, accept, finish with wrap-up), and through the simulator's event
engine. Both must make the same offers, in the same order.

Times are chosen so that nothing happens at the same instant by accident: stream events at
whole seconds, overflow steps opening at half seconds, wrap-ups ending at .75 s.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from kontakt.core.router import (
    AgentProfile,
    AgentState,
    Channel,
    Contact,
    Group,
    Offer,
    OverflowStep,
    Router,
)
from kontakt.core.simulation import (
    _FIRST,
    AnswerGroup,
    Duration,
    Overflow,
    Scenario,
    Team,
    _Contact,
    _Engine,
)

SKILLS = ["general", "permits", "care"]
LANGUAGES = ["sv", "en", "ar"]
NEVER = 1e12  # talk time: calls end only when the stream says so


@dataclass(frozen=True)
class Center:
    groups: list[Group]
    agents: list[AgentProfile]
    wrap_up_seconds: float
    aging_seconds: float


@st.composite
def centers(draw: st.DrawFn) -> Center:
    count = draw(st.integers(1, 4))
    codes = [f"g{i}" for i in range(count)]
    groups = []
    for code in codes:
        others = [c for c in codes if c != code]
        targets = draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
        steps = tuple(OverflowStep(draw(st.integers(0, 40)) + 0.5, target) for target in targets)
        groups.append(
            Group(
                code=code,
                skill=draw(st.sampled_from(SKILLS)),
                language=draw(st.sampled_from([None, *LANGUAGES])),
                overflow=steps,
            )
        )
    agents = [
        AgentProfile(
            id=f"a{i}#1",  # the engine names a team's first agent so
            skills=draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(0, 3), min_size=1)),
            languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES), min_size=1))),
        )
        for i in range(draw(st.integers(1, 4)))
    ]
    wrap_up = draw(st.sampled_from([0.0, 2.75, 30.75]))
    aging = draw(st.sampled_from([60.0, 2.0]))
    return Center(groups, agents, wrap_up, aging)


# A stream event: (gap in whole seconds since the last one, what happens). What happens is
# ("arrive", group, priority, language), ("finish", agent) or ("hang_up", nth arrival).
# Arrivals come twice as often as the rest, so queues form and the order of service counts.
arrival = st.tuples(
    st.just("arrive"), st.integers(0, 3), st.integers(0, 3), st.sampled_from([None, *LANGUAGES])
)
events = st.lists(
    st.tuples(
        st.integers(1, 20),
        st.one_of(
            arrival,
            arrival,
            st.tuples(st.just("finish"), st.integers(0, 3)),
            st.tuples(st.just("hang_up"), st.integers(0, 40)),
        ),
    ),
    max_size=80,
)


def production(center: Center, stream: list[tuple[int, tuple[object, ...]]]) -> list[Offer]:
    """Play the stream on a Router the way production uses it; the offers made, in order."""
    router = Router(center.groups, aging_seconds=center.aging_seconds)
    steps = {g.code: [s.after_seconds for s in g.overflow] for g in center.groups}
    offers: list[Offer] = []
    holds: dict[str, str] = {}  # agent -> the call they are talking on
    waiting: set[str] = set()
    routes: list[float] = []  # when overflow steps open and wrap-ups end: route then

    def route(now: float) -> None:
        for offer in router.route(now=now):
            router.accept(offer.agent_id, offer.contact_id, now=now)
            offers.append(offer)
            holds[offer.agent_id] = offer.contact_id
            waiting.discard(offer.contact_id)

    for agent in center.agents:
        router.set_agent(agent)
        router.set_state(agent.id, AgentState.READY, now=0.0)
        route(0.0)
    now = 0.0
    arrivals: list[str] = []
    for gap, (what, *args) in stream:
        now += gap
        while routes and routes[0] < now:
            route(heapq.heappop(routes))
        if what == "arrive":
            group, priority, language = args
            assert isinstance(group, int) and isinstance(priority, int)
            assert language is None or isinstance(language, str)
            code = center.groups[group % len(center.groups)].code
            contact_id = str(len(arrivals) + 1)
            arrivals.append(contact_id)
            waiting.add(contact_id)
            router.enqueue(Contact(contact_id, code, Channel.CALL, now, priority, language))
            for after in steps[code]:
                heapq.heappush(routes, now + after)
            route(now)
        elif what == "finish":
            (index,) = args
            assert isinstance(index, int)
            agent_id = center.agents[index % len(center.agents)].id
            if agent_id in holds:
                contact_id = holds.pop(agent_id)
                wrap_up = center.wrap_up_seconds
                router.finish(agent_id, contact_id, now=now, wrap_up_seconds=wrap_up)
                if wrap_up:
                    heapq.heappush(routes, now + wrap_up)
                route(now)
        else:
            (nth,) = args
            assert isinstance(nth, int)
            if nth < len(arrivals) and arrivals[nth] in waiting:
                waiting.discard(arrivals[nth])
                router.withdraw(arrivals[nth])
    end = now + 100
    while routes and routes[0] < end:
        route(heapq.heappop(routes))
    return offers


class _TracingEngine(_Engine):
    """The simulator's engine, keeping (contact, agent) of each offer it answers."""

    def __init__(self, scenario: Scenario, *, seed: int, progress: None) -> None:
        super().__init__(scenario, seed=seed, progress=progress)
        self.offers: list[tuple[str, str]] = []

    def answer(self, offer: Offer) -> None:
        self.offers.append((offer.contact_id, offer.agent_id))
        super().answer(offer)


def simulated(
    center: Center, stream: list[tuple[int, tuple[object, ...]]]
) -> list[tuple[str, str]]:
    """Play the stream through the simulator's event engine: (contact, agent) of each offer."""
    scenario = Scenario(
        groups=tuple(
            AnswerGroup(
                name=g.code,
                skill=g.skill,
                calls=(0.0,),  # no arrivals of its own: the stream brings them
                talk=Duration(NEVER, "constant"),
                wrap_up_seconds=center.wrap_up_seconds,
                language=g.language,
                overflow=tuple(Overflow(s.group, s.after_seconds) for s in g.overflow),
            )
            for g in center.groups
        ),
        teams=tuple(
            Team(a.id.removesuffix("#1"), (1,), dict(a.skills), a.languages) for a in center.agents
        ),
        interval_seconds=NEVER,
        aging_seconds=center.aging_seconds,
    )
    engine = _TracingEngine(scenario, seed=0, progress=None)
    engine.start()
    now = 0.0
    arrivals: list[_Contact] = []
    for gap, (what, *args) in stream:
        now += gap
        engine.advance(now)
        engine.now = now
        if what == "arrive":
            group, priority, language = args
            assert isinstance(group, int) and isinstance(priority, int)
            assert language is None or isinstance(language, str)
            k = group % len(center.groups)
            count = engine.counts[k][0]
            count.arrivals += 1
            arrivals.append(engine.enter(k, _FIRST, count, language, priority))
        elif what == "finish":
            (index,) = args
            assert isinstance(index, int)
            seat = engine.seat_of[center.agents[index % len(center.agents)].id]
            if seat.contact is not None and seat.ready:  # talking, not wrapping up
                engine.talk_end(seat)
        else:
            (nth,) = args
            assert isinstance(nth, int)
            if nth < len(arrivals):
                engine.abandon(arrivals[nth])
    engine.advance(now + 100)
    return engine.offers


@settings(max_examples=500, deadline=None)
@given(center=centers(), stream=events)
def test_the_simulator_offers_what_production_routing_offers(
    center: Center, stream: list[tuple[int, tuple[object, ...]]]
) -> None:
    expected = [(o.contact_id, o.agent_id) for o in production(center, stream)]
    assert simulated(center, stream) == expected


def test_the_stream_exercises_overflow_priorities_and_languages() -> None:
    # A hand-made stream where each part of the rule decides an offer, so the property
    # above is known to compare offers that the rule shapes.
    center = Center(
        groups=[
            Group("permits", "permits", overflow=(OverflowStep(10.5, "general"),)),
            Group("general", "general", language="sv"),
        ],
        agents=[
            AgentProfile("a0#1", {"general": 1}, frozenset({"sv", "en"})),
            AgentProfile("a1#1", {"general": 3, "permits": 1}, frozenset({"sv"})),
        ],
        wrap_up_seconds=0.0,
        aging_seconds=60.0,
    )
    stream: list[tuple[int, tuple[object, ...]]] = [
        (1, ("arrive", 1, 1, None)),  # 1: general in Swedish: a1, the more proficient
        (1, ("arrive", 1, 1, "en")),  # 2: general in English: a0 alone speaks it
        (1, ("arrive", 0, 1, None)),  # 3: permits; a1 is busy, a0 lacks the skill: waits
        (1, ("arrive", 1, 2, None)),  # 4: general at a lower priority: waits
        (1, ("arrive", 1, 0, None)),  # 5: general, urgent: waits
        (1, ("finish", 1)),  # a1 takes 5, first by aged priority though 3 waited longer
        (20, ("finish", 0)),  # 3 has overflowed to general: a0 takes it before 4
    ]
    made = production(center, stream)
    offers = [(o.contact_id, o.agent_id) for o in made]
    assert offers == [("1", "a1#1"), ("2", "a0#1"), ("5", "a1#1"), ("3", "a0#1")]
    assert made[-1].group == "general"
    assert simulated(center, stream) == offers


def test_aging_lets_an_old_low_priority_call_go_first() -> None:
    center = Center(
        groups=[Group("general", "general")],
        agents=[AgentProfile("a0#1", {"general": 1}, frozenset({"sv"}))],
        wrap_up_seconds=0.0,
        aging_seconds=10.0,
    )
    stream: list[tuple[int, tuple[object, ...]]] = [
        (1, ("arrive", 0, 1, None)),  # 1: taken at once
        (1, ("arrive", 0, 2, None)),  # 2: priority 2 at 2 s, aged 2.2
        (20, ("arrive", 0, 1, None)),  # 3: priority 1 at 22 s, aged 3.2: after 2
        (1, ("finish", 0)),
    ]
    offers = [(o.contact_id, o.agent_id) for o in production(center, stream)]
    assert offers == [("1", "a0#1"), ("2", "a0#1")]
    assert simulated(center, stream) == offers
