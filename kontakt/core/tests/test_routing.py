"""Tests for kontakt.core.routing: who gets a contact, and which contact a free agent takes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontakt.core.routing import (
    Agent,
    AvailableAgents,
    Need,
    can_take,
    choose_agent,
    choose_waiting,
    proficiency,
)

SV, EN = "sv", "en"


def agent(id: str, languages: str = "sv", **skills: int) -> Agent:
    return Agent(id, skills, frozenset(languages.split()))


ANNA = agent("anna", "sv en", general=2, permits=1)
BO = agent("bo", "sv", general=3)
CEM = agent("cem", "sv ar", general=2, elderly=3)
DANA = agent("dana", "en", general=0, permits=2)


@pytest.mark.parametrize(
    ("who", "need", "expected"),
    [
        (ANNA, Need("general"), 2),
        (ANNA, Need("general", EN), 2),
        (BO, Need("general", EN), 0),  # no English
        (BO, Need("permits"), 0),  # no such skill
        (DANA, Need("general"), 0),  # proficiency 0 means cannot
        (DANA, Need("permits", EN), 2),
        (CEM, Need("elderly", "ar"), 3),
    ],
)
def test_proficiency_and_can_take(who: Agent, need: Need, expected: int) -> None:
    assert proficiency(who, need) == expected
    assert can_take(who, need) is (expected > 0)


@pytest.mark.parametrize(
    ("need", "available", "chosen"),
    [
        # Highest proficiency first, whoever has been idle longer.
        (Need("general"), [(ANNA, 10.0), (BO, 50.0), (CEM, 0.0)], "bo"),
        # Among equals, the one idle longest (earliest idle-since).
        (Need("general"), [(ANNA, 10.0), (CEM, 5.0)], "cem"),
        # Then the lowest id, so that choices are reproducible.
        (Need("general"), [(CEM, 5.0), (ANNA, 5.0)], "anna"),
        # The language rules out the better agent.
        (Need("general", EN), [(BO, 0.0), (ANNA, 99.0)], "anna"),
        (Need("general", "ar"), [(BO, 0.0), (ANNA, 0.0), (CEM, 7.0)], "cem"),
        (Need("permits", EN), [(ANNA, 0.0), (DANA, 9.0)], "dana"),
        # Nobody fits: no one is offered the contact.
        (Need("general", "fi"), [(ANNA, 0.0), (BO, 0.0)], None),
        (Need("general"), [], None),
    ],
)
def test_choose_agent(need: Need, available: list[tuple[Agent, float]], chosen: str | None) -> None:
    found = choose_agent(need, available)
    assert (found.id if found else None) == chosen
    pool = AvailableAgents()
    for each, idle_since in available:
        pool.add(each, idle_since)
    from_pool = pool.choose(need)
    assert (from_pool.id if from_pool else None) == chosen


def test_choose_waiting_prefers_priority_then_age_then_proficiency() -> None:
    heads = [
        (1, 10.0, Need("general")),
        (1, 5.0, Need("elderly")),  # older, but Anna lacks the skill
        (2, 0.0, Need("general")),  # a callback: lower priority class
        (1, 10.0, Need("permits")),  # as old as the first; Anna is worse at permits
    ]
    assert choose_waiting(ANNA, heads) == 0
    assert choose_waiting(CEM, heads) == 1
    assert choose_waiting(ANNA, [(0, 99.0, Need("general")), *heads]) == 0
    assert choose_waiting(BO, [(1, 0.0, Need("general", EN))]) is None
    assert choose_waiting(BO, []) is None


def test_available_agents_add_discard_choose() -> None:
    pool = AvailableAgents()
    pool.add(ANNA, 1.0)
    pool.add(BO, 2.0)
    assert len(pool) == 2 and ANNA in pool
    with pytest.raises(ValueError, match="already available"):
        pool.add(ANNA, 3.0)
    pool.discard(BO)
    pool.discard(BO)  # harmless twice
    assert pool.choose(Need("general")) is ANNA
    assert pool.choose(Need("general")) is None
    assert len(pool) == 0
    pool.add(BO, 5.0)
    assert pool.choose(Need("permits")) is None
    assert pool.choose(Need("general")) is BO


# --- properties ----------------------------------------------------------------------------------

SKILLS = ["general", "permits", "elderly"]
LANGUAGES = ["sv", "en", "ar"]

agents_strategy = st.lists(
    st.builds(
        lambda skills, languages: (skills, frozenset(languages)),
        st.dictionaries(st.sampled_from(SKILLS), st.integers(0, 3)),
        st.sets(st.sampled_from(LANGUAGES), max_size=3),
    ),
    min_size=1,
    max_size=12,
)
needs_strategy = st.builds(
    Need, st.sampled_from([*SKILLS, "unknown"]), st.sampled_from([None, *LANGUAGES])
)
# An operation: ("add", agent index, idle since), ("discard", agent index) or ("choose", need).
operations_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 11), st.integers(0, 20).map(float)),
        st.tuples(st.just("discard"), st.integers(0, 11)),
        st.tuples(st.just("choose"), needs_strategy),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(specs=agents_strategy, operations=operations_strategy)
def test_the_pool_chooses_like_choose_agent_and_only_agents_who_can_take(
    specs: list[tuple[dict[str, int], frozenset[str]]],
    operations: list[tuple[object, ...]],
) -> None:
    agents = [Agent(f"a{i}", skills, languages) for i, (skills, languages) in enumerate(specs)]
    pool = AvailableAgents()
    idle: dict[str, tuple[Agent, float]] = {}
    for operation in operations:
        if operation[0] == "add":
            index, idle_since = operation[1], operation[2]
            assert isinstance(index, int) and isinstance(idle_since, float)
            if index < len(agents) and agents[index].id not in idle:
                pool.add(agents[index], idle_since)
                idle[agents[index].id] = (agents[index], idle_since)
        elif operation[0] == "discard":
            index = operation[1]
            assert isinstance(index, int)
            if index < len(agents):
                pool.discard(agents[index])
                idle.pop(agents[index].id, None)
        else:
            need = operation[1]
            assert isinstance(need, Need)
            expected = choose_agent(need, idle.values())
            chosen = pool.choose(need)
            assert chosen is expected
            if chosen is not None:
                # Never a contact for an agent without the skill or the language.
                assert chosen.skills.get(need.skill, 0) >= 1
                assert need.language is None or need.language in chosen.languages
                del idle[chosen.id]
            else:
                assert not any(can_take(a, need) for a, _ in idle.values())
        assert len(pool) == len(idle)


@settings(max_examples=100, deadline=None)
@given(
    skills=st.dictionaries(st.sampled_from(SKILLS), st.integers(0, 3)),
    languages=st.sets(st.sampled_from(LANGUAGES)),
    heads=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 50).map(float), needs_strategy), max_size=8
    ),
)
def test_a_free_agent_only_takes_contacts_they_can(
    skills: dict[str, int],
    languages: set[str],
    heads: list[tuple[int, float, Need]],
) -> None:
    who = Agent("x", skills, frozenset(languages))
    chosen = choose_waiting(who, heads)
    takeable = [i for i, (_, _, need) in enumerate(heads) if can_take(who, need)]
    if chosen is None:
        assert not takeable
    else:
        assert chosen in takeable
        best = min((heads[i][0], heads[i][1]) for i in takeable)
        assert (heads[chosen][0], heads[chosen][1]) == best
