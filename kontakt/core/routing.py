"""Routing decisions: which available agent gets a contact, and which contact a free agent takes.

The rules, in one place so that production routing and the simulator make the same choices:

* An agent can take a contact when they have its skill with a proficiency of at least 1 and,
  if the contact asks for a language, speak it. Nothing else ever gets a contact offered.
* A contact goes to the agent with the highest proficiency in its skill; among equals, the
  one who has been idle longest; then the lowest agent id (so choices are reproducible).
* A free agent takes, among the contacts they can take, the one in the most urgent priority
  class (lower number first: the simulator uses 0 for returned transfers, 1 for calls, 2 for
  callbacks), then the one that has waited longest, then the skill they are most proficient
  in.

`choose_agent` states the first rule over any collection; `AvailableAgents` keeps the same
order in heaps, one per need, so a busy center chooses in O(log n) with the same answer.
Times are seconds on any clock the caller likes (the simulator's, or epoch seconds).
"""

from __future__ import annotations

import heapq
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


def choose_waiting(agent: Agent, heads: Iterable[tuple[int, float, Need]]) -> int | None:
    """Return the index of the queue a free agent takes their next contact from, or None.

    `heads` describes the oldest contact of each queue as (priority class, queued since,
    need); queues whose need the agent cannot take are passed over.
    """
    best: tuple[int, float, int] | None = None
    chosen: int | None = None
    for index, (priority, queued_since, need) in enumerate(heads):
        level = proficiency(agent, need)
        if level == 0:
            continue
        key = (priority, queued_since, -level)
        if best is None or key < best:
            best, chosen = key, index
    return chosen


# An entry of a need's heap: routing key, the availability token it was pushed with, agent.
_Entry = tuple[int, float, str, int, Agent]


class AvailableAgents:
    """The agents available for contacts, kept in `choose_agent`'s order for each need."""

    def __init__(self) -> None:
        self._heaps: dict[Need, list[_Entry]] = {}
        # Agent id -> (token, idle since, agent) while available. A heap entry is current
        # only while its token matches, so taking an agent out is O(1).
        self._available: dict[str, tuple[int, float, Agent]] = {}
        self._tokens = 0
        # Agent id -> the heaps of the needs they can take, with their proficiency in each.
        self._fits: dict[str, tuple[Agent, list[tuple[int, list[_Entry]]]]] = {}

    def __len__(self) -> int:
        return len(self._available)

    def __contains__(self, agent: object) -> bool:
        return isinstance(agent, Agent) and agent.id in self._available

    def add(self, agent: Agent, idle_since: float) -> None:
        """Make an agent available, idle since `idle_since`."""
        if agent.id in self._available:
            raise ValueError(f"Agent {agent.id} is already available.")
        self._tokens += 1
        token = self._tokens
        self._available[agent.id] = (token, idle_since, agent)
        cached = self._fits.get(agent.id)
        if cached is not None and cached[0] is agent:
            fits = cached[1]
        else:
            fits = [
                (level, heap)
                for need, heap in self._heaps.items()
                if (level := proficiency(agent, need))
            ]
            self._fits[agent.id] = (agent, fits)
        limit = 2 * len(self._available) + 32
        for level, heap in fits:
            heapq.heappush(heap, (-level, idle_since, agent.id, token, agent))
            if len(heap) > limit:
                self._compact(heap)

    def discard(self, agent: Agent) -> None:
        """Take an agent out of availability (busy, on a break, logged off), if they were in."""
        self._available.pop(agent.id, None)

    def choose(self, need: Need) -> Agent | None:
        """Return the agent `choose_agent` would pick for the need, taking them out; or None."""
        heap = self._heaps.get(need)
        if heap is None:
            heap = self._index(need)
        available = self._available
        while heap:
            entry = heapq.heappop(heap)
            current = available.get(entry[2])
            if current is not None and current[0] == entry[3]:
                del available[entry[2]]
                return entry[4]
        return None

    def _index(self, need: Need) -> list[_Entry]:
        heap: list[_Entry] = []
        for token, idle_since, agent in self._available.values():
            level = proficiency(agent, need)
            if level:
                heap.append((-level, idle_since, agent.id, token, agent))
        heapq.heapify(heap)
        self._heaps[need] = heap
        self._fits.clear()
        return heap

    def _compact(self, heap: list[_Entry]) -> None:
        # Entries of agents taken through another need's heap linger; drop them in bulk.
        available = self._available
        heap[:] = [e for e in heap if (a := available.get(e[2])) is not None and a[0] == e[3]]
        heapq.heapify(heap)
