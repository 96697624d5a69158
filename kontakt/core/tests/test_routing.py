"""Tests for kontakt.core.routing: who may take a contact, and which available agent gets it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontakt.core.routing import Agent, Need, can_take, choose_agent, proficiency

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


@settings(max_examples=150, deadline=None)
@given(
    specs=agents_strategy,
    idle=st.lists(st.integers(0, 20).map(float), min_size=12, max_size=12),
    need=needs_strategy,
)
def test_choose_agent_takes_the_best_of_those_who_can_take(
    specs: list[tuple[dict[str, int], frozenset[str]]], idle: list[float], need: Need
) -> None:
    agents = [Agent(f"a{i}", skills, languages) for i, (skills, languages) in enumerate(specs)]
    available = list(zip(agents, idle, strict=False))
    chosen = choose_agent(need, available)
    able = [(-proficiency(a, need), since, a.id) for a, since in available if can_take(a, need)]
    if chosen is None:
        assert not able
    else:
        # Never a contact for an agent without the skill or the language.
        assert chosen.skills.get(need.skill, 0) >= 1
        assert need.language is None or need.language in chosen.languages
        assert min(able)[2] == chosen.id
