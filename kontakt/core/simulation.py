"""A discrete-event simulation of a contact center, for what-if questions about staffing.

Two engines give the same kind of result:

* `simulate(scenario, seed=...)`, the general engine: an event list (heapq) over several
  answer groups with per-interval Poisson arrivals, agents in teams with skills, languages
  and per-interval staffing, patience and abandonment, wrap-up, overflow to another group,
  callbacks and returned transfers. Every routing decision (which agent a contact is offered
  to, which waiting contact a free agent gets, when overflow steps open) is made by
  production's `kontakt.core.router.Router`, which the engine drives as the exchange does.
* `simulate_single_group(...)`, a fast path for one group with identical agents served first
  come, first served (M/M/n+M and its generalisations). Any agent does equally, so routing
  has nothing to decide; a caller is answered when the earliest of the agents' free times
  comes before their patience runs out, which needs no event list (the recursion of Kiefer
  & Wolfowitz, "On the theory of queues with many servers", 1955, where a caller who gives
  up takes no agent's time).

Figures follow DESIGN.md: offered excludes short abandons (waited less than
`short_abandon_seconds`); service level SL(T) = answered within T / offered; ASA is the mean
wait of answered calls; occupancy is busy (talk + wrap-up) time over logged-on time. They
count first attempts only: a returned transfer's second wait and a callback are reported
apart, and a caller who accepted a callback is counted apart and left out of offered, as
`kontakt.core.call_stats` does (the callback is its own contact).
Results are reproducible: the same scenario and seed give the same result.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kontakt.core.router import (
    DEFAULT_AGING_SECONDS,
    AgentProfile,
    AgentState,
    Channel,
    Contact,
    Group,
    Offer,
    OverflowStep,
    Router,
)

ProgressCallback = Callable[[float], None]

# Priorities of waiting contacts in the router (lower is more urgent, aged by the wait): a
# returned transfer comes back ahead of new calls; a callback keeps its call's place.
RETURNED, CALL = 0, 1
# Kinds of contact, for the figures.
_FIRST, _RETURNED, _CALLBACK = 0, 1, 2


class ScenarioError(ValueError):
    """A scenario that cannot be simulated, with the place of the mistake in its message."""


# --- the scenario -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Duration:
    """A distribution of durations in seconds: exponential, constant or lognormal."""

    mean: float
    kind: Literal["exponential", "constant", "lognormal"] = "exponential"
    sd: float = 0.0  # lognormal only

    def __post_init__(self) -> None:
        if self.kind not in ("exponential", "constant", "lognormal"):
            raise ScenarioError(f"Unknown distribution {self.kind!r}.")
        if not (math.isfinite(self.mean) and self.mean > 0):
            raise ScenarioError(f"A mean duration must be more than 0 s, got {self.mean!r}.")
        if self.kind == "lognormal" and not (math.isfinite(self.sd) and self.sd > 0):
            raise ScenarioError(f"A lognormal duration needs an sd above 0, got {self.sd!r}.")

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        """Return a function drawing one duration from `rng`."""
        mean = self.mean
        if self.kind == "constant":
            return lambda: mean
        if self.kind == "lognormal":
            sigma = math.sqrt(math.log1p((self.sd / mean) ** 2))
            mu = math.log(mean) - sigma * sigma / 2
            return lambda: rng.lognormvariate(mu, sigma)
        uniform, log = rng.random, math.log
        return lambda: -log(1.0 - uniform()) * mean


@dataclass(frozen=True, slots=True)
class Overflow:
    """An overflow step: after `after_seconds` in queue `to_group`'s agents may also take it."""

    to_group: str
    after_seconds: float


@dataclass(frozen=True, slots=True)
class CallbackOffer:
    """After `after_seconds` in queue a caller is offered a callback; `accept_share` take it."""

    after_seconds: float
    accept_share: float


@dataclass(frozen=True, slots=True)
class ReturnedTransfers:
    """A `share` of answered calls are transferred on and come back `after_seconds` later."""

    share: float
    after_seconds: float = 20.0


@dataclass(frozen=True, slots=True)
class AnswerGroup:
    """One answer group: its skill, expected calls per interval and how its calls behave."""

    name: str
    skill: str
    calls: tuple[float, ...]  # expected calls in each interval (Poisson)
    talk: Duration
    wrap_up_seconds: float = 0.0
    patience: Duration | None = None  # None: callers never hang up
    languages: Mapping[str, float] = field(default_factory=dict)  # share asking for each
    overflow: tuple[Overflow, ...] = ()  # steps, each also offering the call to another group
    callback: CallbackOffer | None = None
    returned_transfers: ReturnedTransfers | None = None
    language: str | None = None  # the group's language, for callers who ask for none


@dataclass(frozen=True, slots=True)
class Team:
    """Agents with the same skills and languages, and how many are on duty each interval."""

    name: str
    agents: tuple[int, ...]  # one number per interval, or one for all
    skills: Mapping[str, int]
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Scenario:
    """A center for the simulator: answer groups, teams and the intervals they share."""

    groups: tuple[AnswerGroup, ...]
    teams: tuple[Team, ...]
    interval_seconds: float = 900.0
    answer_times: tuple[float, ...] = (20.0, 30.0)
    short_abandon_seconds: float = 5.0
    name: str = ""
    start: str = ""  # wall-clock label of the first interval, "HH:MM"; rows get labels
    aging_seconds: float = DEFAULT_AGING_SECONDS  # the router's: priority - waited / this

    def __post_init__(self) -> None:
        _check_scenario(self)

    @property
    def intervals(self) -> int:
        """Return the number of intervals with arrivals."""
        return len(self.groups[0].calls)


def _fail(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}")


def _check_seconds(value: float, where: str, *, zero_ok: bool = True) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise _fail(where, f"expected seconds (a number of at least 0), got {value!r}")
    if value == 0 and not zero_ok:
        raise _fail(where, "must be more than 0 seconds")


def _check_share(value: float, where: str) -> None:
    if not (isinstance(value, int | float) and 0 <= value <= 1):
        raise _fail(where, f"expected a share between 0 and 1, got {value!r}")


def _check_scenario(scenario: Scenario) -> None:
    if not scenario.groups:
        raise ScenarioError("A scenario needs at least one answer group.")
    if not scenario.teams:
        raise ScenarioError("A scenario needs at least one team of agents.")
    _check_seconds(scenario.interval_seconds, "interval_seconds", zero_ok=False)
    _check_seconds(scenario.short_abandon_seconds, "short_abandon_seconds")
    _check_seconds(scenario.aging_seconds, "aging_seconds", zero_ok=False)
    if not scenario.answer_times:
        raise ScenarioError("answer_times: give at least one answer time, e.g. [20, 30].")
    for time in scenario.answer_times:
        _check_seconds(time, "answer_times")
    if scenario.start and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", scenario.start):
        raise _fail("start", f"expected a time as HH:MM, got {scenario.start!r}")
    intervals = len(scenario.groups[0].calls)
    if intervals == 0:
        raise _fail("groups[0].calls", "give the expected calls of at least one interval")
    names = [group.name for group in scenario.groups]
    for index, group in enumerate(scenario.groups):
        where = f"groups[{index}] ({group.name})"
        if names.count(group.name) > 1:
            raise _fail(where, "two answer groups have this name")
        if len(group.calls) != intervals:
            raise _fail(
                where, f"has {len(group.calls)} intervals of calls, the first group {intervals}"
            )
        for calls in group.calls:
            if not (isinstance(calls, int | float) and math.isfinite(calls) and calls >= 0):
                raise _fail(where, f"calls per interval must be at least 0, got {calls!r}")
        _check_seconds(group.wrap_up_seconds, f"{where}.wrap_up_seconds")
        total_share = 0.0
        for language, share in group.languages.items():
            _check_share(share, f"{where}.languages.{language}")
            total_share += share
        if group.languages and not math.isclose(total_share, 1.0, abs_tol=1e-6):
            raise _fail(f"{where}.languages", f"shares add up to {total_share:g}, not 1")
        targets = [step.to_group for step in group.overflow]
        for number, step in enumerate(group.overflow):
            at = f"{where}.overflow[{number}]" if len(group.overflow) > 1 else f"{where}.overflow"
            if step.to_group not in names:
                raise _fail(at, f"no group named {step.to_group!r}")
            if step.to_group == group.name:
                raise _fail(at, "a group cannot overflow to itself")
            if step.to_group in targets[:number]:
                raise _fail(at, f"two steps to {step.to_group!r}")
            _check_seconds(step.after_seconds, f"{at}.after_seconds")
        if group.callback is not None:
            _check_seconds(group.callback.after_seconds, f"{where}.callback.after_seconds")
            _check_share(group.callback.accept_share, f"{where}.callback.accept_share")
        if group.returned_transfers is not None:
            returned = group.returned_transfers
            _check_share(returned.share, f"{where}.returned_transfers.share")
            _check_seconds(returned.after_seconds, f"{where}.returned_transfers.after_seconds")
    team_names = [team.name for team in scenario.teams]
    for index, team in enumerate(scenario.teams):
        where = f"teams[{index}] ({team.name})"
        if team_names.count(team.name) > 1:
            raise _fail(where, "two teams have this name")
        if len(team.agents) not in (1, intervals):
            raise _fail(
                where, f"give agents for 1 or {intervals} intervals, not {len(team.agents)}"
            )
        for agents in team.agents:
            if isinstance(agents, bool) or not isinstance(agents, int) or agents < 0:
                raise _fail(where, f"agents must be whole numbers of at least 0, got {agents!r}")
        for skill, level in team.skills.items():
            if isinstance(level, bool) or not isinstance(level, int) or level < 0:
                raise _fail(f"{where}.skills.{skill}", "proficiency is a whole number >= 0")


# --- reading a scenario from JSON ---------------------------------------------------------------


def _get(data: Mapping[str, Any], key: str, where: str, default: Any = ...) -> Any:
    if key in data:
        return data[key]
    if default is ...:
        raise _fail(where, f"missing {key!r}")
    return default


def _duration(value: Any, where: str) -> Duration:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Duration(float(value))
    if isinstance(value, Mapping):
        unknown = set(value) - {"distribution", "mean", "sd"}
        if unknown:
            raise _fail(where, f"unknown keys {sorted(unknown)}")
        try:
            return Duration(
                float(_get(value, "mean", where)),
                _get(value, "distribution", where, "exponential"),
                float(value.get("sd", 0.0)),
            )
        except (TypeError, ValueError) as error:
            raise _fail(where, str(error)) from None
    raise _fail(where, f"expected seconds or {{'distribution', 'mean'}}, got {value!r}")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, f"expected an object, got {value!r}")
    return value


def _numbers(value: Any, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise _fail(where, f"expected a list of numbers, got {value!r}")
    return tuple(float(v) for v in value)


def scenario_from_dict(data: Mapping[str, Any]) -> Scenario:
    """Build a Scenario from its JSON form (documented in docs/staffing.md)."""
    data = _mapping(data, "scenario")
    known = {
        "name",
        "description",
        "start",
        "interval_minutes",
        "answer_times_seconds",
        "short_abandon_seconds",
        "aging_seconds",
        "groups",
        "teams",
    }
    unknown = set(data) - known
    if unknown:
        raise _fail("scenario", f"unknown keys {sorted(unknown)}")
    minutes = _get(data, "interval_minutes", "scenario", 15)
    if not (isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0):
        raise _fail("interval_minutes", f"expected minutes above 0, got {minutes!r}")
    groups_data = _get(data, "groups", "scenario")
    teams_data = _get(data, "teams", "scenario")
    if not isinstance(groups_data, list) or not isinstance(teams_data, list):
        raise _fail("scenario", "groups and teams are lists")
    groups = []
    for index, raw in enumerate(groups_data):
        where = f"groups[{index}]"
        raw = _mapping(raw, where)
        unknown = set(raw) - {
            "name",
            "skill",
            "calls_per_interval",
            "talk_seconds",
            "wrap_up_seconds",
            "patience_seconds",
            "language",
            "languages",
            "overflow",
            "callback",
            "returned_transfers",
        }
        if unknown:
            raise _fail(where, f"unknown keys {sorted(unknown)}")
        name = str(_get(raw, "name", where))
        patience = raw.get("patience_seconds")
        overflow = raw.get("overflow")
        callback = raw.get("callback")
        returned = raw.get("returned_transfers")
        languages = _mapping(raw.get("languages", {}), f"{where}.languages")
        language = raw.get("language")
        if language is not None and not isinstance(language, str):
            raise _fail(f"{where}.language", f"expected a language code, got {language!r}")
        steps = overflow if isinstance(overflow, list) else [] if overflow is None else [overflow]
        groups.append(
            AnswerGroup(
                name=name,
                skill=str(raw.get("skill", name)),
                calls=_numbers(_get(raw, "calls_per_interval", where), f"{where}.calls"),
                talk=_duration(_get(raw, "talk_seconds", where), f"{where}.talk_seconds"),
                wrap_up_seconds=raw.get("wrap_up_seconds", 0.0),
                patience=None
                if patience is None
                else _duration(patience, f"{where}.patience_seconds"),
                languages=dict(languages),
                overflow=tuple(
                    Overflow(
                        str(_get(_mapping(step, f"{where}.overflow"), "to", f"{where}.overflow")),
                        _get(step, "after_seconds", f"{where}.overflow"),
                    )
                    for step in steps
                ),
                language=language or None,
                callback=None
                if callback is None
                else CallbackOffer(
                    _get(_mapping(callback, f"{where}.callback"), "after_seconds", where),
                    _get(callback, "accept_share", f"{where}.callback"),
                ),
                returned_transfers=None
                if returned is None
                else ReturnedTransfers(
                    _get(_mapping(returned, f"{where}.returned_transfers"), "share", where),
                    returned.get("after_seconds", 20.0),
                ),
            )
        )
    teams = []
    for index, raw in enumerate(teams_data):
        where = f"teams[{index}]"
        raw = _mapping(raw, where)
        unknown = set(raw) - {"name", "agents", "skills", "languages"}
        if unknown:
            raise _fail(where, f"unknown keys {sorted(unknown)}")
        agents = _get(raw, "agents", where)
        if not isinstance(agents, list):
            agents = [agents]
        languages = raw.get("languages", [])
        if not isinstance(languages, list) or not all(isinstance(v, str) for v in languages):
            raise _fail(f"{where}.languages", f"expected a list of language codes: {languages!r}")
        teams.append(
            Team(
                name=str(_get(raw, "name", where)),
                agents=tuple(agents),
                skills=dict(_mapping(_get(raw, "skills", where), f"{where}.skills")),
                languages=frozenset(languages),
            )
        )
    answer_times = _numbers(data.get("answer_times_seconds", [20, 30]), "answer_times_seconds")
    return Scenario(
        groups=tuple(groups),
        teams=tuple(teams),
        interval_seconds=float(minutes) * 60.0,
        answer_times=answer_times,
        short_abandon_seconds=data.get("short_abandon_seconds", 5.0),
        name=str(data.get("name", "")),
        start=str(data.get("start", "")),
        aging_seconds=data.get("aging_seconds", DEFAULT_AGING_SECONDS),
    )


def single_group_scenario(
    *,
    calls_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None = None,
    hours: float = 8.0,
    answer_times: tuple[float, ...] = (20.0, 30.0),
    short_abandon_seconds: float = 5.0,
    interval_seconds: float = 3600.0,
) -> Scenario:
    """Return the M/M/n(+M) model of one group as a Scenario, for the general engine."""
    intervals = max(1, math.ceil(hours * 3600.0 / interval_seconds - 1e-9))
    calls = calls_per_hour * interval_seconds / 3600.0
    group = AnswerGroup(
        name="calls",
        skill="calls",
        calls=(calls,) * intervals,
        talk=Duration(aht_seconds),
        patience=None if patience_seconds is None else Duration(patience_seconds),
    )
    team = Team(name="agents", agents=(agents,), skills={"calls": 1})
    return Scenario(
        groups=(group,),
        teams=(team,),
        interval_seconds=interval_seconds,
        answer_times=answer_times,
        short_abandon_seconds=short_abandon_seconds,
    )


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallFigures:
    """What happened to the calls of a period or a group (first attempts only).

    Service levels and SL over answered are aligned with the result's answer_times; ratios
    are None when their denominator is 0.
    """

    arrivals: int
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    callbacks_requested: int
    overflowed: int
    answered_within: tuple[int, ...]
    service_level: tuple[float | None, ...]
    service_level_of_answered: tuple[float | None, ...]
    answer_rate: float | None
    abandon_rate: float | None
    asa_seconds: float | None


@dataclass(frozen=True, slots=True)
class IntervalFigures:
    """One interval's calls (by arrival time), scheduled agents and occupancy."""

    index: int
    start_seconds: float
    label: str
    agents: int
    calls: CallFigures
    occupancy: float | None
    groups: Mapping[str, CallFigures] = field(default_factory=dict)  # the calls per group


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """The outcome of one simulation run."""

    engine: Literal["single-group", "general"]
    seed: int
    answer_times: tuple[float, ...]
    totals: CallFigures
    occupancy: float | None
    groups: Mapping[str, CallFigures]
    intervals: tuple[IntervalFigures, ...]
    returned_transfers: int
    returned_answered: int
    returned_abandoned: int
    callbacks_made: int
    callback_delay_seconds: float | None  # mean time from request to the agent calling back
    simulated_seconds: float  # until the last caller was answered or gave up


class _Count:
    """Mutable counters for one group in one interval."""

    __slots__ = (
        "abandoned",
        "answered",
        "arrivals",
        "callbacks",
        "overflowed",
        "returned",
        "returned_abandoned",
        "returned_answered",
        "short",
        "wait",
        "within",
    )

    def __init__(self, answer_times: int) -> None:
        self.arrivals = self.answered = self.abandoned = self.short = 0
        self.callbacks = self.overflowed = 0
        self.returned = self.returned_answered = self.returned_abandoned = 0
        self.wait = 0.0
        self.within = [0] * answer_times


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _figures(counts: Sequence[_Count], answer_times: int) -> CallFigures:
    arrivals = sum(c.arrivals for c in counts)
    answered = sum(c.answered for c in counts)
    abandoned = sum(c.abandoned for c in counts)
    short = sum(c.short for c in counts)
    within = tuple(sum(c.within[k] for c in counts) for k in range(answer_times))
    callbacks = sum(c.callbacks for c in counts)
    offered = arrivals - short - callbacks
    return CallFigures(
        arrivals=arrivals,
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=short,
        callbacks_requested=callbacks,
        overflowed=sum(c.overflowed for c in counts),
        answered_within=within,
        service_level=tuple(_ratio(w, offered) for w in within),
        service_level_of_answered=tuple(_ratio(w, answered) for w in within),
        answer_rate=_ratio(answered, offered),
        abandon_rate=_ratio(abandoned, offered),
        asa_seconds=_ratio(sum(c.wait for c in counts), answered),
    )


def _occupancy(busy: float, staffed: float) -> float | None:
    # Busy and logged-on time are summed in different pieces, so an interval busy throughout
    # can read a rounding error above 1.
    ratio = _ratio(busy, staffed)
    return None if ratio is None else min(ratio, 1.0)


def _label(start: str, offset_seconds: float) -> str:
    if not start:
        return ""
    hours, minutes = (int(part) for part in start.split(":"))
    total = (hours * 60 + minutes + int(offset_seconds // 60)) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def _spread(
    buckets: list[float], width: float, start: float, end: float, weight: float = 1.0
) -> None:
    """Add weight × the time [start, end) to per-interval buckets, dropping what is past them."""
    index = int(start // width)
    last = len(buckets)
    while start < end and index < last:
        bucket_end = (index + 1) * width
        piece_end = end if end < bucket_end else bucket_end
        buckets[index] += (piece_end - start) * weight
        start = piece_end
        index += 1


def _result(
    *,
    engine: Literal["single-group", "general"],
    seed: int,
    scenario: Scenario,
    counts: list[list[_Count]],
    busy: list[float],
    staffed: list[float],
    scheduled: list[int],
    callbacks_made: int,
    callback_delay: float,
    simulated_seconds: float,
) -> SimulationResult:
    times = len(scenario.answer_times)
    intervals = tuple(
        IntervalFigures(
            index=i,
            start_seconds=i * scenario.interval_seconds,
            label=_label(scenario.start, i * scenario.interval_seconds),
            agents=scheduled[i],
            calls=_figures([group[i] for group in counts], times),
            occupancy=_occupancy(busy[i], staffed[i]),
            groups={g.name: _figures([counts[k][i]], times) for k, g in enumerate(scenario.groups)},
        )
        for i in range(scenario.intervals)
    )
    everything = [count for group in counts for count in group]
    return SimulationResult(
        engine=engine,
        seed=seed,
        answer_times=scenario.answer_times,
        totals=_figures(everything, times),
        occupancy=_occupancy(sum(busy), sum(staffed)),
        groups={g.name: _figures(counts[k], times) for k, g in enumerate(scenario.groups)},
        intervals=intervals,
        returned_transfers=sum(c.returned for c in everything),
        returned_answered=sum(c.returned_answered for c in everything),
        returned_abandoned=sum(c.returned_abandoned for c in everything),
        callbacks_made=callbacks_made,
        callback_delay_seconds=_ratio(callback_delay, callbacks_made),
        simulated_seconds=simulated_seconds,
    )


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ScenarioError(f"A seed is a whole number, got {seed!r}.")


# --- the fast path: one group, identical agents, first come first served -------------------------


def simulate_single_group(
    *,
    calls_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None = None,
    hours: float = 8.0,
    seed: int = 0,
    answer_times: tuple[float, ...] = (20.0, 30.0),
    short_abandon_seconds: float = 5.0,
    interval_seconds: float = 3600.0,
    talk: Duration | None = None,
    patience: Duration | None = None,
    progress: ProgressCallback | None = None,
) -> SimulationResult:
    """Simulate one answer group with `agents` identical agents, FCFS (the M/M/n+M model).

    Exponential talk time with mean `aht_seconds` and exponential patience with mean
    `patience_seconds` (None: nobody hangs up) unless `talk` or `patience` give another
    distribution. Arrivals are Poisson at `calls_per_hour` for `hours`.
    """
    scenario = single_group_scenario(
        calls_per_hour=calls_per_hour,
        aht_seconds=aht_seconds,
        agents=agents,
        patience_seconds=patience_seconds,
        hours=hours,
        answer_times=answer_times,
        short_abandon_seconds=short_abandon_seconds,
        interval_seconds=interval_seconds,
    )
    _check_seed(seed)
    if not (math.isfinite(calls_per_hour) and calls_per_hour >= 0):
        raise ScenarioError(f"calls_per_hour must be at least 0, got {calls_per_hour!r}.")
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 0:
        raise ScenarioError(f"agents must be a whole number of at least 0, got {agents!r}.")
    rng = random.Random(seed)
    uniform, log = rng.random, math.log
    talk_mean = aht_seconds
    # Exponential draws are written out in the loop; other distributions go through samplers.
    if talk is None:
        talk = Duration(aht_seconds)
    talk_mean = talk.mean if talk.kind == "exponential" else 0.0
    draw_talk = talk.sampler(rng)
    if patience is None and patience_seconds is not None:
        patience = Duration(patience_seconds)
    patience_mean = (
        patience.mean if patience is not None and patience.kind == "exponential" else 0.0
    )
    draw_patience = None if patience is None else patience.sampler(rng)
    intervals = scenario.intervals
    width = scenario.interval_seconds
    horizon = hours * 3600.0
    times = scenario.answer_times
    short = short_abandon_seconds
    counts = [_Count(len(times)) for _ in range(intervals)]
    busy = [0.0] * intervals
    # The time each agent is next free, as a heap: the first caller in line takes the
    # earliest. Zero agents: nobody is ever free.
    free = [0.0] * agents if agents else [math.inf]
    gap = 3600.0 / calls_per_hour if calls_per_hour else math.inf
    heapreplace = heapq.heapreplace
    now = -log(1.0 - uniform()) * gap
    for index in range(intervals):
        interval_end = min((index + 1) * width, horizon)
        arrivals = immediate = answered = abandoned = short_abandoned = 0
        waited = 0.0
        busy_here = 0.0
        within = [0] * len(times)
        while now < interval_end:
            arrivals += 1
            earliest = free[0]
            if earliest <= now:
                immediate += 1
                start = now
            else:
                wait = earliest - now
                if draw_patience is not None:
                    patience_left = (
                        -log(1.0 - uniform()) * patience_mean if patience_mean else draw_patience()
                    )
                    if patience_left < wait:
                        if patience_left < short:
                            short_abandoned += 1
                        else:
                            abandoned += 1
                        now -= log(1.0 - uniform()) * gap
                        continue
                elif agents == 0:
                    now -= log(1.0 - uniform()) * gap
                    continue  # Nobody will ever answer and nobody hangs up.
                waited += wait
                for k, limit in enumerate(times):
                    if wait <= limit:
                        within[k] += 1
                start = earliest
            answered += 1
            end = start + (-log(1.0 - uniform()) * talk_mean if talk_mean else draw_talk())
            heapreplace(free, end)
            if end <= interval_end:
                busy_here += end - start
            else:
                _spread(busy, width, start, end)
            now -= log(1.0 - uniform()) * gap
        count = counts[index]
        count.arrivals = arrivals
        count.answered = answered
        count.abandoned = abandoned
        count.short = short_abandoned
        count.wait = waited
        count.within = [immediate + w for w in within]
        busy[index] += busy_here
        if progress is not None:
            progress(interval_end / horizon)
    staffed = [agents * max(0.0, min(width, horizon - i * width)) for i in range(intervals)]
    return _result(
        engine="single-group",
        seed=seed,
        scenario=scenario,
        counts=[counts],
        busy=busy,
        staffed=staffed,
        scheduled=[agents] * intervals,
        callbacks_made=0,
        callback_delay=0.0,
        simulated_seconds=max(horizon, *free) if agents else horizon,
    )


# --- the general engine -------------------------------------------------------------------------

# Event kinds.
_ARRIVE, _INTERVAL, _ABANDON, _OVERFLOW, _CALLBACK, _TALK_END, _FREE, _RETURN = range(8)
# States of a contact: waiting in the router (a callback too), answered, or gone.
_WAITING, _TAKEN, _GONE = range(3)
_READY, _WRAP_UP, _LOGGED_OUT = AgentState.READY, AgentState.WRAP_UP, AgentState.LOGGED_OUT
_CALLS_ONLY = {Channel.CALL: 1}


class _Contact:
    """One wait in a queue: a first call or a returned transfer; a callback keeps the call's."""

    __slots__ = ("count", "group", "id", "kind", "language", "overflowed", "since", "state")

    def __init__(
        self, contact_id: str, group: int, kind: int, language: str | None, count: _Count
    ) -> None:
        self.id = contact_id
        self.group = group
        self.kind = kind  # _FIRST, _RETURNED, or _CALLBACK once the caller asked for one
        self.language = language  # the one the caller asked for
        self.state = _WAITING
        self.count = count
        self.since = 0.0  # queued since, or since the caller asked for a callback
        self.overflowed = False


class _Seat:
    """One agent at work: their id in the router and what the simulation knows of them."""

    __slots__ = ("busy_since", "contact", "id", "leaving", "on_duty", "ready")

    def __init__(self, agent_id: str) -> None:
        self.id = agent_id
        self.busy_since = 0.0
        self.contact: _Contact | None = None  # talking or wrapping up after it
        self.leaving = False
        self.on_duty = False
        self.ready = False  # READY in the router (else LOGGED_OUT or WRAP_UP)


def router_groups(scenario: Scenario) -> list[Group]:
    """The scenario's answer groups as production's router sees them."""
    return [
        Group(
            code=group.name,
            skill=group.skill,
            language=group.language,
            overflow=tuple(OverflowStep(s.after_seconds, s.to_group) for s in group.overflow),
        )
        for group in scenario.groups
    ]


class _Engine:
    """The event loop around production's router: it draws what happens, the router decides.

    Contacts go to the router as calls (priority CALL, or RETURNED for a returned transfer;
    the caller's language, if asked); agents are READY when free, WRAP_UP while wrapping up,
    LOGGED_OUT off duty. After every change the engine asks the router to route, and every
    offer is answered at once. Overflow steps open inside the router; the engine routes at
    the moment each step of a waiting contact opens.
    """

    def __init__(self, scenario: Scenario, seed: int, progress: ProgressCallback | None) -> None:
        self.scenario = scenario
        self.seed = seed
        self.progress = progress
        self.rng = rng = random.Random(seed)
        self.uniform = rng.random
        self.width = scenario.interval_seconds
        self.intervals = scenario.intervals
        self.horizon = self.intervals * self.width
        self.times = scenario.answer_times
        self.short = scenario.short_abandon_seconds
        self.events: list[tuple[float, int, int, Any]] = []
        self.sequence = itertools.count()
        self.groups = scenario.groups
        self.router = Router(router_groups(scenario), aging_seconds=scenario.aging_seconds)
        self.talk = [group.talk.sampler(rng) for group in self.groups]
        self.patience = [
            None if group.patience is None else group.patience.sampler(rng) for group in self.groups
        ]
        # Overflow steps' delays per group, soonest first: the engine routes when each opens.
        self.steps = [sorted(step.after_seconds for step in g.overflow) for g in self.groups]
        # Per group: language names (None: callers ask for none) and their cumulative shares.
        self.languages: list[tuple[list[str | None], list[float]]] = []
        for group in self.groups:
            names: list[str | None] = list(group.languages)
            cumulative = list(itertools.accumulate(group.languages[n] for n in group.languages))
            self.languages.append((names or [None], cumulative))
        self.counts = [
            [_Count(len(self.times)) for _ in range(self.intervals)] for _ in self.groups
        ]
        self.waiting: dict[str, _Contact] = {}
        self.contact_ids = itertools.count(1)
        self.busy = [0.0] * self.intervals
        self.staffed = [0.0] * self.intervals
        self.on_duty = 0
        self.staffed_since = 0.0
        self.seats: list[list[_Seat]] = [[] for _ in scenario.teams]
        self.seat_of: dict[str, _Seat] = {}
        self.callbacks_made = 0
        self.callback_delay = 0.0
        self.now = 0.0

    # -- bookkeeping

    def push(self, time: float, kind: int, payload: Any) -> None:
        heapq.heappush(self.events, (time, next(self.sequence), kind, payload))

    def staff_change(self, delta: int) -> None:
        if self.on_duty:
            _spread(self.staffed, self.width, self.staffed_since, self.now, self.on_duty)
        self.staffed_since = self.now
        self.on_duty += delta

    # -- routing: the router decides, the engine carries it out

    def route(self) -> None:
        for offer in self.router.route(now=self.now):
            self.answer(offer)

    def answer(self, offer: Offer) -> None:
        now = self.now
        contact = self.waiting.pop(offer.contact_id)
        seat = self.seat_of[offer.agent_id]
        self.router.accept(seat.id, contact.id, now=now)
        contact.state = _TAKEN
        wait = now - contact.since
        count = contact.count
        if contact.kind == _FIRST:
            count.answered += 1
            if wait:
                count.wait += wait
                within = count.within
                for k, limit in enumerate(self.times):
                    if wait <= limit:
                        within[k] += 1
            else:
                count.within = [w + 1 for w in count.within]
        elif contact.kind == _RETURNED:
            count.returned_answered += 1
        else:
            self.callbacks_made += 1
            self.callback_delay += wait
        seat.contact = contact
        seat.busy_since = now
        heapq.heappush(
            self.events,
            (now + self.talk[contact.group](), next(self.sequence), _TALK_END, seat),
        )

    # -- contacts

    def arrive(self, group: int) -> None:
        now = self.now
        count = self.counts[group][int(now // self.width)]
        count.arrivals += 1
        names, cumulative = self.languages[group]
        language = names[0]
        if cumulative:
            share = self.uniform() * cumulative[-1]
            language = names[min(bisect.bisect_right(cumulative, share), len(names) - 1)]
        self.enter(group, _FIRST, count, language)
        self.schedule_arrival(group, now)

    def enter(
        self, group: int, kind: int, count: _Count, language: str | None, priority: int = CALL
    ) -> _Contact:
        """A contact starts waiting: to the router, and its timers if nobody takes it now."""
        now = self.now
        contact = _Contact(str(next(self.contact_ids)), group, kind, language, count)
        contact.since = now
        self.waiting[contact.id] = contact
        router_contact = Contact(
            contact.id, self.groups[group].name, Channel.CALL, now, priority, language
        )
        router = self.router
        router.submit(router_contact, now=now)
        for offer in router.pending_offers():  # its own, and any others the same route() made
            self.answer(offer)
        if contact.state == _WAITING:
            self.set_timers(contact)
        return contact

    def set_timers(self, contact: _Contact) -> None:
        """Patience, overflow steps and the callback offer of a contact left waiting."""
        now = self.now
        draw = self.patience[contact.group]
        if draw is not None:
            self.push(now + draw(), _ABANDON, contact)
        for after in self.steps[contact.group]:
            self.push(now + after, _OVERFLOW, contact)
        if contact.kind == _FIRST:
            callback = self.groups[contact.group].callback
            if callback is not None:
                self.push(now + callback.after_seconds, _CALLBACK, contact)

    def schedule_arrival(self, group: int, after: float) -> None:
        """Draw the next arrival of a group: Poisson with a rate constant per interval."""
        calls = self.groups[group].calls
        width = self.width
        index = int(after // width)
        time = after
        while index < self.intervals:
            rate = calls[index] / width
            interval_end = (index + 1) * width
            if rate > 0:
                time -= math.log(1.0 - self.uniform()) / rate
                if time < interval_end:
                    heapq.heappush(self.events, (time, next(self.sequence), _ARRIVE, group))
                    return
            # No arrival before the interval ends: start afresh there (memoryless).
            time = interval_end
            index += 1

    def abandon(self, contact: _Contact) -> None:
        if contact.state != _WAITING or contact.kind == _CALLBACK:
            return
        contact.state = _GONE
        del self.waiting[contact.id]
        self.router.withdraw(contact.id)
        count = contact.count
        if contact.kind == _RETURNED:
            count.returned_abandoned += 1
        elif self.now - contact.since < self.short:
            count.short += 1
        else:
            count.abandoned += 1

    def overflow(self, contact: _Contact) -> None:
        """A step of a waiting contact opens: the router may now offer it to that group."""
        if contact.state != _WAITING:
            return
        if contact.kind == _FIRST and not contact.overflowed:
            contact.overflowed = True  # counted once per call, at its first step
            contact.count.overflowed += 1
        self.route()

    def offer_callback(self, contact: _Contact) -> None:
        if contact.state != _WAITING or contact.kind != _FIRST:
            return
        offer = self.groups[contact.group].callback
        assert offer is not None
        if self.uniform() >= offer.accept_share:
            return
        # The caller hangs up; the callback keeps the call's place in the queue (as
        # production's does) and is counted apart from offered calls.
        contact.kind = _CALLBACK
        contact.since = self.now
        contact.count.callbacks += 1
        self.router.request_callback(contact.id, now=self.now)

    def talk_end(self, seat: _Seat) -> None:
        contact = seat.contact
        assert contact is not None
        group = self.groups[contact.group]
        returned = group.returned_transfers
        if (
            returned is not None
            and contact.kind == _FIRST
            and returned.share > 0
            and self.uniform() < returned.share
        ):
            contact.count.returned += 1
            self.push(self.now + returned.after_seconds, _RETURN, contact)
        router = self.router
        if group.wrap_up_seconds > 0:
            # WRAP_UP before finishing, so the agent is never READY in between; READY again
            # when it ends (idle since then), as production's finish(wrap_up_seconds=...).
            router.set_state(seat.id, _WRAP_UP, now=self.now)
            seat.ready = False
            router.finish(seat.id, contact.id, now=self.now)
            self.push(self.now + group.wrap_up_seconds, _FREE, seat)
        else:
            router.finish(seat.id, contact.id, now=self.now)
            self.free(seat)

    def returned(self, contact: _Contact) -> None:
        self.enter(contact.group, _RETURNED, contact.count, contact.language, RETURNED)

    # -- agents

    def free(self, seat: _Seat) -> None:
        now = self.now
        if seat.contact is not None:
            start = seat.busy_since
            index = int(start // self.width)
            if index < self.intervals and now <= (index + 1) * self.width:
                self.busy[index] += now - start
            else:
                _spread(self.busy, self.width, start, now)
            seat.contact = None
        if seat.leaving:
            seat.leaving = False
            seat.on_duty = False
            seat.ready = False
            self.staff_change(-1)
            self.router.set_state(seat.id, _LOGGED_OUT, now=now)
            return
        if not seat.ready:
            seat.ready = True
            self.router.set_state(seat.id, _READY, now=now)
        self.route()

    def staff(self, interval: int) -> None:
        for team_index, team in enumerate(self.scenario.teams):
            wanted = team.agents[interval if len(team.agents) > 1 else 0]
            seats = self.seats[team_index]
            working = [s for s in seats if s.on_duty and not s.leaving]
            # Agents about to log off after their call stay on instead.
            for seat in seats:
                if len(working) >= wanted:
                    break
                if seat.on_duty and seat.leaving:
                    seat.leaving = False
                    working.append(seat)
            while len(working) < wanted:
                spare = next((s for s in seats if not s.on_duty), None)
                if spare is None:
                    spare = self.new_seat(team_index, len(seats))
                spare.on_duty = True
                self.staff_change(+1)
                working.append(spare)
                self.free(spare)
            for seat in reversed(working[wanted:]):
                if seat.contact is None:
                    seat.on_duty = False
                    seat.ready = False
                    self.staff_change(-1)
                    self.router.set_state(seat.id, _LOGGED_OUT, now=self.now)
                else:
                    seat.leaving = True

    def new_seat(self, team_index: int, number: int) -> _Seat:
        team = self.scenario.teams[team_index]
        seat = _Seat(f"{team.name}#{number + 1}")
        self.router.set_agent(
            AgentProfile(seat.id, team.skills, team.languages, capacity=_CALLS_ONLY)
        )
        self.seats[team_index].append(seat)
        self.seat_of[seat.id] = seat
        return seat

    # -- the loop

    def start(self) -> None:
        """Put the interval boundaries and each group's first arrival on the event list."""
        for interval in range(self.intervals):
            self.push(interval * self.width, _INTERVAL, interval)
        for k in range(len(self.groups)):
            self.schedule_arrival(k, 0.0)

    def advance(self, until: float = math.inf) -> None:
        """Handle the events before `until` (all of them by default), in time order."""
        events = self.events
        heappop = heapq.heappop
        handlers: list[Callable[[Any], None]] = [
            self.arrive,
            self.staff,
            self.abandon,
            self.overflow,
            self.offer_callback,
            self.talk_end,
            self.free,
            self.returned,
        ]
        progress = self.progress
        report_every = 1 << 14
        step = 0
        while events and events[0][0] < until:
            time, _, kind, payload = heappop(events)
            self.now = time
            handlers[kind](payload)
            if progress is not None:
                step += 1
                if step % report_every == 0:
                    progress(min(1.0, time / self.horizon))

    def run(self) -> SimulationResult:
        self.start()
        self.advance()
        end = max(self.now, self.horizon)
        self.now = self.horizon
        if self.staffed_since < self.horizon:
            self.staff_change(0)
        if self.progress is not None:
            self.progress(1.0)
        scheduled = [
            sum(team.agents[i if len(team.agents) > 1 else 0] for team in self.scenario.teams)
            for i in range(self.intervals)
        ]
        return _result(
            engine="general",
            seed=self.seed,
            scenario=self.scenario,
            counts=self.counts,
            busy=self.busy,
            staffed=self.staffed,
            scheduled=scheduled,
            callbacks_made=self.callbacks_made,
            callback_delay=self.callback_delay,
            simulated_seconds=end,
        )


def simulate(
    scenario: Scenario, *, seed: int = 0, progress: ProgressCallback | None = None
) -> SimulationResult:
    """Run the general engine on a scenario; `progress` is called with the share done."""
    _check_seed(seed)
    return _Engine(scenario, seed, progress).run()


def result_as_dict(result: SimulationResult) -> dict[str, Any]:
    """Return a result as JSON-ready data: service levels keyed by answer time in seconds."""

    def keyed(values: tuple[float | None, ...] | tuple[int, ...]) -> dict[str, Any]:
        return {f"{t:g}": v for t, v in zip(result.answer_times, values, strict=True)}

    def calls(figures: CallFigures) -> dict[str, Any]:
        return {
            "arrivals": figures.arrivals,
            "offered": figures.offered,
            "answered": figures.answered,
            "abandoned": figures.abandoned,
            "short_abandoned": figures.short_abandoned,
            "callbacks_requested": figures.callbacks_requested,
            "overflowed": figures.overflowed,
            "answer_rate": figures.answer_rate,
            "abandon_rate": figures.abandon_rate,
            "service_level": keyed(figures.service_level),
            "service_level_of_answered": keyed(figures.service_level_of_answered),
            "asa_seconds": figures.asa_seconds,
        }

    return {
        "engine": result.engine,
        "seed": result.seed,
        **calls(result.totals),
        "occupancy": result.occupancy,
        "returned_transfers": {
            "returned": result.returned_transfers,
            "answered": result.returned_answered,
            "abandoned": result.returned_abandoned,
        },
        "callbacks": {
            "made": result.callbacks_made,
            "mean_delay_seconds": result.callback_delay_seconds,
        },
        "simulated_seconds": result.simulated_seconds,
        "groups": {name: calls(figures) for name, figures in result.groups.items()},
        "intervals": [
            {
                "index": row.index,
                "start_seconds": row.start_seconds,
                **({"start": row.label} if row.label else {}),
                "agents": row.agents,
                **calls(row.calls),
                "occupancy": row.occupancy,
            }
            for row in result.intervals
        ],
    }
