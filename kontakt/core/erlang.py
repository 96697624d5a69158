"""Erlang B, C and A: how many agents an answer group needs, and the service they give.

Units: traffic in Erlangs (calls × AHT / interval length), times in seconds. Every model is
the steady state of one answer group in one interval with Poisson arrivals and exponential
handling times, as in workforce-management practice:

* Erlang B (M/M/n/n): the probability that all agents are busy when there is no queue.
* Erlang C (M/M/n): callers wait as long as it takes. With traffic at or above the agents the
  queue grows without bound: p_wait is 1, service level 0, ASA ``math.inf`` and
  ``QueueFigures.stable`` is False.
* Erlang A (Palm's M/M/n+M): callers hang up after an exponential patience with the given
  mean, so the queue is stable at any traffic; p_abandon says how many do.

No factorials: Erlang B uses the recursion 1/B(n) = 1 + n / (A·B(n−1)) and moves to log
space where B underflows; the Erlang A sums are scaled as they grow. Both stay finite and
agree with 50-digit references to 1e-9 (the tests' bound) up to 2,000 agents and 2,000
Erlangs, and stay finite well beyond.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

# Staffing searches give up here; traffic above it is refused.
MAX_AGENTS = 100_000

_RESCALE = 1e250
_LOG_RESCALE = math.log(_RESCALE)
_TINY = 1e-250
_INF = math.inf
# Builds a NamedTuple without its Python-level __new__: a third of the cost.
_build = tuple.__new__
_SERIES_EPSILON = 2.0**-60


class ErlangError(ValueError):
    """A question an Erlang model cannot answer with a number."""


class TargetUnreachable(ErlangError):
    """A staffing target that no number of agents (up to the limit searched) can meet."""


# A NamedTuple rather than a frozen dataclass: a year of 15-minute intervals builds 35,040 of
# them, and a frozen dataclass takes eight times as long to build on CPython 3.12.
class QueueFigures(NamedTuple):
    """Steady-state figures of one answer group in one interval with a number of agents.

    ``service_level`` is the share of offered calls answered within ``answer_time_seconds``
    (abandoned calls count as offered and not answered); ``asa_seconds`` is the mean wait of
    answered calls; ``occupancy`` the share of agent time spent handling calls.
    """

    model: Literal["C", "A"]
    agents: int
    traffic_erlangs: float
    aht_seconds: float
    answer_time_seconds: float
    patience_seconds: float  # math.inf for Erlang C
    p_wait: float
    service_level: float
    asa_seconds: float  # math.inf when no call is ever answered or the queue is unstable
    occupancy: float
    p_abandon: float  # 0.0 for Erlang C

    @property
    def stable(self) -> bool:
        """Tell whether the queue has a steady state (Erlang C needs traffic below agents)."""
        return self.model == "A" or self.traffic_erlangs == 0 or self.traffic_erlangs < self.agents


# --- arguments ----------------------------------------------------------------------------------


def _check_agents(agents: int) -> None:
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 0:
        raise ErlangError(f"Agents must be a whole number of at least 0, got {agents!r}.")


def _check_traffic(traffic: float) -> None:
    if not (math.isfinite(traffic) and 0 <= traffic <= MAX_AGENTS):
        raise ErlangError(f"Traffic must be between 0 and {MAX_AGENTS} Erlangs, got {traffic!r}.")


def _check_seconds(value: float, name: str, *, zero_ok: bool = False) -> None:
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        bound = "at least 0" if zero_ok else "more than 0"
        raise ErlangError(f"{name} must be a finite number of seconds {bound}, got {value!r}.")


def _check_max_agents(max_agents: int) -> None:
    if isinstance(max_agents, bool) or not isinstance(max_agents, int) or max_agents < 1:
        raise ErlangError(f"max_agents must be a whole number of at least 1, got {max_agents!r}.")


def traffic_erlangs(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    """Return the offered traffic in Erlangs: calls × AHT / interval length."""
    if not (math.isfinite(calls) and calls >= 0):
        raise ErlangError(f"Calls must be a finite number of at least 0, got {calls!r}.")
    _check_seconds(interval_seconds, "The interval")
    _check_seconds(aht_seconds, "AHT")
    return calls * aht_seconds / interval_seconds


def agents_scheduled(agents_needed: int, shrinkage: float) -> int:
    """Return the agents to schedule so that `agents_needed` are on the phones.

    Shrinkage is the share of paid time not available for calls (breaks, meetings, training,
    absence): scheduled = needed / (1 − shrinkage), rounded up.
    """
    _check_agents(agents_needed)
    if not (math.isfinite(shrinkage) and 0 <= shrinkage < 1):
        raise ErlangError(f"Shrinkage must be at least 0 and below 1, got {shrinkage!r}.")
    exact = agents_needed / (1.0 - shrinkage)
    # 10 / (1 - 0.2) is 12.500000000000002 in floats; do not let that round up to 13.
    return math.ceil(exact - 1e-9 * max(1.0, exact))


# --- Erlang B and C -----------------------------------------------------------------------------


def erlang_b(agents: int, traffic: float) -> float:
    """Return Erlang B, the blocking probability of M/M/n/n.

    Recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)), i.e. 1/B(n) = 1 + n/(A·B(n−1)),
    which is numerically stable (every step is a convex combination); it underflows to 0.0
    only below 1e-308.
    """
    _check_agents(agents)
    _check_traffic(traffic)
    blocking = 1.0
    for n in range(1, agents + 1):
        carried = traffic * blocking
        blocking = carried / (n + carried)
    return blocking


def _log_erlang_b(agents: int, traffic: float) -> float:
    """Return log B(n, A), exact where B itself would underflow (many agents, little traffic)."""
    if traffic == 0:
        return 0.0 if agents == 0 else -math.inf
    blocking = 1.0
    n = 1
    # Stop before traffic · B underflows (tiny traffic): the log form takes over from there.
    while n <= agents and traffic * blocking > _TINY:
        carried = traffic * blocking
        blocking = carried / (n + carried)
        n += 1
    log_blocking = math.log(blocking)
    log_traffic = math.log(traffic)
    for m in range(n, agents + 1):
        log_blocking += log_traffic - math.log(m + traffic * math.exp(log_blocking))
    return log_blocking


def _inverse_erlang_b(agents: int, traffic: float) -> float:
    """Return 1/B(n, A) by 1/B(n) = 1 + n/A · 1/B(n−1): a multiply-add a step.

    It grows without bound where B underflows and becomes ``math.inf``, which the Erlang C
    formulas below turn into a P(wait) of exactly 0.0.
    """
    per_erlang = 1.0 / traffic
    inverse = 1.0
    for n in range(1, agents + 1):
        inverse = 1.0 + n * per_erlang * inverse
    return inverse


def _p_wait(agents: int, traffic: float, inverse: float) -> float:
    # C = n·B / (n − A(1 − B)) = n / (I·(n − A) + A) with I = 1/B: positive terms only, one
    # division, no cancellation when A is close to n.
    return agents / (inverse * (agents - traffic) + traffic)


def erlang_c(agents: int, traffic: float) -> float:
    """Return Erlang C, the probability that a call waits in M/M/n (1.0 if traffic ≥ agents).

    C(n, A) = n·B / (n − A·(1 − B)) with B = Erlang B (Cooper, Introduction to Queueing
    Theory, 2nd ed., 1981, §3.4).
    """
    _check_agents(agents)
    _check_traffic(traffic)
    if traffic == 0:
        return 0.0
    if traffic >= agents:
        return 1.0
    return _p_wait(agents, traffic, _inverse_erlang_b(agents, traffic))


def erlang_c_figures(
    *, agents: int, traffic: float, aht_seconds: float, answer_time_seconds: float = 20.0
) -> QueueFigures:
    """Return Erlang C's figures for `agents` at `traffic` Erlangs.

    SL(t) = 1 − C·exp(−(n − A)·t / AHT) and ASA = C·AHT / (n − A) (Cooper 1981, §3.4).
    """
    _check_agents(agents)
    _check_traffic(traffic)
    _check_seconds(aht_seconds, "AHT")
    _check_seconds(answer_time_seconds, "The answer time", zero_ok=True)
    aht, answer_time = aht_seconds, answer_time_seconds
    if traffic == 0:
        return QueueFigures("C", agents, 0.0, aht, answer_time, _INF, 0.0, 1.0, 0.0, 0.0, 0.0)
    if traffic >= agents:
        occupancy = 1.0 if agents else 0.0
        return QueueFigures(
            "C", agents, traffic, aht, answer_time, _INF, 1.0, 0.0, _INF, occupancy, 0.0
        )
    p_wait = _p_wait(agents, traffic, _inverse_erlang_b(agents, traffic))
    spare = agents - traffic
    return QueueFigures(
        "C",
        agents,
        traffic,
        aht,
        answer_time,
        _INF,
        p_wait,
        1.0 - p_wait * math.exp(-spare * answer_time / aht),
        p_wait * aht / spare,
        traffic / agents,
        0.0,
    )


def _erlang_c_search(
    traffic: float,
    aht: float,
    answer_time: float,
    target: float,
    by_asa: bool,
    max_agents: int,
) -> QueueFigures:
    """Walk up from the fewest agents that keep the queue stable to the first that meet the
    target, carrying 1/B and exp(−(n − A)·t/AHT) along: O(A + steps) for the whole search."""
    agents = int(traffic) + 1
    if agents > max_agents:
        raise TargetUnreachable(
            f"{traffic:g} Erlangs need more than {max_agents} agents to keep the queue stable."
        )
    per_erlang = 1.0 / traffic
    inverse = 1.0
    for n in range(1, agents + 1):
        inverse = 1.0 + n * per_erlang * inverse
    scale = answer_time / aht
    decay = math.exp(-(agents - traffic) * scale)
    step = math.exp(-scale)
    while True:
        spare = agents - traffic
        p_wait = agents / (inverse * spare + traffic)
        if (p_wait * aht / spare <= target) if by_asa else (1.0 - p_wait * decay >= target):
            return _build(
                QueueFigures,
                (
                    "C",
                    agents,
                    traffic,
                    aht,
                    answer_time,
                    _INF,
                    p_wait,
                    1.0 - p_wait * decay,
                    p_wait * aht / spare,
                    traffic / agents,
                    0.0,
                ),
            )
        agents += 1
        if agents > max_agents:
            wanted = (
                f"An ASA of {target:g} s"
                if by_asa
                else f"A service level of {target:.1%} within {answer_time:g} s"
            )
            raise TargetUnreachable(f"{wanted} needs more than {max_agents} agents.")
        inverse = 1.0 + agents * per_erlang * inverse
        decay *= step


def _check_share(value: float, name: str) -> None:
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise ErlangError(f"{name} must be a share between 0 and 1, got {value!r}.")


def _zero_traffic(
    model: Literal["C", "A"], aht: float, answer_time: float, patience: float
) -> QueueFigures:
    return QueueFigures(model, 0, 0.0, aht, answer_time, patience, 0.0, 1.0, 0.0, 0.0, 0.0)


def erlang_c_agents_for_service_level(
    *,
    traffic: float,
    aht_seconds: float,
    target: float,
    answer_time_seconds: float,
    max_agents: int = MAX_AGENTS,
) -> QueueFigures:
    """Return the figures for the fewest agents whose Erlang C service level meets `target`.

    Never fewer agents than keep the queue stable (more than the traffic); no agents for no
    traffic. A target of 1 (everyone answered within the time) cannot be met when calls come.
    """
    # The checks are written out (not _check_*) because this is a year plan's hot path.
    if not (
        0.0 <= traffic <= MAX_AGENTS
        and 0.0 < aht_seconds < math.inf
        and 0.0 <= answer_time_seconds < math.inf
        and 0.0 <= target <= 1.0
        and type(max_agents) is int
        and max_agents >= 1
    ):
        _check_traffic(traffic)
        _check_seconds(aht_seconds, "AHT")
        _check_seconds(answer_time_seconds, "The answer time", zero_ok=True)
        _check_share(target, "The service-level target")
        _check_max_agents(max_agents)
    if traffic == 0:
        return _zero_traffic("C", aht_seconds, answer_time_seconds, math.inf)
    if target >= 1:
        raise TargetUnreachable("A service level of 100 % cannot be guaranteed while calls come.")
    return _erlang_c_search(
        traffic,
        aht_seconds,
        answer_time_seconds,
        target,
        False,
        max_agents,
    )


def erlang_c_staffing_plan(
    *,
    traffic: Sequence[float],
    aht_seconds: float | Sequence[float],
    target: float,
    answer_time_seconds: float,
    max_agents: int = MAX_AGENTS,
) -> list[QueueFigures]:
    """Return erlang_c_agents_for_service_level for each interval's traffic, in order.

    `aht_seconds` is one AHT for every interval or one per interval. The same calculation
    interval by interval, with the shared arguments checked once.
    """
    traffic = list(traffic)
    if isinstance(aht_seconds, float | int):
        _check_seconds(aht_seconds, "AHT")
        ahts = [float(aht_seconds)] * len(traffic)
    else:
        ahts = [float(aht) for aht in aht_seconds]
        for aht in ahts:
            _check_seconds(aht, "AHT")
    if len(ahts) != len(traffic):
        raise ErlangError(f"Got {len(traffic)} intervals of traffic but {len(ahts)} AHTs.")
    _check_seconds(answer_time_seconds, "The answer time", zero_ok=True)
    _check_share(target, "The service-level target")
    _check_max_agents(max_agents)
    # Checked in bulk at C speed: fsum is NaN or infinite if any value is.
    if traffic and not (
        math.isfinite(math.fsum(traffic)) and min(traffic) >= 0 and max(traffic) < max_agents
    ):
        for erlangs in traffic:
            _check_traffic(erlangs)
        # Some interval needs more than max_agents: the one-interval search says which.
        for erlangs, aht in zip(traffic, ahts, strict=True):
            if erlangs:
                _erlang_c_search(erlangs, aht, answer_time_seconds, 0.0, False, max_agents)
    if target >= 1 and any(erlangs > 0 for erlangs in traffic):
        raise TargetUnreachable("A service level of 100 % cannot be guaranteed while calls come.")
    # _erlang_c_search written out once more: a year is 35,040 intervals, and a function
    # call costs as much as the arithmetic. The tests hold the two equal.
    plan: list[QueueFigures] = []
    append = plan.append
    exp = math.exp
    answer_time = answer_time_seconds
    closed: dict[float, QueueFigures] = {}  # one shared answer per AHT for intervals without calls
    for erlangs, aht in zip(traffic, ahts, strict=True):
        if erlangs == 0:
            figures = closed.get(aht)
            if figures is None:
                figures = closed[aht] = _zero_traffic("C", aht, answer_time, _INF)
            append(figures)
            continue
        agents = int(erlangs) + 1
        per_erlang = 1.0 / erlangs
        inverse = 1.0
        for n in range(1, agents + 1):
            inverse = 1.0 + n * per_erlang * inverse
        scale = answer_time / aht
        spare = agents - erlangs
        decay = exp(-spare * scale)
        p_wait = agents / (inverse * spare + erlangs)
        if 1.0 - p_wait * decay < target:
            step = exp(-scale)
            while 1.0 - p_wait * decay < target:
                agents += 1
                if agents > max_agents:
                    _erlang_c_search(erlangs, aht, answer_time, target, False, max_agents)
                inverse = 1.0 + agents * per_erlang * inverse
                decay *= step
                spare = agents - erlangs
                p_wait = agents / (inverse * spare + erlangs)
        append(
            _build(
                QueueFigures,
                (
                    "C",
                    agents,
                    erlangs,
                    aht,
                    answer_time,
                    _INF,
                    p_wait,
                    1.0 - p_wait * decay,
                    p_wait * aht / spare,
                    erlangs / agents,
                    0.0,
                ),
            )
        )
    return plan


def erlang_c_agents_for_asa(
    *,
    traffic: float,
    aht_seconds: float,
    target_seconds: float,
    answer_time_seconds: float = 20.0,
    max_agents: int = MAX_AGENTS,
) -> QueueFigures:
    """Return the figures for the fewest agents whose Erlang C ASA is at most `target_seconds`.

    An ASA target of 0 cannot be met while calls come (some always wait).
    """
    _check_traffic(traffic)
    _check_seconds(aht_seconds, "AHT")
    _check_seconds(target_seconds, "The ASA target", zero_ok=True)
    _check_seconds(answer_time_seconds, "The answer time", zero_ok=True)
    _check_max_agents(max_agents)
    if traffic == 0:
        return _zero_traffic("C", aht_seconds, answer_time_seconds, math.inf)
    if target_seconds == 0:
        raise TargetUnreachable("An ASA of 0 s cannot be guaranteed while calls come.")
    return _erlang_c_search(
        traffic,
        aht_seconds,
        answer_time_seconds,
        target_seconds,
        True,
        max_agents,
    )


# --- Erlang A -----------------------------------------------------------------------------------


def _softplus(x: float) -> float:
    """Return log(1 + e^x) without overflow."""
    if x > 35.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def _palm_sums(c: float, y: float) -> tuple[float, float, float, float]:
    """Return the logs of Palm's sums for c = n·μ/θ and y = λ/θ (both > 0).

    With t_j = y^j / ((c+1)(c+2)…(c+j)) (t_0 = 1), the probability of finding all n agents
    busy and j callers queued is π_n·t_j. Returned, as logarithms:

    * S = Σ_{j≥1} t_j  (so A(c, y) = 1 + S is the function A of Mandelbaum & Zeltyn);
    * V = Σ_{j≥0} t_j·(j+1)/(c+j+1), the abandoning share (P(Ab) = π_n·V);
    * R = Σ_{j≥0} t_j·c/(c+j+1), the share served after waiting;
    * U = Σ_{j≥0} t_j·c/(c+j+1)·h_j with h_j = Σ_{k=1..j+1} 1/(c+k), so that the waits of
      the answered callers add up to π_n·U/θ.

    A caller who finds j others queued moves through j+1 stages with exit rates θ(c+k),
    k = 1..j+1, and at each stage is answered-next with probability (c+k−1)/(c+k); the
    products telescope to c/(c+j+1), and the wait of an answered caller is the sum of the
    stage times. Terms are rescaled as they grow, so nothing overflows.
    """
    log_scale = 0.0
    term = 1.0
    sum_s = 0.0
    harmonic = 1.0 / (c + 1.0)
    served = c / (c + 1.0)
    sum_v = 1.0 / (c + 1.0)
    sum_r = served
    sum_u = served * harmonic
    j = 0
    while True:
        j += 1
        denominator = c + j + 1.0
        term *= y / (c + j)
        harmonic += 1.0 / denominator
        served = term * c / denominator
        sum_s += term
        sum_v += term * (j + 1) / denominator
        sum_r += served
        sum_u += served * harmonic
        if term > _RESCALE:
            term /= _RESCALE
            sum_s /= _RESCALE
            sum_v /= _RESCALE
            sum_r /= _RESCALE
            sum_u /= _RESCALE
            log_scale += _LOG_RESCALE
        elif denominator > y:
            # Past the largest term the rest is below a geometric tail with ratio
            # y / denominator; the h_j factor of U grows like a logarithm, hence the margin.
            tail = term * y / (denominator - y)
            # U's factor h_j keeps growing, by at most 1/denominator a term.
            tail_u = tail * (harmonic + 1.0 / (denominator - y))
            if tail <= _SERIES_EPSILON * sum_s and tail_u <= _SERIES_EPSILON * sum_u:
                break

    def log(value: float) -> float:
        return math.log(value) + log_scale if value > 0 else -math.inf

    return log(sum_s), log(sum_v), log(sum_r), log(sum_u)


def _palm_s(c: float, y: float) -> float:
    """Return log S(c, y) = log Σ_{j≥1} y^j / ((c+1)…(c+j)), as in _palm_sums."""
    if y == 0:
        return -math.inf
    log_scale = 0.0
    term = 1.0
    total = 0.0
    j = 0
    while True:
        j += 1
        term *= y / (c + j)
        total += term
        if term > _RESCALE:
            term /= _RESCALE
            total /= _RESCALE
            log_scale += _LOG_RESCALE
        elif c + j + 1.0 > y and term * y / (c + j + 1.0 - y) <= _SERIES_EPSILON * total:
            break
    return math.log(total) + log_scale if total > 0 else -math.inf


def _erlang_a(
    agents: int, traffic: float, aht: float, patience: float, answer_time: float
) -> QueueFigures:
    if traffic == 0:
        return QueueFigures("A", agents, 0.0, aht, answer_time, patience, 0.0, 1.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return QueueFigures(
            "A", 0, traffic, aht, answer_time, patience, 1.0, 0.0, math.inf, 0.0, 1.0
        )
    c = agents * patience / aht  # n·μ/θ
    y = traffic * patience / aht  # λ/θ
    log_s, log_v, log_r, log_u = _palm_sums(c, y)
    log_blocking = _log_erlang_b(agents, traffic)
    # π_n = E / (1 + S·E), E = Erlang B (Mandelbaum & Zeltyn 2007, eq. for π_n).
    log_pi = log_blocking - _softplus(log_s + log_blocking)
    p_wait = min(1.0, math.exp(log_pi + _softplus(log_s)))
    p_abandon = min(1.0, math.exp(log_pi + log_v))
    p_served_after_wait = math.exp(log_pi + log_r)
    # Answered within t among those who wait: replace y by y·e^{−θt} (Mandelbaum & Zeltyn
    # 2007): P(served, 0 < W ≤ t) = (π_n/ρ)·[S(c, y) − e^{y − y' − nμt}·S(c, y')].
    if answer_time == 0 or log_s == -math.inf:
        served_within = 0.0
    else:
        decay = -math.expm1(-answer_time / patience)
        y_later = y * math.exp(-answer_time / patience)
        log_later = y * decay - agents * answer_time / aht + _palm_s(c, y_later)
        served_within = p_served_after_wait * -math.expm1(log_later - log_s)
    service_level = min(1.0, max(0.0, (1.0 - p_wait) + served_within))
    p_served = 1.0 - p_abandon
    asa = math.inf if p_served <= 0 else math.exp(log_pi + log_u) * patience / p_served
    occupancy = min(1.0, traffic * p_served / agents)
    return QueueFigures(
        "A",
        agents,
        traffic,
        aht,
        answer_time,
        patience,
        p_wait,
        service_level,
        asa,
        occupancy,
        p_abandon,
    )


def _check_patience(patience: float) -> None:
    if not (math.isfinite(patience) and patience > 0):
        raise ErlangError(
            f"Patience must be a finite number of seconds more than 0, got {patience!r} "
            "(without abandonment use Erlang C)."
        )


def erlang_a_figures(
    *,
    agents: int,
    traffic: float,
    aht_seconds: float,
    patience_seconds: float,
    answer_time_seconds: float = 20.0,
) -> QueueFigures:
    """Return Erlang A's figures (M/M/n+M, mean patience `patience_seconds`) for `agents`.

    Palm's model as in Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
    customers", MSOM 4(3), 2002, and Mandelbaum & Zeltyn, "Service engineering in action: the
    Palm/Erlang-A queue, with applications to call centers", 2007: with E = Erlang B(n, A),
    A(x, y) = 1 + S the Palm sum of `_palm_sums`, ρ = A/n,

        π_n = E / (1 + (A(x, y) − 1)·E),   P(W > 0) = A(x, y)·π_n,
        P(Ab) = P(W > 0)·(1/(ρ·A(x, y)) + 1 − 1/ρ),

    evaluated as positive series. The service level counts answered calls only (abandons
    stay in the denominator); ASA is the mean wait of answered calls.
    """
    _check_agents(agents)
    _check_traffic(traffic)
    _check_seconds(aht_seconds, "AHT")
    _check_patience(patience_seconds)
    _check_seconds(answer_time_seconds, "The answer time", zero_ok=True)
    return _erlang_a(agents, traffic, aht_seconds, patience_seconds, answer_time_seconds)


def queue_figures(
    *,
    agents: int,
    traffic: float,
    aht_seconds: float,
    patience_seconds: float | None = None,
    answer_time_seconds: float = 20.0,
) -> QueueFigures:
    """Return Erlang A's figures when callers' patience is given, Erlang C's when it is None."""
    if patience_seconds is None:
        return erlang_c_figures(
            agents=agents,
            traffic=traffic,
            aht_seconds=aht_seconds,
            answer_time_seconds=answer_time_seconds,
        )
    return erlang_a_figures(
        agents=agents,
        traffic=traffic,
        aht_seconds=aht_seconds,
        patience_seconds=patience_seconds,
        answer_time_seconds=answer_time_seconds,
    )


def _erlang_a_search(
    traffic: float,
    aht: float,
    patience: float,
    answer_time: float,
    good_enough: Callable[[QueueFigures], bool],
    max_agents: int,
    target_text: str,
) -> QueueFigures:
    # The figures improve monotonically with agents: double until the target is met, then
    # bisect. About 2·log2(n) evaluations.
    def figures(agents: int) -> QueueFigures:
        return _erlang_a(agents, traffic, aht, patience, answer_time)

    low = 0  # Zero agents answer nobody, so they never meet a target that needs answers.
    high = min(max(1, math.ceil(traffic)), max_agents)
    best = figures(high)
    while not good_enough(best):
        if high >= max_agents:
            raise TargetUnreachable(f"{target_text} needs more than {max_agents} agents.")
        low = high
        high = min(2 * high, max_agents)
        best = figures(high)
    while high - low > 1:
        middle = (low + high) // 2
        trial = figures(middle)
        if good_enough(trial):
            high, best = middle, trial
        else:
            low = middle
    return best


def erlang_a_agents_for_service_level(
    *,
    traffic: float,
    aht_seconds: float,
    patience_seconds: float,
    target: float,
    answer_time_seconds: float,
    max_agents: int = MAX_AGENTS,
) -> QueueFigures:
    """Return the figures for the fewest agents whose Erlang A service level meets `target`."""
    _check_traffic(traffic)
    _check_seconds(aht_seconds, "AHT")
    _check_patience(patience_seconds)
    _check_seconds(answer_time_seconds, "The answer time", zero_ok=True)
    _check_share(target, "The service-level target")
    _check_max_agents(max_agents)
    if traffic == 0:
        return _zero_traffic("A", aht_seconds, answer_time_seconds, patience_seconds)
    if target >= 1:
        raise TargetUnreachable("A service level of 100 % cannot be guaranteed while calls come.")
    return _erlang_a_search(
        traffic,
        aht_seconds,
        patience_seconds,
        answer_time_seconds,
        lambda figures: figures.service_level >= target,
        max_agents,
        f"A service level of {target:.1%} within {answer_time_seconds:g} s",
    )


def erlang_a_agents_for_asa(
    *,
    traffic: float,
    aht_seconds: float,
    patience_seconds: float,
    target_seconds: float,
    answer_time_seconds: float = 20.0,
    max_agents: int = MAX_AGENTS,
) -> QueueFigures:
    """Return the figures for the fewest agents whose Erlang A ASA is at most the target."""
    _check_traffic(traffic)
    _check_seconds(aht_seconds, "AHT")
    _check_patience(patience_seconds)
    _check_seconds(target_seconds, "The ASA target", zero_ok=True)
    _check_seconds(answer_time_seconds, "The answer time", zero_ok=True)
    _check_max_agents(max_agents)
    if traffic == 0:
        return _zero_traffic("A", aht_seconds, answer_time_seconds, patience_seconds)
    if target_seconds == 0:
        raise TargetUnreachable("An ASA of 0 s cannot be guaranteed while calls come.")
    return _erlang_a_search(
        traffic,
        aht_seconds,
        patience_seconds,
        answer_time_seconds,
        lambda figures: figures.asa_seconds <= target_seconds,
        max_agents,
        f"An ASA of {target_seconds:g} s",
    )


def erlang_a_agents_for_abandon_rate(
    *,
    traffic: float,
    aht_seconds: float,
    patience_seconds: float,
    target: float,
    answer_time_seconds: float = 20.0,
    max_agents: int = MAX_AGENTS,
) -> QueueFigures:
    """Return the figures for the fewest agents whose Erlang A P(abandon) is at most `target`."""
    _check_traffic(traffic)
    _check_seconds(aht_seconds, "AHT")
    _check_patience(patience_seconds)
    _check_share(target, "The abandon-rate target")
    _check_seconds(answer_time_seconds, "The answer time", zero_ok=True)
    _check_max_agents(max_agents)
    if traffic == 0:
        return _zero_traffic("A", aht_seconds, answer_time_seconds, patience_seconds)
    if target == 0:
        raise TargetUnreachable("An abandon rate of 0 cannot be guaranteed while calls come.")
    return _erlang_a_search(
        traffic,
        aht_seconds,
        patience_seconds,
        answer_time_seconds,
        lambda figures: figures.p_abandon <= target,
        max_agents,
        f"An abandon rate of {target:.1%}",
    )
