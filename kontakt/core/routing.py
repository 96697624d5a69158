"""Who may take a contact, and which available agent gets it.

The rules that `kontakt.core.router.Router` applies (it is the one routing engine: production
and the simulator both drive it, so they choose alike):

* An agent can take a contact when they have its skill with a proficiency of at least 1 and,
  if the contact asks for a language, speak it. Nothing else ever gets a contact offered.
* A contact goes to the agent with the highest proficiency in its skill; among equals, the
  one who has been idle longest; then the lowest agent id (so choices are reproducible).

Which waiting contact comes first (aged priority), overflow steps and capacities are the
router's. `choose_agent` states the second rule over any collection: the router keeps the
same order in pools, and its tests and the routing benchmark's naive peer use this one.
Times are seconds on any clock the caller likes (the simulator's, or epoch seconds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, eq=False)
class Agent:
    """An agent as routing sees them: an id, skills with proficiency, and languages.

    A proficiency is a whole number: 1 can take the skill's contacts, higher is better;
    a missing skill or 0 cannot.
    """

    id: str
    skills: Mapping[str, int]
    languages: frozenset[str]


@dataclass(frozen=True, slots=True)
class Need:
    """What a contact needs of its agent: a skill and, if the resident asked, a language."""

    skill: str
    language: str | None = None


def proficiency(agent: Agent, need: Need) -> int:
    """Return the agent's proficiency for the need, 0 when they cannot take it."""
    level = agent.skills.get(need.skill, 0)
    if level < 1 or (need.language is not None and need.language not in agent.languages):
        return 0
    return level


def can_take(agent: Agent, need: Need) -> bool:
    """Tell whether the agent may be offered a contact with this need."""
    return proficiency(agent, need) > 0


def choose_agent(need: Need, available: Iterable[tuple[Agent, float]]) -> Agent | None:
    """Return the agent to offer a contact to, from (agent, idle since) pairs, or None."""
    best: tuple[int, float, str] | None = None
    chosen: Agent | None = None
    for agent, idle_since in available:
        level = proficiency(agent, need)
        if level == 0:
            continue
        key = (-level, idle_since, agent.id)
        if best is None or key < best:
            best, chosen = key, agent
    return chosen
