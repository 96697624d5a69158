"""Tests for kontakt.core.erlang: against high-precision references, properties and edges."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf

from kontakt.core import erlang
from kontakt.core.erlang import ErlangError, TargetUnreachable

TOLERANCE = 1e-9  # absolute on probabilities; relative on seconds

# --- high-precision references (mpmath, 50 digits), from the textbook formulas -----------------


def ref_erlang_b(agents: int, traffic: float) -> mpf:
    """B = (A^n / n!) / Σ_{k≤n} A^k / k!, summed exactly in 50 digits."""
    with mp.workdps(50):
        a = mpf(traffic)
        term = total = mpf(1)
        for k in range(1, agents + 1):
            term = term * a / k
            total += term
        return term / total


def ref_erlang_c(agents: int, traffic: float, aht: float, t: float) -> tuple[mpf, mpf, mpf]:
    """(P(wait), SL(t), ASA) of M/M/n: C = nB / (n − A(1 − B))."""
    with mp.workdps(50):
        b = ref_erlang_b(agents, traffic)
        n, a = mpf(agents), mpf(traffic)
        c = n * b / (n - a * (1 - b))
        return c, 1 - c * mp.exp(-(n - a) * t / aht), c * aht / (n - a)


def palm_a(x: mpf, y: mpf) -> mpf:
    """Mandelbaum & Zeltyn's A(x, y) = x·e^y·y^(−x)·γ(x, y), γ the lower incomplete gamma."""
    return x * mp.exp(y) * y ** (-x) * mp.gammainc(x, 0, y)


def ref_erlang_a(
    agents: int, traffic: float, aht: float, patience: float, t: float
) -> tuple[mpf, mpf, mpf]:
    """(P(wait), P(abandon), SL(t)) of M/M/n+M by the incomplete-gamma formulas.

    Garnett, Mandelbaum & Reiman (2002); Mandelbaum & Zeltyn (2007): π_n = E/(1+(A−1)E),
    P(W>0) = A·π_n, P(Ab) = P(W>0)·(1/(ρA) + 1 − 1/ρ), and the answered-within-t share
    P(W≤t, served) = 1 − P(W>0) + (π_n/ρ)·[A(x,y) − 1 − e^{y−y'−nμt}·(A(x,y') − 1)] with
    x = nμ/θ, y = λ/θ, y' = y·e^{−θt}.
    """
    with mp.workdps(50):
        mu, theta = 1 / mpf(aht), 1 / mpf(patience)
        lam = mpf(traffic) * mu
        n = mpf(agents)
        x, y = n * mu / theta, lam / theta
        rho = lam / (n * mu)
        e = ref_erlang_b(agents, traffic)
        big_a = palm_a(x, y)
        pi_n = e / (1 + (big_a - 1) * e)
        p_wait = big_a * pi_n
        p_abandon = p_wait * (1 / (rho * big_a) + 1 - 1 / rho)
        y_later = y * mp.exp(-theta * t)
        later = mp.exp(y - y_later - n * mu * t) * (palm_a(x, y_later) - 1)
        sl = 1 - p_wait + pi_n / rho * (big_a - 1 - later)
        return p_wait, p_abandon, sl


def ref_erlang_a_asa(agents: int, traffic: float, aht: float, patience: float) -> mpf:
    """ASA of answered calls as ∫₀^∞ P(answered, W > t) dt / P(answered), by quadrature."""
    with mp.workdps(40):
        _, p_abandon, _ = ref_erlang_a(agents, traffic, aht, patience, 0)
        served = 1 - p_abandon
        # The tail past 60 mean patiences or talk times is far below the tolerance; geometric
        # breakpoints let the quadrature follow the exponential decay.
        top = 60 * max(aht, patience)
        points = [0, *(top * 2.0**-k for k in range(12, -1, -1))]
        integral = mp.quad(
            lambda t: served - ref_erlang_a(agents, traffic, aht, patience, t)[2], points
        )
        return integral / served


def close(value: float, reference: mpf, *, relative: bool = False) -> bool:
    error = abs(mpf(value) - reference)
    return bool(error <= TOLERANCE * (max(1, abs(reference)) if relative else 1))


# --- Erlang B and C ------------------------------------------------------------------------------

B_AND_C_CASES = [
    # agents, traffic
    (1, 0.5),
    (1, 1e-6),
    (2, 1.0),
    (10, 5.0),
    (10, 9.99),
    (14, 10.0),
    (50, 40.0),
    (100, 90.0),
    (300, 280.5),
    (1000, 990.0),
    (2000, 1900.0),
    (2000, 1999.9),
    (2000, 10.0),  # B underflows far below 1e-300: 0.0 is exact to the tolerance
    (1999, 2000.0),  # more traffic than agents: fine for B
]


@pytest.mark.parametrize(("agents", "traffic"), B_AND_C_CASES)
def test_erlang_b_matches_the_exact_sum(agents: int, traffic: float) -> None:
    assert close(erlang.erlang_b(agents, traffic), ref_erlang_b(agents, traffic))


@pytest.mark.parametrize(("agents", "traffic"), [c for c in B_AND_C_CASES if c[1] < c[0]])
@pytest.mark.parametrize(("aht", "answer_time"), [(180.0, 20.0), (300.0, 30.0), (60.0, 0.0)])
def test_erlang_c_matches_the_reference(
    agents: int, traffic: float, aht: float, answer_time: float
) -> None:
    p_wait, service_level, asa = ref_erlang_c(agents, traffic, aht, answer_time)
    figures = erlang.erlang_c_figures(
        agents=agents, traffic=traffic, aht_seconds=aht, answer_time_seconds=answer_time
    )
    assert close(figures.p_wait, p_wait)
    assert close(erlang.erlang_c(agents, traffic), p_wait)
    assert close(figures.service_level, service_level)
    assert close(figures.asa_seconds, asa, relative=True)
    assert figures.occupancy == pytest.approx(traffic / agents)
    assert figures.stable and figures.model == "C" and figures.p_abandon == 0


def test_the_published_erlang_c_example() -> None:
    # Prevos, "Call centre workforce planning using Erlang C in R" (Lucid Manager, 2018):
    # 100 calls in 30 minutes, AHT 180 s (10 Erlangs), 80 % within 20 s -> 14 agents,
    # P(wait) 0.1741, service level 0.8884.
    figures = erlang.erlang_c_agents_for_service_level(
        traffic=erlang.traffic_erlangs(100, 1800, 180),
        aht_seconds=180,
        target=0.8,
        answer_time_seconds=20,
    )
    assert figures.agents == 14
    assert round(figures.p_wait, 4) == 0.1741
    assert round(figures.service_level, 4) == 0.8884


# --- Erlang A ------------------------------------------------------------------------------------

ERLANG_A_CASES = [
    # agents, traffic, aht, patience, answer time
    (1, 0.5, 100.0, 10.0, 5.0),
    (5, 7.5, 300.0, 120.0, 20.0),  # overloaded: fine with abandonment
    (10, 8.0, 180.0, 60.0, 20.0),
    (30, 28.3, 240.0, 90.0, 30.0),
    (20, 40.0, 180.0, 200.0, 20.0),
    (100, 95.0, 180.0, 1800.0, 20.0),
    (500, 480.0, 240.0, 120.0, 20.0),
    (2000, 2000.0, 180.0, 120.0, 20.0),
    (2000, 1990.0, 180.0, 600.0, 30.0),
    (1800, 2000.0, 180.0, 300.0, 20.0),
    (2000, 10.0, 180.0, 120.0, 20.0),
    (40, 30.0, 180.0, 180.0, 0.0),
]


@pytest.mark.parametrize(("agents", "traffic", "aht", "patience", "t"), ERLANG_A_CASES)
def test_erlang_a_matches_the_incomplete_gamma_formulas(
    agents: int, traffic: float, aht: float, patience: float, t: float
) -> None:
    p_wait, p_abandon, service_level = ref_erlang_a(agents, traffic, aht, patience, t)
    figures = erlang.erlang_a_figures(
        agents=agents,
        traffic=traffic,
        aht_seconds=aht,
        patience_seconds=patience,
        answer_time_seconds=t,
    )
    assert close(figures.p_wait, p_wait)
    assert close(figures.p_abandon, p_abandon)
    assert close(figures.service_level, service_level)
    assert figures.occupancy == pytest.approx(traffic * (1 - float(p_abandon)) / agents)


@pytest.mark.parametrize(
    ("agents", "traffic", "aht", "patience"),
    [(1, 0.5, 100.0, 10.0), (10, 8.0, 180.0, 60.0), (20, 40.0, 180.0, 200.0)],
)
def test_erlang_a_asa_matches_quadrature(
    agents: int, traffic: float, aht: float, patience: float
) -> None:
    figures = erlang.erlang_a_figures(
        agents=agents, traffic=traffic, aht_seconds=aht, patience_seconds=patience
    )
    assert close(
        figures.asa_seconds, ref_erlang_a_asa(agents, traffic, aht, patience), relative=True
    )


@pytest.mark.parametrize(("agents", "traffic"), [(10, 8.0), (32, 30.0), (100, 93.0)])
def test_erlang_a_tends_to_erlang_c_as_patience_grows(agents: int, traffic: float) -> None:
    c = erlang.erlang_c_figures(agents=agents, traffic=traffic, aht_seconds=180)
    previous_gap = math.inf
    for patience in (1e3, 1e5, 1e7):
        a = erlang.erlang_a_figures(
            agents=agents, traffic=traffic, aht_seconds=180, patience_seconds=patience
        )
        gap = abs(a.service_level - c.service_level) + abs(a.p_wait - c.p_wait)
        assert gap < previous_gap
        previous_gap = gap
    assert previous_gap < 1e-4
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-3)
    assert a.p_abandon < 1e-5


# --- properties ----------------------------------------------------------------------------------

traffic_values = st.floats(min_value=0.01, max_value=300.0)
# Patience over AHT sets the length of Erlang A's sums (y = traffic × patience / AHT);
# up to 120 keeps each example fast.
aht_values = st.floats(min_value=30.0, max_value=1200.0)
patience_values = st.floats(min_value=1.0, max_value=3600.0)
answer_times = st.floats(min_value=0.0, max_value=120.0)


def probabilities(figures: erlang.QueueFigures) -> list[float]:
    return [figures.p_wait, figures.service_level, figures.occupancy, figures.p_abandon]


@settings(max_examples=60, deadline=None)
@given(traffic=traffic_values, aht=aht_values, t=answer_times, extra=st.integers(0, 40))
def test_erlang_c_is_bounded_and_monotone_in_agents(
    traffic: float, aht: float, t: float, extra: int
) -> None:
    agents = math.floor(traffic) + 1 + extra
    fewer = erlang.erlang_c_figures(
        agents=agents, traffic=traffic, aht_seconds=aht, answer_time_seconds=t
    )
    more = erlang.erlang_c_figures(
        agents=agents + 1, traffic=traffic, aht_seconds=aht, answer_time_seconds=t
    )
    for figures in (fewer, more):
        assert all(0 <= p <= 1 for p in probabilities(figures))
        assert figures.asa_seconds >= 0
    assert more.p_wait <= fewer.p_wait
    assert more.service_level >= fewer.service_level
    assert more.asa_seconds <= fewer.asa_seconds
    assert erlang.erlang_b(agents + 1, traffic) <= erlang.erlang_b(agents, traffic)


@settings(max_examples=60, deadline=None)
@given(
    traffic=traffic_values,
    aht=aht_values,
    patience=patience_values,
    t=answer_times,
    agents=st.integers(0, 320),
)
def test_erlang_a_is_bounded_and_monotone_in_agents(
    traffic: float, aht: float, patience: float, t: float, agents: int
) -> None:
    def figures(n: int) -> erlang.QueueFigures:
        return erlang.erlang_a_figures(
            agents=n,
            traffic=traffic,
            aht_seconds=aht,
            patience_seconds=patience,
            answer_time_seconds=t,
        )

    fewer, more = figures(agents), figures(agents + 1)
    for each in (fewer, more):
        assert all(0 <= p <= 1 for p in probabilities(each))
        assert not any(math.isnan(p) for p in probabilities(each))
    slack = 1e-12
    assert more.p_wait <= fewer.p_wait + slack
    assert more.p_abandon <= fewer.p_abandon + slack
    assert more.service_level >= fewer.service_level - slack
    assert more.asa_seconds <= fewer.asa_seconds * (1 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(
    traffic=st.floats(min_value=0.01, max_value=500.0),
    aht=aht_values,
    target=st.floats(min_value=0.05, max_value=0.99),
    t=st.floats(min_value=0.0, max_value=60.0),
)
def test_erlang_c_staffing_finds_the_fewest_agents(
    traffic: float, aht: float, target: float, t: float
) -> None:
    found = erlang.erlang_c_agents_for_service_level(
        traffic=traffic, aht_seconds=aht, target=target, answer_time_seconds=t
    )
    assert found.service_level >= target
    assert found.agents > traffic
    if found.agents - 1 > traffic:
        fewer = erlang.erlang_c_figures(
            agents=found.agents - 1, traffic=traffic, aht_seconds=aht, answer_time_seconds=t
        )
        assert fewer.service_level < target
    plan = erlang.erlang_c_staffing_plan(
        traffic=[traffic, 0.0], aht_seconds=aht, target=target, answer_time_seconds=t
    )
    assert plan[0] == found and plan[1].agents == 0


@settings(max_examples=30, deadline=None)
@given(
    traffic=st.floats(min_value=0.01, max_value=300.0),
    aht=aht_values,
    patience=patience_values,
    target=st.floats(min_value=0.05, max_value=0.99),
)
def test_erlang_a_staffing_finds_the_fewest_agents(
    traffic: float, aht: float, patience: float, target: float
) -> None:
    found = erlang.erlang_a_agents_for_service_level(
        traffic=traffic,
        aht_seconds=aht,
        patience_seconds=patience,
        target=target,
        answer_time_seconds=20,
    )
    assert found.service_level >= target
    fewer = erlang.erlang_a_figures(
        agents=found.agents - 1, traffic=traffic, aht_seconds=aht, patience_seconds=patience
    )
    assert fewer.service_level < target
    by_asa = erlang.erlang_a_agents_for_asa(
        traffic=traffic, aht_seconds=aht, patience_seconds=patience, target_seconds=15
    )
    assert by_asa.asa_seconds <= 15
    by_abandon = erlang.erlang_a_agents_for_abandon_rate(
        traffic=traffic, aht_seconds=aht, patience_seconds=patience, target=0.05
    )
    assert by_abandon.p_abandon <= 0.05


def test_staffing_for_asa_targets() -> None:
    found = erlang.erlang_c_agents_for_asa(traffic=20, aht_seconds=180, target_seconds=15)
    assert found.asa_seconds <= 15
    fewer = erlang.erlang_c_figures(agents=found.agents - 1, traffic=20, aht_seconds=180)
    assert fewer.asa_seconds > 15


def test_two_thousand_agents_and_erlangs_stay_finite() -> None:
    for agents in (1, 2, 100, 1999, 2000, 2001):
        for traffic in (0.001, 1.0, 1000.0, 1999.999, 2000.0):
            c = erlang.erlang_c_figures(agents=agents, traffic=traffic, aht_seconds=180)
            a = erlang.erlang_a_figures(
                agents=agents, traffic=traffic, aht_seconds=180, patience_seconds=120
            )
            for figures in (c, a):
                assert not any(math.isnan(v) for v in probabilities(figures))
                assert all(0 <= v <= 1 for v in probabilities(figures))
                assert not math.isnan(figures.asa_seconds)
    big = erlang.erlang_a_agents_for_service_level(
        traffic=2000, aht_seconds=180, patience_seconds=120, target=0.8, answer_time_seconds=20
    )
    assert 1000 < big.agents < 2100


# --- edges and errors ----------------------------------------------------------------------------


def test_zero_traffic_needs_nobody() -> None:
    c = erlang.erlang_c_agents_for_service_level(
        traffic=0, aht_seconds=180, target=0.8, answer_time_seconds=20
    )
    a = erlang.erlang_a_agents_for_asa(
        traffic=0, aht_seconds=180, patience_seconds=60, target_seconds=10
    )
    for figures in (c, a):
        assert figures.agents == 0
        assert (figures.p_wait, figures.service_level, figures.asa_seconds) == (0, 1, 0)
    assert erlang.erlang_c(0, 0.0) == 0.0
    assert erlang.erlang_b(0, 0.0) == 1.0


def test_traffic_at_or_above_agents_is_unstable_for_erlang_c() -> None:
    for agents in (0, 10, 9):
        figures = erlang.erlang_c_figures(agents=agents, traffic=10.0, aht_seconds=180)
        assert not figures.stable
        assert figures.p_wait == 1.0 and figures.service_level == 0.0
        assert figures.asa_seconds == math.inf
    assert erlang.erlang_c(10, 10.0) == 1.0
    # Erlang A has a steady state at any traffic: callers hang up instead.
    overloaded = erlang.erlang_a_figures(
        agents=10, traffic=20.0, aht_seconds=180, patience_seconds=60
    )
    assert overloaded.stable and 0.4 < overloaded.p_abandon < 1
    nobody = erlang.erlang_a_figures(agents=0, traffic=2.0, aht_seconds=180, patience_seconds=60)
    assert nobody.p_abandon == 1 and nobody.service_level == 0 and nobody.asa_seconds == math.inf


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang.erlang_c_agents_for_service_level(
            traffic=10, aht_seconds=180, target=1.0, answer_time_seconds=20
        ),
        lambda: erlang.erlang_c_agents_for_asa(traffic=10, aht_seconds=180, target_seconds=0),
        lambda: erlang.erlang_a_agents_for_service_level(
            traffic=10, aht_seconds=180, patience_seconds=60, target=1.0, answer_time_seconds=20
        ),
        lambda: erlang.erlang_a_agents_for_abandon_rate(
            traffic=10, aht_seconds=180, patience_seconds=60, target=0.0
        ),
        lambda: erlang.erlang_c_agents_for_service_level(
            traffic=50, aht_seconds=180, target=0.8, answer_time_seconds=20, max_agents=30
        ),
        lambda: erlang.erlang_c_agents_for_service_level(
            traffic=50, aht_seconds=180, target=0.99, answer_time_seconds=20, max_agents=52
        ),
        lambda: erlang.erlang_a_agents_for_service_level(
            traffic=50,
            aht_seconds=180,
            patience_seconds=60,
            target=0.99,
            answer_time_seconds=20,
            max_agents=40,
        ),
    ],
)
def test_unreachable_targets_raise(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TargetUnreachable):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang.erlang_b(-1, 1.0),
        lambda: erlang.erlang_b(2, -1.0),
        lambda: erlang.erlang_b(2, math.nan),
        lambda: erlang.erlang_c(True, 1.0),
        lambda: erlang.erlang_c_figures(agents=2, traffic=1, aht_seconds=0),
        lambda: erlang.erlang_c_figures(agents=2, traffic=1, aht_seconds=math.inf),
        lambda: erlang.erlang_a_figures(agents=2, traffic=1, aht_seconds=60, patience_seconds=0),
        lambda: erlang.erlang_a_figures(
            agents=2, traffic=1, aht_seconds=60, patience_seconds=math.inf
        ),
        lambda: erlang.erlang_c_agents_for_service_level(
            traffic=1, aht_seconds=60, target=1.5, answer_time_seconds=20
        ),
        lambda: erlang.erlang_c_agents_for_service_level(
            traffic=1, aht_seconds=60, target=0.8, answer_time_seconds=-1
        ),
        lambda: erlang.traffic_erlangs(-1, 900, 180),
        lambda: erlang.traffic_erlangs(10, 0, 180),
        lambda: erlang.agents_scheduled(10, 1.0),
        lambda: erlang.erlang_c_staffing_plan(
            traffic=[1.0, 2.0], aht_seconds=[180.0], target=0.8, answer_time_seconds=20
        ),
    ],
)
def test_bad_arguments_raise_erlang_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ErlangError):
        call()


@pytest.mark.parametrize(
    ("needed", "shrinkage", "scheduled"),
    [(10, 0.0, 10), (10, 0.2, 13), (10, 0.5, 20), (7, 0.3, 10), (14, 0.3, 20), (0, 0.3, 0)],
)
def test_shrinkage(needed: int, shrinkage: float, scheduled: int) -> None:
    assert erlang.agents_scheduled(needed, shrinkage) == scheduled


def test_traffic_in_erlangs() -> None:
    assert erlang.traffic_erlangs(100, 900, 180) == 20.0
    assert erlang.traffic_erlangs(0, 900, 180) == 0.0
