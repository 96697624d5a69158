"""The routing engine: agents' states, waiting contacts, and which agent is offered which contact.

It keeps state (who is ready, who holds what, who waits) and applies the rules of
`kontakt.core.routing`. It is the one routing engine: production asks it whom to ring, and
the simulator (`kontakt.core.simulation`) drives the same class, so both choose alike:

* A contact needs its answer group's skill and a language: the one the resident asked for
  (`Contact.language`), else the group's. Only an agent whose `routing.proficiency` for that
  need is at least 1 is ever offered it.
* Overflow: once `now >= queued_at + after_seconds` of a step, the contact is also offered to
  agents of the step's group (that group's skill; the resident's language, else that group's).
  The offer names the group through which the agent qualified.
* Contacts are served in order of effective priority, `priority - waited / aging_seconds`
  (lower first, so an old low-priority contact is not starved), then `queued_at`, then id.
  Every contact ages at the same rate, so the order does not change with time: it is
  computed once as `priority + queued_at / aging_seconds`.
* `route(now)` walks the waiting contacts in that order. Each goes to the best agent who can
  take it now, by `routing.choose_agent`'s rule (highest proficiency, then longest idle, then
  lowest id; an agent qualifying through several groups counts through the one where that
  key is best, the own group before overflow steps in their order). A contact nobody can
  take stays queued and the walk goes on.
* Who can take a contact now: an agent whose state is READY, or BUSY with chats or e-mails
  only, for another chat or e-mail below their capacity on that channel. A call needs an
  agent holding nothing; an agent with a call (ringing or answered) takes nothing else
  (`kontakt.core.presence.room_left`, the rule telephony applies too). Capacities per
  channel come from the profile; 0 means never that channel.
* Idle since, the "longest idle" of the rule: when the agent last became READY (by
  `set_state`, or at `wrap_up_until` when a wrap-up ends) or finished the last contact they
  held. Taking a chat does not change it, so chats fill the longest-idle agent up to their
  capacity before the next agent gets one.

States. `set_state` sets LOGGED_OUT, READY, PAUSED or WRAP_UP (from any state; OFFERED and
BUSY are the router's, and setting them raises ValueError). While READY, `state_of` reports
OFFERED when a call rings for the agent, BUSY when they hold any contact, else READY. Only a
READY agent is given new contacts; PAUSED and WRAP_UP agents keep what they hold until they
finish it. Going LOGGED_OUT (or `remove_agent`) puts the agent's unanswered offers back in
the queue in their places and forgets their answered contacts. `reject` (ring, no answer)
puts the contact back in its place and the agent in PAUSED with reason "no answer".
`finish` with `wrap_up_seconds` > 0 puts a READY agent in WRAP_UP until then; the router
makes them READY again, idle since that time, at the start of the next call given a `now`
at or past it (`route`, `tick`, `set_state`, `accept`, `reject`, `finish`).

Offers: `route` returns the offers it made; `decide` returns only its contact's outcome.
Every offer stays in `pending_offers()` until it is accepted, rejected or withdrawn.
Unknown agent or contact ids raise KeyError; operations that do not fit raise ValueError.
Times are seconds on the caller's clock; nothing here reads one.

Speed: no decision scans the agents or the queue. Available agents sit in pools, one per
need and channel, kept in the rule's order (`_Pool`); waiting contacts in lanes, one per
group, channel, asked language and priority (`_Lane`), and a lane whose first contact found
nobody sleeps until an agent enters one of its pools or its next overflow step opens. The
tests hold the router to a reference written as plain loops over everything.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from kontakt.core.presence import CHANNELS, room_left
from kontakt.core.presence import DEFAULT_CAPACITY as DEFAULT_CAPACITY
from kontakt.core.presence import AgentState as AgentState
from kontakt.core.presence import Channel as Channel
from kontakt.core.routing import Agent, Need, proficiency

_heappush = heapq.heappush
_heappop = heapq.heappop


DEFAULT_HANDLE_SECONDS = 180.0
# Seconds of waiting that make up one priority class (production's KONTAKT_AGING_SECONDS).
DEFAULT_AGING_SECONDS = 60.0
NO_ANSWER = "no answer"

_CHANNEL_INDEX: dict[str, int] = {channel: i for i, channel in enumerate(CHANNELS)}
_READY, _WRAP_UP = AgentState.READY, AgentState.WRAP_UP  # module globals: faster to read
_STAFFED = frozenset({_READY, _WRAP_UP})
# A lane's state: nothing to route, waiting for the next route(), or blocked until an agent
# for one of its needs becomes available (or an overflow step opens).
_IDLE, _DIRTY, _BLOCKED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class OverflowStep:
    """After `after_seconds` of waiting, the contact is also offered to `group`'s agents."""

    after_seconds: float
    group: str


@dataclass(frozen=True, slots=True)
class Group:
    """An answer group: a queue with a skill, maybe a language, overflow and callback offer."""

    code: str
    skill: str
    language: str | None = None
    overflow: tuple[OverflowStep, ...] = ()
    callback_threshold_seconds: float | None = None  # offer a callback when EWT exceeds this


@dataclass(frozen=True, eq=False)
class AgentProfile:
    """An agent's skills (proficiency 1–5, 0 = none), languages and capacity per channel."""

    id: str
    skills: Mapping[str, int]
    languages: frozenset[str]
    capacity: Mapping[Channel, int] = DEFAULT_CAPACITY

    @property
    def agent(self) -> Agent:
        """The agent as `kontakt.core.routing` sees them."""
        return Agent(self.id, self.skills, self.languages)


@dataclass(frozen=True, slots=True)
class Contact:
    """One interaction waiting for an agent; a lower priority number is more urgent."""

    id: str
    group: str
    channel: Channel
    queued_at: float
    priority: int = 1
    language: str | None = None  # the resident asked for it: replaces the group's language
    callback: bool = False  # an agent will phone the resident back


@dataclass(frozen=True, slots=True)
class Offer:
    """A contact offered to an agent, through their own group or an overflow group."""

    contact_id: str
    agent_id: str
    group: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """A contact left in the queue: its place in its group, the estimate, callback offer."""

    contact_id: str
    position: int
    estimated_wait_seconds: float
    offer_callback: bool


@dataclass(frozen=True, slots=True)
class AgentStatus:
    """An agent's state with its details, for a desk or a wallboard."""

    agent_id: str
    state: AgentState
    reason: str
    idle_since: float | None
    wrap_up_until: float | None
    contacts: tuple[str, ...]
    load: Mapping[Channel, int]


class _Holding:
    """A contact an agent holds: offered (ringing) or accepted."""

    __slots__ = ("accepted", "channel", "contact", "offer")

    def __init__(self, contact: Contact, offer: Offer, channel: int) -> None:
        self.contact = contact
        self.offer = offer
        self.channel = channel
        self.accepted = False


class _AgentRecord:
    """An agent's profile and everything the router keeps about them."""

    __slots__ = (
        "agent",
        "capacity",
        "channels",
        "fits",
        "groups",
        "held",
        "id",
        "idle_since",
        "load",
        "presence",
        "profile",
        "reason",
        "tokens",
        "wrap_seq",
        "wrap_up_until",
    )

    def __init__(self, profile: AgentProfile) -> None:
        self.profile = profile
        self.id = profile.id
        self.agent = profile.agent
        self.capacity = tuple(max(0, profile.capacity.get(c, 0)) for c in CHANNELS)
        self.channels = tuple(c for c in range(3) if self.capacity[c])
        self.presence = AgentState.LOGGED_OUT
        self.reason = ""
        self.idle_since: float | None = None
        self.wrap_up_until: float | None = None
        self.wrap_seq = 0
        self.load = [0, 0, 0]
        self.held: dict[str, _Holding] = {}
        # Per channel: the token of the agent's current pool entries (0 when unavailable on
        # that channel), and the pools they belong to, with the deque of their proficiency.
        self.tokens = [0, 0, 0]
        self.fits: tuple[list[tuple[deque[_Entry], _Pool]], ...] = ([], [], [])
        self.groups: list[str] = []  # groups whose own need they can take


# A pool's entry: idle since, agent id, token, the agent's record.
_Entry = tuple[float, str, int, _AgentRecord]


class _Pool:
    """The agents available for one need on one channel, in `choose_agent`'s order.

    One deque per proficiency, best first, each in (idle since, id) order. Agents become
    available at the caller's `now`, which only grows, so a new entry goes at the end: an
    O(1) append where a heap pays O(log n). An entry that comes out of order (an earlier
    `now`, or a tie won by a lower id) is inserted in its place. Entries of agents no longer
    available (their token changed) are dropped when they reach the front.
    """

    __slots__ = ("buckets", "waiters")

    def __init__(self) -> None:
        self.buckets: list[tuple[int, deque[_Entry]]] = []  # by proficiency, highest first
        self.waiters: set[_Lane] = set()  # blocked lanes to wake when an agent arrives

    def bucket(self, level: int) -> deque[_Entry]:
        for have, entries in self.buckets:
            if have == level:
                return entries
        entries = deque()
        self.buckets.append((level, entries))
        self.buckets.sort(key=lambda bucket: -bucket[0])
        return entries


# A step of a lane: open once queued_at + after >= now; index 0 is the own group.
_Step = tuple[float, int, str, _Pool]


class _Lane:
    """The waiting contacts of one group, channel, asked language and priority.

    Within a lane the routing order is (queued_at, id), and a later contact has the same
    needs and no more open overflow steps than an earlier one, so when the first cannot be
    matched none can: the lane waits, blocked, until one of its pools gets an agent or its
    head's next overflow step opens. That keeps route() away from contacts that cannot move.
    """

    __slots__ = ("channel", "group", "heap", "language", "state", "steps", "timer", "timer_at")

    def __init__(self, group: str, channel: int, language: str | None) -> None:
        self.group = group
        self.channel = channel
        self.language = language
        self.heap: list[tuple[float, str, int]] = []  # queued_at, contact id, token
        self.steps: list[_Step] | None = None
        self.state = _IDLE
        self.timer = 0  # the sequence number of its pending overflow timer
        self.timer_at = -math.inf  # and when it fires


# A queued contact: the contact, its token, its lane, its routing order key.
_Order = tuple[float, float, str]
_Queued = tuple[Contact, int, _Lane, _Order]


class Router:
    """Match waiting contacts to agents, deterministically; see the module's rules."""

    def __init__(
        self,
        groups: Iterable[Group] = (),
        *,
        aging_seconds: float = DEFAULT_AGING_SECONDS,
        handle_seconds: Mapping[str, float] | None = None,
    ) -> None:
        if not aging_seconds > 0:
            raise ValueError("aging_seconds must be positive (math.inf for no aging).")
        self._aging = float(aging_seconds)
        self._handle = dict(handle_seconds or {})
        self._groups: dict[str, Group] = {}
        self._agents: dict[str, _AgentRecord] = {}
        self._skilled: dict[str, dict[str, _AgentRecord]] = {}  # skill -> agents with it
        self._pools: dict[tuple[Need, int], _Pool] = {}
        self._lanes: dict[tuple[str, int, str | None, int], _Lane] = {}
        self._queued: dict[str, _Queued] = {}
        self._by_group: dict[str, list[_Order]] = {}  # each sorted: routing order
        self._pending: dict[str, Offer] = {}  # unanswered offers, in the order made
        self._holder: dict[str, _AgentRecord] = {}  # contact id -> agent holding it
        self._dirty: list[_Lane] = []
        self._timers: list[tuple[float, int, _Lane]] = []  # overflow steps opening
        self._wrap_ups: list[tuple[float, str, int]] = []  # until, agent id, wrap_seq
        self._seq = 0  # tokens and sequence numbers, one counter
        self._last_entry: tuple[float, str] = (-math.inf, "")  # the latest pool entry's key
        self._entries_made = 0
        self._compact_at = 1 << 16
        self._index_stale = True  # group -> agents who can take its need, staffed counts
        self._group_agents: dict[str, list[_AgentRecord]] = {}
        self._staffed: dict[str, int] = {}
        for group in groups:
            self.set_group(group)

    # --- configuration --------------------------------------------------------------------

    def set_group(self, group: Group) -> None:
        """Add or replace an answer group; its waiting contacts keep their places."""
        self._groups[group.code] = group
        self._by_group.setdefault(group.code, [])
        self._index_stale = True
        for lane in self._lanes.values():
            lane.steps = None
            if lane.state == _BLOCKED:
                self._unblock(lane)

    def set_agent(self, agent: AgentProfile) -> None:
        """Add an agent (LOGGED_OUT) or replace a profile, keeping state and contacts."""
        record = self._agents.get(agent.id)
        if record is None:
            record = self._agents[agent.id] = _AgentRecord(agent)
        else:
            self._unskill(record)
            record.profile = agent
            record.agent = agent.agent
            record.capacity = tuple(max(0, agent.capacity.get(c, 0)) for c in CHANNELS)
            record.channels = tuple(c for c in range(3) if record.capacity[c])
            record.tokens = [0, 0, 0]
        for skill, level in agent.skills.items():
            if level >= 1:
                self._skilled.setdefault(skill, {})[agent.id] = record
        record.fits = ([], [], [])
        for (need, channel), pool in self._pools.items():
            if record.capacity[channel] and (level := proficiency(record.agent, need)):
                record.fits[channel].append((pool.bucket(level), pool))
        self._index_stale = True
        self._refresh(record, rekey=True)

    def _unskill(self, record: _AgentRecord) -> None:
        for skill in record.profile.skills:
            self._skilled.get(skill, {}).pop(record.id, None)

    def remove_agent(self, agent_id: str) -> None:
        """Take an agent out; their unanswered offers go back to the queue."""
        record = self._agent(agent_id)
        self._release(record)
        record.tokens = [0, 0, 0]
        self._unskill(record)
        del self._agents[agent_id]
        self._index_stale = True

    # --- agents' states -------------------------------------------------------------------

    def set_state(
        self,
        agent_id: str,
        state: AgentState,
        *,
        now: float,
        reason: str = "",
        wrap_up_until: float | None = None,
    ) -> None:
        """Set an agent's state: LOGGED_OUT, READY, PAUSED (with a reason) or WRAP_UP.

        READY from another state makes the agent idle since `now`; READY when already READY
        changes nothing. WRAP_UP with `wrap_up_until` ends by itself at that time.
        """
        self._end_due_wrap_ups(now)
        record = self._agent(agent_id)
        state = AgentState(state)
        if state in (AgentState.OFFERED, AgentState.BUSY):
            raise ValueError(f"{state} is set by the router (route, accept), not by set_state.")
        if wrap_up_until is not None and state is not _WRAP_UP:
            raise ValueError("wrap_up_until goes with WRAP_UP only.")
        if state is AgentState.LOGGED_OUT:
            self._release(record)
        if state is _READY and record.presence is not _READY:
            record.idle_since = now
        self._set_presence(record, state)
        record.reason = reason
        record.wrap_up_until = wrap_up_until
        record.wrap_seq += 1
        if wrap_up_until is not None:
            _heappush(self._wrap_ups, (wrap_up_until, agent_id, record.wrap_seq))
        self._refresh(record, rekey=False)

    def state_of(self, agent_id: str) -> AgentState:
        """The agent's state now (OFFERED and BUSY derived from what they hold)."""
        return self._state(self._agent(agent_id))

    def status_of(self, agent_id: str) -> AgentStatus:
        """The agent's state with reason, idle since, wrap-up end and held contacts."""
        record = self._agent(agent_id)
        return AgentStatus(
            agent_id=agent_id,
            state=self._state(record),
            reason=record.reason,
            idle_since=record.idle_since,
            wrap_up_until=record.wrap_up_until,
            contacts=tuple(record.held),
            load=MappingProxyType(dict(zip(CHANNELS, record.load, strict=True))),
        )

    def _end_due_wrap_ups(self, now: float) -> None:
        # Cheap when nothing is due: every operation that passes `now` calls it first.
        if self._wrap_ups and self._wrap_ups[0][0] <= now:
            self.tick(now=now)

    def tick(self, *, now: float) -> None:
        """End the wrap-ups due by `now`: those agents are READY, idle since wrap_up_until."""
        wrap_ups = self._wrap_ups
        while wrap_ups and wrap_ups[0][0] <= now:
            until, agent_id, seq = _heappop(wrap_ups)
            record = self._agents.get(agent_id)
            if record is None or record.wrap_seq != seq:
                continue
            if record.presence is not _WRAP_UP:
                continue
            record.idle_since = until
            record.wrap_up_until = None
            record.reason = ""
            self._set_presence(record, _READY)
            self._refresh(record, rekey=True)

    # --- contacts -------------------------------------------------------------------------

    def enqueue(self, contact: Contact) -> None:
        """Put a contact in its group's queue; an id already known raises ValueError."""
        if contact.id in self._queued or contact.id in self._holder:
            raise ValueError(f"Contact {contact.id} is already queued or offered.")
        if contact.group not in self._groups:
            raise ValueError(f"Contact {contact.id}: unknown group {contact.group!r}.")
        self._queue(contact, self._lane(contact))

    def withdraw(self, contact_id: str) -> None:
        """The resident hung up, or the contact was handled elsewhere: forget it.

        Works for a waiting contact and for one offered but not answered (the agent is free
        again, idle since as before); an answered contact is ended with `finish`.
        """
        if contact_id in self._queued:
            self._dequeue(contact_id)
            return
        record = self._holder.get(contact_id)
        if record is None:
            raise KeyError(contact_id)
        holding = record.held[contact_id]
        if holding.accepted:
            raise ValueError(f"Contact {contact_id} was answered: finish it instead.")
        self._drop(record, holding)
        self._refresh(record, rekey=False)

    def request_callback(self, contact_id: str, *, now: float) -> None:
        """Make a waiting contact a callback; it keeps its place (queued_at unchanged).

        A contact already offered raises ValueError; an unknown one, KeyError.
        """
        entry = self._queued.get(contact_id)
        if entry is None:
            if contact_id in self._holder:
                raise ValueError(f"Contact {contact_id} is already offered to an agent.")
            raise KeyError(contact_id)
        contact, token, lane, order = entry
        if not contact.callback:
            self._queued[contact_id] = (replace(contact, callback=True), token, lane, order)

    # --- routing --------------------------------------------------------------------------

    def route(self, *, now: float) -> list[Offer]:
        """End due wrap-ups, then offer waiting contacts to agents; the offers, in order made."""
        self._end_due_wrap_ups(now)
        timers = self._timers
        while timers and timers[0][0] <= now:
            _, seq, lane = _heappop(timers)
            if lane.timer == seq:
                lane.timer_at = -math.inf
                if lane.state == _BLOCKED:
                    self._unblock(lane)
        if not self._dirty:
            return []
        dirty, self._dirty = self._dirty, []
        queued = self._queued
        work: list[tuple[_Order, _Lane]] = []
        for lane in dirty:
            lane.state = _IDLE
            head = self._head(lane)
            if head is not None:
                work.append((head[3], lane))
        heapq.heapify(work)
        offers: list[Offer] = []
        while work:
            order, lane = _heappop(work)
            contact = queued[order[2]][0]
            steps = lane.steps if lane.steps is not None else self._steps(lane)
            found = self._match(steps, lane.channel, contact.queued_at, now)
            if found is None:
                self._block(lane, contact.queued_at, steps, now)
                continue
            _heappop(lane.heap)  # the head: this contact
            self._dequeue(contact.id)
            offers.append(self._offer(found[0], contact, found[1]))
            head = self._head(lane)
            if head is not None:
                _heappush(work, (head[3], lane))
        return offers

    def decide(self, contact: Contact, *, now: float) -> Offer | Waiting:
        """Queue the contact unless it is known, route, and tell what became of it.

        Offers the same route() made to other contacts are in `pending_offers()`.
        """
        offer = self.submit(contact, now=now)
        if offer is not None:
            return offer
        waiting, _, _, order = self._queued[contact.id]
        position = bisect_left(self._by_group[waiting.group], order) + 1
        estimate = self.estimated_wait(waiting.group, now=now, position=position)
        threshold = self._groups[waiting.group].callback_threshold_seconds
        offer_callback = not waiting.callback and threshold is not None and estimate > threshold
        return Waiting(contact.id, position, estimate, offer_callback)

    def submit(self, contact: Contact, *, now: float) -> Offer | None:
        """`decide` without the wait estimate: the contact's offer, or None while it waits.

        For callers that need no position or estimate (the simulator); offers the same
        route() made to other contacts are in `pending_offers()`.
        """
        contact_id = contact.id
        if contact_id in self._queued or contact_id in self._holder:
            self.route(now=now)
        elif (
            self._dirty
            or (self._wrap_ups and self._wrap_ups[0][0] <= now)
            or (self._timers and self._timers[0][0] <= now)
        ):
            self.enqueue(contact)
            self.route(now=now)
        else:
            # Nothing else is due, so route() would look at this contact's lane alone: when
            # nobody of its lane waits, match it here (no queue to go through); else it waits
            # behind them, unless it comes first (an older queued_at), when route() decides.
            if contact.group not in self._groups:
                raise ValueError(f"Contact {contact_id}: unknown group {contact.group!r}.")
            lane = self._lane(contact)
            if lane.state == _IDLE:
                steps = lane.steps if lane.steps is not None else self._steps(lane)
                found = self._match(steps, lane.channel, contact.queued_at, now)
                if found is not None:
                    return self._offer(found[0], contact, found[1])
                self._queue(contact, lane, route=False)
                self._block(lane, contact.queued_at, steps, now)
            else:
                self._queue(contact, lane)
                if self._dirty:
                    self.route(now=now)
        record = self._holder.get(contact_id)
        return None if record is None else record.held[contact_id].offer

    def accept(self, agent_id: str, contact_id: str, *, now: float) -> None:
        """The agent answered the offer: they are BUSY with the contact."""
        self._end_due_wrap_ups(now)
        holding = self._offered(agent_id, contact_id)
        holding.accepted = True
        del self._pending[contact_id]

    def reject(self, agent_id: str, contact_id: str, *, now: float) -> None:
        """Ring, no answer: the contact goes back to its place, the agent to PAUSED."""
        self._end_due_wrap_ups(now)
        holding = self._offered(agent_id, contact_id)
        record = self._agents[agent_id]
        self._drop(record, holding)
        self._queue(holding.contact, self._lane(holding.contact))
        self._set_presence(record, AgentState.PAUSED)
        record.reason = NO_ANSWER
        record.wrap_up_until = None
        record.wrap_seq += 1
        self._refresh(record, rekey=False)

    def finish(
        self, agent_id: str, contact_id: str, *, now: float, wrap_up_seconds: float = 0
    ) -> None:
        """The agent is done with a contact; wrap-up if asked, else idle once nothing is left.

        Only a READY (or WRAP_UP) agent goes to WRAP_UP; a paused agent stays paused. A
        wrap-up already running ends at the later of the two times; one set by hand with no
        end stays so.
        """
        self._end_due_wrap_ups(now)
        record = self._agents.get(agent_id)
        if record is None:
            raise KeyError(agent_id)
        holding = record.held.get(contact_id)
        if holding is None:
            raise ValueError(f"Agent {agent_id} does not hold contact {contact_id}.")
        self._drop(record, holding)
        rekey = False
        presence = record.presence
        if wrap_up_seconds > 0 and presence in _STAFFED:
            until = now + wrap_up_seconds
            if presence is _READY or (
                record.wrap_up_until is not None and record.wrap_up_until < until
            ):
                self._set_presence(record, _WRAP_UP)
                record.wrap_up_until = until
                record.wrap_seq += 1
                _heappush(self._wrap_ups, (until, agent_id, record.wrap_seq))
        elif presence is _READY and not record.held:
            record.idle_since = now
            rekey = True
        if record.presence is _READY:
            self._refresh(record, rekey=rekey)
        else:
            tokens = record.tokens
            tokens[0] = tokens[1] = tokens[2] = 0

    def pending_offers(self) -> list[Offer]:
        """Offers not yet accepted, rejected or withdrawn, in the order they were made."""
        return list(self._pending.values())

    # --- reading --------------------------------------------------------------------------

    def estimated_wait(self, group: str, *, now: float, position: int | None = None) -> float:
        """Expected wait in seconds of a new contact in the group, or of one at `position`.

        EWT = position × mean handle time of the group / staffed agents, where staffed agents
        are those not LOGGED_OUT or PAUSED who can take the group's own need (at least 1 is
        assumed), and a new contact's position is the number waiting + 1. It is 0 for the
        first in line when such an agent is READY now (or ends a wrap-up by `now`). This is
        the contact-center industry's estimate ("Average Talk Time × Position In Queue /
        Agents Available", Mitel MiContact Center knowledge base article 52331; Amazon
        Connect and Genesys describe the same AHT × PiQ / active agents), without their
        corrections for abandonment.
        """
        if group not in self._groups:
            raise KeyError(group)
        if position is None:
            position = len(self._by_group[group]) + 1
        elif position < 1:
            raise ValueError("position counts from 1.")
        self._ensure_index()
        if position == 1:
            for record in self._group_agents[group]:
                if not record.held and (
                    record.presence is _READY
                    or (
                        record.presence is _WRAP_UP
                        and record.wrap_up_until is not None
                        and record.wrap_up_until <= now
                    )
                ):
                    return 0.0
        staffed = max(1, self._staffed[group])
        return position * self._handle.get(group, DEFAULT_HANDLE_SECONDS) / staffed

    def waiting(self, group: str | None = None) -> list[Contact]:
        """The waiting contacts (of one group, or all), in routing order."""
        if group is None:
            orders = sorted(entry[3] for entry in self._queued.values())
        else:
            orders = self._by_group.get(group, [])
        return [self._queued[order[2]][0] for order in orders]

    def agents_by_state(self, group: str | None = None) -> dict[AgentState, int]:
        """How many agents are in each state: all, or those who can take a group's need."""
        counts = dict.fromkeys(AgentState, 0)
        if group is None:
            records: Iterable[_AgentRecord] = self._agents.values()
        else:
            if group not in self._groups:
                raise KeyError(group)
            self._ensure_index()
            records = self._group_agents[group]
        for record in records:
            counts[self._state(record)] += 1
        return counts

    # --- internals ------------------------------------------------------------------------

    def _agent(self, agent_id: str) -> _AgentRecord:
        record = self._agents.get(agent_id)
        if record is None:
            raise KeyError(agent_id)
        return record

    def _state(self, record: _AgentRecord) -> AgentState:
        if record.presence is not _READY:
            return record.presence
        if not record.held:
            return _READY
        if record.load[0] and any(not h.accepted and h.channel == 0 for h in record.held.values()):
            return AgentState.OFFERED
        return AgentState.BUSY

    def _set_presence(self, record: _AgentRecord, presence: AgentState) -> None:
        was, becomes = record.presence in _STAFFED, presence in _STAFFED
        if was != becomes and not self._index_stale:
            change = 1 if becomes else -1
            staffed = self._staffed
            for code in record.groups:
                staffed[code] += change
        record.presence = presence

    def _ensure_index(self) -> None:
        if not self._index_stale:
            return
        records = list(self._agents.values())
        for record in records:
            record.groups = []
        self._group_agents = {}
        self._staffed = {}
        for code, group in self._groups.items():
            need = Need(group.skill, group.language)
            members = [r for r in records if proficiency(r.agent, need)]
            for record in members:
                record.groups.append(code)
            self._group_agents[code] = members
            self._staffed[code] = sum(1 for r in members if r.presence in _STAFFED)
        self._index_stale = False

    def _refresh(self, record: _AgentRecord, *, rekey: bool) -> None:
        """Bring the agent's pool entries in line with what they can take now.

        `rekey` says their idle-since changed, so entries still current must be made anew.
        """
        tokens = record.tokens
        if record.presence is not _READY:
            tokens[0] = tokens[1] = tokens[2] = 0
            return
        room = room_left(record.load, record.capacity)
        for channel in record.channels:
            if not room[channel]:
                tokens[channel] = 0
                continue
            if tokens[channel] and not rekey:
                continue
            self._seq += 1
            token = tokens[channel] = self._seq
            idle = record.idle_since
            assert idle is not None  # READY always records it
            entry = (idle, record.id, token, record)
            fits = record.fits[channel]
            self._entries_made += len(fits)
            if (idle, record.id) >= self._last_entry:
                self._last_entry = (idle, record.id)
                for entries, pool in fits:
                    entries.append(entry)
                    if pool.waiters:
                        self._wake(pool)
            else:
                for entries, pool in fits:
                    place = len(entries)
                    while place and entries[place - 1] > entry:
                        place -= 1
                    entries.insert(place, entry)
                    if pool.waiters:
                        self._wake(pool)
        if self._entries_made > self._compact_at:
            self._compact()

    def _compact(self) -> None:
        """Drop the entries of agents no longer available, which pile up inside the deques."""
        kept = 0
        for (_, channel), pool in self._pools.items():
            for _, entries in pool.buckets:
                current = [e for e in entries if e[3].tokens[channel] == e[2]]
                entries.clear()
                entries.extend(current)
                kept += len(current)
        self._entries_made = 0
        self._compact_at = max(1 << 16, 4 * kept)

    def _pool(self, need: Need, channel: int) -> _Pool:
        pool = self._pools.get((need, channel))
        if pool is not None:
            return pool
        pool = self._pools[(need, channel)] = _Pool()
        available: list[tuple[int, _Entry]] = []
        for record in self._skilled.get(need.skill, {}).values():
            if record.capacity[channel] and (level := proficiency(record.agent, need)):
                record.fits[channel].append((pool.bucket(level), pool))
                token = record.tokens[channel]
                if token:
                    idle = record.idle_since
                    assert idle is not None
                    available.append((level, (idle, record.id, token, record)))
        available.sort(key=lambda item: item[1][:2])
        for level, entry in available:
            pool.bucket(level).append(entry)
        return pool

    def _steps(self, lane: _Lane) -> list[_Step]:
        own = self._groups[lane.group]
        language = lane.language
        steps: list[_Step] = [
            (
                -math.inf,
                0,
                own.code,
                self._pool(Need(own.skill, language or own.language), lane.channel),
            )
        ]
        for index, step in enumerate(own.overflow, 1):
            other = self._groups.get(step.group)
            if other is None:  # not configured (yet): no overflow there
                continue
            need = Need(other.skill, language or other.language)
            steps.append((step.after_seconds, index, other.code, self._pool(need, lane.channel)))
        steps.sort(key=lambda s: (s[0], s[1]))
        lane.steps = steps
        return steps

    def _lane(self, contact: Contact) -> _Lane:
        channel = _CHANNEL_INDEX[contact.channel]
        key = (contact.group, channel, contact.language, contact.priority)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(contact.group, channel, contact.language)
        return lane

    def _match(
        self, steps: list[_Step], channel: int, queued_at: float, now: float
    ) -> tuple[_AgentRecord, str] | None:
        """The best agent available for a contact through its open steps, and the group."""
        best: tuple[int, float, str, int] | None = None
        chosen: _AgentRecord | None = None
        through = ""
        for after, index, code, pool in steps:
            if queued_at + after > now:
                break
            for level, entries in pool.buckets:
                while entries:
                    top = entries[0]
                    if top[3].tokens[channel] == top[2]:
                        break
                    entries.popleft()
                else:
                    continue
                key = (-level, top[0], top[1], index)
                if best is None or key < best:
                    best, chosen, through = key, top[3], code
                break
        return None if chosen is None else (chosen, through)

    def _queue(self, contact: Contact, lane: _Lane, *, route: bool = True) -> None:
        """Put a contact in its lane; unless told not to, see that route() looks at it."""
        self._seq += 1
        token = self._seq
        queued_at = contact.queued_at
        order = (contact.priority + queued_at / self._aging, queued_at, contact.id)
        self._queued[contact.id] = (contact, token, lane, order)
        insort(self._by_group[contact.group], order)
        _heappush(lane.heap, (queued_at, contact.id, token))
        if not route:
            return
        if lane.state == _IDLE:
            lane.state = _DIRTY
            self._dirty.append(lane)
        elif lane.state == _BLOCKED:
            head = self._head(lane)
            if head is not None and head[1] == token:  # a new head may have more steps open
                self._unblock(lane)

    def _dequeue(self, contact_id: str) -> None:
        contact, _, _, order = self._queued.pop(contact_id)
        orders = self._by_group[contact.group]
        del orders[bisect_left(orders, order)]

    def _head(self, lane: _Lane) -> _Queued | None:
        heap = lane.heap
        queued = self._queued
        while heap:
            _, contact_id, token = heap[0]
            entry = queued.get(contact_id)
            if entry is not None and entry[1] == token:
                return entry
            _heappop(heap)
        return None

    def _block(self, lane: _Lane, queued_at: float, steps: list[_Step], now: float) -> None:
        """The lane's head found nobody: wait for its pools, or its next overflow step."""
        lane.state = _BLOCKED
        for after, _, _, pool in steps:
            opens = queued_at + after
            if opens > now:
                if opens != lane.timer_at:  # else its timer is already set for then
                    self._seq += 1
                    lane.timer, lane.timer_at = self._seq, opens
                    _heappush(self._timers, (opens, self._seq, lane))
                break
            pool.waiters.add(lane)

    def _unblock(self, lane: _Lane) -> None:
        # The lane stays in the waiters of its other pools: waking a lane that is not
        # blocked does nothing, and waking one blocked elsewhere only costs a look.
        lane.state = _DIRTY
        self._dirty.append(lane)

    def _wake(self, pool: _Pool) -> None:
        waiters = pool.waiters
        pool.waiters = set()
        for lane in waiters:
            if lane.state == _BLOCKED:
                self._unblock(lane)

    def _offer(self, record: _AgentRecord, contact: Contact, group: str) -> Offer:
        offer = Offer(contact.id, record.id, group)
        channel = _CHANNEL_INDEX[contact.channel]
        record.load[channel] += 1
        record.held[contact.id] = _Holding(contact, offer, channel)
        self._pending[contact.id] = offer
        self._holder[contact.id] = record
        # What _refresh would do for a READY agent whose idle time stays: out of the pools of
        # every channel without room left (a call: all; a chat or an e-mail: the calls', and
        # its own once full).
        tokens = record.tokens
        room = room_left(record.load, record.capacity)
        if not room[0]:
            tokens[0] = 0
        if not room[1]:
            tokens[1] = 0
        if not room[2]:
            tokens[2] = 0
        return offer

    def _offered(self, agent_id: str, contact_id: str) -> _Holding:
        holding = self._agent(agent_id).held.get(contact_id)
        if holding is None or holding.accepted:
            raise ValueError(f"Contact {contact_id} is not offered to agent {agent_id}.")
        return holding

    def _drop(self, record: _AgentRecord, holding: _Holding) -> None:
        contact_id = holding.contact.id
        del record.held[contact_id]
        record.load[holding.channel] -= 1
        del self._holder[contact_id]
        self._pending.pop(contact_id, None)

    def _release(self, record: _AgentRecord) -> None:
        """Put the agent's unanswered offers back in the queue; forget the answered ones."""
        for holding in list(record.held.values()):
            self._drop(record, holding)
            if not holding.accepted:
                self._queue(holding.contact, self._lane(holding.contact))
