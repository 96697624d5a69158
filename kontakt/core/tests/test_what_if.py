"""Tests for kontakt.core.what_if: reshaping a day, first-contact resolution, simulated days,
the center as configured."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontakt.core import erlang
from kontakt.core.router import Group, OverflowStep
from kontakt.core.simulation import Overflow, Scenario
from kontakt.core.what_if import (
    MAX_REPLICATIONS,
    MIN_REPLICATIONS,
    TARGET_ARRIVALS,
    AgentKind,
    WhatIfError,
    center_scenario,
    first_contact_factor,
    replications_for,
    reshape_calls,
    simulate_day,
    simulate_scenario_day,
    split_agents,
)

QUARTER = 900.0
AHT = 180.0
# 50 calls a quarter hour at 180 s are 10 Erlangs; 32 quarter hours are a day from 08:00.
BUSY_DAY = [50.0] * 32

# --- reshape_calls ------------------------------------------------------------------------------


def test_reshaping_to_the_same_hours_changes_nothing() -> None:
    calls = [0.0, 10.0, 20.0, 5.0, 0.0]
    hours = [False, True, True, True, False]
    assert reshape_calls(calls, hours, hours) == pytest.approx(calls)


def test_closing_intervals_moves_their_calls_onto_the_open_ones_in_the_same_shape() -> None:
    calls = [10.0, 20.0, 30.0, 40.0]
    reshaped = reshape_calls(calls, [True] * 4, [True, True, True, False])
    # 100 calls over a shape of 10 : 20 : 30.
    assert reshaped == pytest.approx([100 / 6, 200 / 6, 300 / 6, 0.0])
    assert math.fsum(reshaped) == pytest.approx(100.0)


def test_a_newly_opened_interval_takes_the_level_of_the_nearest_interval_that_had_calls() -> None:
    calls = [0.0, 10.0, 20.0, 0.0, 0.0]
    before = [False, True, True, False, False]
    after = [True, True, True, True, True]
    # Shape 10 (from interval 1), 10, 20, 20 (from 2), 20 (from 2): 80, scaled to 30 calls.
    assert reshape_calls(calls, before, after) == pytest.approx(
        [30 * 10 / 80, 30 * 10 / 80, 30 * 20 / 80, 30 * 20 / 80, 30 * 20 / 80]
    )


def test_an_opened_interval_halfway_between_two_takes_the_earlier_level() -> None:
    calls = [10.0, 0.0, 30.0]
    before = [True, False, True]
    reshaped = reshape_calls(calls, before, [True, True, True])
    # Shape 10 : 10 : 30, not 10 : 30 : 30.
    assert reshaped == pytest.approx([40 * 10 / 50, 40 * 10 / 50, 40 * 30 / 50])


def test_an_interval_closed_before_takes_a_level_even_if_it_had_calls_in_the_forecast() -> None:
    # Calls forecast for a closed interval are not its level when it opens: the nearest open
    # interval's are.
    calls = [5.0, 10.0, 30.0]
    before = [True, False, True]
    reshaped = reshape_calls(calls, before, [True, True, True])
    assert reshaped == pytest.approx([45 * 5 / 40, 45 * 5 / 40, 45 * 30 / 40])


def test_nothing_open_gives_no_calls() -> None:
    assert reshape_calls([10.0, 20.0], [True, True], [False, False]) == [0.0, 0.0]
    assert reshape_calls([], [], []) == []


def test_opening_a_day_that_had_no_calls_spreads_them_evenly() -> None:
    reshaped = reshape_calls([0.0, 0.0, 0.0], [False] * 3, [True, True, False])
    assert reshaped == [0.0, 0.0, 0.0]
    # Calls with no open interval to take a level from are spread evenly.
    reshaped = reshape_calls([6.0, 0.0, 0.0], [False] * 3, [False, True, True])
    assert reshaped == pytest.approx([0.0, 3.0, 3.0])


@pytest.mark.parametrize(
    ("calls", "before", "after"),
    [
        ([1.0, 2.0], [True], [True, True]),
        ([1.0, 2.0], [True, True], [True]),
        ([1.0], [True, True], [True, True]),
    ],
)
def test_reshaping_needs_the_same_intervals_everywhere(
    calls: list[float], before: list[bool], after: list[bool]
) -> None:
    with pytest.raises(WhatIfError):
        reshape_calls(calls, before, after)


@given(
    data=st.lists(
        st.tuples(
            st.just(0.0) | st.floats(min_value=1e-6, max_value=500.0),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=48,
    )
)
def test_reshaping_keeps_the_day_and_leaves_closed_intervals_empty(
    data: list[tuple[float, bool, bool]],
) -> None:
    calls = [c for c, _, _ in data]
    before = [b for _, b, _ in data]
    after = [a for _, _, a in data]
    reshaped = reshape_calls(calls, before, after)
    assert len(reshaped) == len(calls)
    assert all(c >= 0 for c in reshaped)
    assert all(c == 0 for c, is_open in zip(reshaped, after, strict=True) if not is_open)
    if any(after):
        assert math.fsum(reshaped) == pytest.approx(math.fsum(calls), rel=1e-9, abs=1e-9)
    else:
        assert reshaped == [0.0] * len(calls)


# --- first_contact_factor -----------------------------------------------------------------------


@pytest.mark.parametrize("share", [0.0, 0.35, 1.0])
@pytest.mark.parametrize("repeats", [0.0, 0.5, 3.0])
def test_the_same_share_closed_at_first_contact_changes_nothing(
    share: float, repeats: float
) -> None:
    assert first_contact_factor(closed_before=share, closed_after=share, repeats=repeats) == 1.0


def test_closing_more_at_first_contact_saves_the_repeat_contacts() -> None:
    # V = N·(1 + k·(1 − f)): 1.15 N at f = 0.7, 1.10 N at f = 0.8 with k = 0.5.
    factor = first_contact_factor(closed_before=0.7, closed_after=0.8, repeats=0.5)
    assert factor == pytest.approx((1 + 0.5 * 0.2) / (1 + 0.5 * 0.3))
    assert factor == pytest.approx(1.10 / 1.15)
    assert first_contact_factor(closed_before=0.8, closed_after=0.7, repeats=0.5) == pytest.approx(
        1.15 / 1.10
    )
    # Without repeat contacts nothing changes; closing nobody doubles the contacts at k = 1.
    assert first_contact_factor(closed_before=0.2, closed_after=0.9, repeats=0.0) == 1.0
    assert first_contact_factor(closed_before=1.0, closed_after=0.0, repeats=1.0) == 2.0


@given(
    before=st.floats(min_value=0.0, max_value=1.0),
    after=st.floats(min_value=0.0, max_value=1.0),
    repeats=st.floats(min_value=0.0, max_value=10.0),
)
def test_there_and_back_again_is_no_change(before: float, after: float, repeats: float) -> None:
    there = first_contact_factor(closed_before=before, closed_after=after, repeats=repeats)
    back = first_contact_factor(closed_before=after, closed_after=before, repeats=repeats)
    assert there > 0
    assert there * back == pytest.approx(1.0)
    assert (there <= 1.0) == (after >= before) or there == pytest.approx(1.0)


@pytest.mark.parametrize(
    "arguments",
    [
        {"closed_before": -0.1, "closed_after": 0.5, "repeats": 0.5},
        {"closed_before": 0.5, "closed_after": 1.1, "repeats": 0.5},
        {"closed_before": math.nan, "closed_after": 0.5, "repeats": 0.5},
        {"closed_before": 0.5, "closed_after": math.inf, "repeats": 0.5},
        {"closed_before": 0.5, "closed_after": 0.5, "repeats": -0.5},
        {"closed_before": 0.5, "closed_after": 0.5, "repeats": math.inf},
        {"closed_before": 0.5, "closed_after": 0.5, "repeats": math.nan},
    ],
    ids=repr,
)
def test_impossible_shares_and_repeats_are_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(WhatIfError):
        first_contact_factor(**arguments)


# --- replications_for ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calls", "replications"),
    [
        ([], MIN_REPLICATIONS),
        ([0.0, 0.0], MIN_REPLICATIONS),
        ([TARGET_ARRIVALS / 20], 20),
        ([1000.0, 1500.0], 40),
        ([1000.0, 2000.0], 34),  # 33.3 rounds up
        ([1000.0], 100),
        ([TARGET_ARRIVALS / MAX_REPLICATIONS], MAX_REPLICATIONS),
        ([1.0, 2.0], MAX_REPLICATIONS),  # a quiet day stops at the upper bound
        ([60_000.0, 60_000.0], MIN_REPLICATIONS),  # a busy one at the lower
    ],
)
def test_replications_aim_at_a_number_of_simulated_calls_within_bounds(
    calls: list[float], replications: int
) -> None:
    assert replications_for(calls) == replications


@given(st.lists(st.just(0.0) | st.floats(min_value=1e-6, max_value=1e6), max_size=96))
def test_replications_stay_within_their_bounds(calls: list[float]) -> None:
    runs = replications_for(calls)
    assert MIN_REPLICATIONS <= runs <= MAX_REPLICATIONS
    if MIN_REPLICATIONS < runs < MAX_REPLICATIONS:
        assert runs * math.fsum(calls) >= TARGET_ARRIVALS


def test_a_vanishing_day_gets_the_most_replications() -> None:
    assert replications_for([1e-310]) == MAX_REPLICATIONS


# --- simulate_day -------------------------------------------------------------------------------


def day(
    calls: list[float],
    agents: list[int],
    *,
    patience: float | None = None,
    replications: int | None = 10,
    seed: int = 0,
    **arguments: Any,
) -> dict[str, Any]:
    return simulate_day(
        calls,
        agents,
        interval_seconds=QUARTER,
        aht_seconds=AHT,
        patience_seconds=patience,
        replications=replications,
        seed=seed,
        **arguments,
    )


def test_a_day_is_reproducible_from_its_seed() -> None:
    first = day([20.0, 40.0, 10.0], [6, 9, 4], patience=120.0, seed=7)
    again = day([20.0, 40.0, 10.0], [6, 9, 4], patience=120.0, seed=7)
    other = day([20.0, 40.0, 10.0], [6, 9, 4], patience=120.0, seed=8)
    assert first == again
    assert first != other
    assert (first["seed"], first["replications"]) == (7, 10)


def test_both_sides_share_their_random_numbers_until_the_change() -> None:
    # The plan and a what-if with other agents in the last hour only: same seed, same day
    # until then, down to every call (common random numbers).
    plan = day(BUSY_DAY, [14] * 32, patience=120.0, replications=5, seed=3)
    what_if = day(BUSY_DAY, [14] * 28 + [10] * 4, patience=120.0, replications=5, seed=3)
    # Interval 27's late callers may be answered after the change; the ones before are not.
    assert plan["intervals"][:27] == what_if["intervals"][:27]
    assert plan["intervals"][28:] != what_if["intervals"][28:]
    assert what_if["totals"]["service_level"]["20"] < plan["totals"]["service_level"]["20"]


def test_more_agents_on_a_busy_day_give_a_higher_service_level() -> None:
    figures = [
        day(BUSY_DAY, [agents] * 32, replications=10, seed=5)["totals"] for agents in (11, 13, 16)
    ]
    levels = [f["service_level"]["20"] for f in figures]
    waits = [f["asa_seconds"] for f in figures]
    assert levels[0] < levels[1] < levels[2]
    assert waits[0] > waits[1] > waits[2]
    patient = [
        day(BUSY_DAY, [agents] * 32, patience=120.0, replications=10, seed=5)["totals"]
        for agents in (9, 11, 13)
    ]
    rates = [f["abandon_rate"] for f in patient]
    assert rates[0] > rates[1] > rates[2]


def test_the_progress_rises_to_one() -> None:
    seen: list[float] = []
    # About 25,000 calls a replication: the simulator reports inside each run as well.
    day([800.0] * 32, [170] * 32, replications=3, progress=seen.append)
    assert len(seen) > 3
    assert all(0.0 <= share <= 1.0 for share in seen)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    # Each replication ends on its share of the whole.
    for done in (1 / 3, 2 / 3):
        assert any(share == pytest.approx(done) for share in seen)


def test_pooled_figures_add_up() -> None:
    calls = [5.0, 30.0, 60.0, 45.0, 0.0, 20.0]
    agents = [2, 7, 11, 9, 1, 0]
    result = day(calls, agents, patience=90.0, replications=12, seed=11)
    rows, totals = result["intervals"], result["totals"]
    assert len(rows) == len(calls)
    assert [row["calls"] for row in rows] == calls
    assert [row["agents"] for row in rows] == agents
    for figures in [*rows, totals]:
        assert figures["answered"] + figures["abandoned"] <= figures["offered"] + 1e-9
        if figures["offered"]:
            within_20, within_30 = figures["service_level"]["20"], figures["service_level"]["30"]
            assert 0.0 <= within_20 <= within_30 <= figures["answered"] / figures["offered"]
            assert figures["abandon_rate"] == pytest.approx(
                figures["abandoned"] / figures["offered"]
            )
    for key in ("offered", "answered", "abandoned"):
        assert totals[key] == pytest.approx(math.fsum(row[key] for row in rows))
    # Offered calls per day are means over the replications: near the forecast's 165.
    assert totals["offered"] == pytest.approx(sum(calls), rel=0.1)
    # An interval without calls has nothing to measure; one without agents answers nobody.
    assert rows[4]["offered"] == 0.0 and rows[4]["service_level"]["20"] is None
    assert rows[4]["asa_seconds"] is None and rows[4]["abandon_rate"] is None
    assert rows[5]["answered"] == 0.0 and rows[5]["service_level"]["20"] == 0.0
    # Agents finishing a call after their shift count as logged on, so even the interval
    # without agents may have an occupancy.
    assert all(row["occupancy"] is None or 0.0 <= row["occupancy"] <= 1.0 for row in rows)
    assert all(row["occupancy"] is not None for row in rows[:4])


def test_without_patience_nobody_hangs_up() -> None:
    totals = day(BUSY_DAY, [11] * 32, replications=5, seed=2)["totals"]
    assert totals["abandoned"] == 0.0 and totals["abandon_rate"] == 0.0
    assert totals["answered"] == pytest.approx(totals["offered"], rel=1e-3)


def test_the_service_level_is_given_for_each_answer_time() -> None:
    result = day([40.0, 40.0], [9, 9], answer_times=(10.0, 20.0, 60.0), replications=4)
    levels = result["totals"]["service_level"]
    assert list(levels) == ["10", "20", "60"]
    assert levels["10"] <= levels["20"] <= levels["60"]


def test_without_replications_given_the_day_decides() -> None:
    result = day([0.0] * 8, [1] * 8, replications=None)
    assert result["replications"] == MIN_REPLICATIONS == replications_for([0.0] * 8)
    assert result["totals"]["offered"] == 0.0


def test_a_constant_day_agrees_with_erlang_c() -> None:
    # 10 Erlangs on 13 agents: Erlang C gives 79.6 % within 20 s. The simulated day starts
    # with an empty queue, which helps the first interval a little (about +0.7 points over
    # the day), and 240 replications keep the noise near half a point.
    theory = erlang.erlang_c_figures(agents=13, traffic=10.0, aht_seconds=AHT)
    totals = day(BUSY_DAY, [13] * 32, replications=240, seed=0)["totals"]
    assert totals["service_level"]["20"] == pytest.approx(theory.service_level, abs=0.02)
    assert totals["asa_seconds"] == pytest.approx(theory.asa_seconds, abs=3.0)


def test_a_constant_day_with_patience_agrees_with_erlang_a() -> None:
    # 10 Erlangs on 11 agents, mean patience 3 minutes: Erlang A loses 8.3 % of the callers.
    # The simulator leaves short abandons (under 5 s) out of offered and abandoned, as the
    # center's figures do, and Erlang A counts them: about a point lower here, never higher.
    theory = erlang.erlang_a_figures(
        agents=11, traffic=10.0, aht_seconds=AHT, patience_seconds=180.0
    )
    totals = day(BUSY_DAY, [11] * 32, patience=180.0, replications=80, seed=0)["totals"]
    assert theory.p_abandon - 0.02 <= totals["abandon_rate"] <= theory.p_abandon
    assert totals["service_level"]["20"] == pytest.approx(theory.service_level, abs=0.025)


@pytest.mark.parametrize(
    ("calls", "agents"),
    [
        ([10.0, 20.0], [3]),
        ([10.0], [3, 3]),
        ([], []),
        ([10.0, -1.0], [3, 3]),
        ([10.0, math.nan], [3, 3]),
        ([10.0, math.inf], [3, 3]),
        ([10.0, 20.0], [3, -1]),
    ],
)
def test_a_day_that_cannot_be_simulated_is_refused(calls: list[float], agents: list[int]) -> None:
    with pytest.raises(WhatIfError):
        day(calls, agents)


@pytest.mark.parametrize(
    "arguments",
    [{"aht_seconds": 0.0}, {"interval_seconds": 0.0}, {"patience_seconds": 0.0}],
    ids=repr,
)
def test_impossible_times_are_refused(arguments: dict[str, float]) -> None:
    # Left to the simulator's own checks: a ScenarioError, a ValueError like WhatIfError.
    base: dict[str, Any] = {
        "interval_seconds": QUARTER,
        "aht_seconds": AHT,
        "patience_seconds": None,
        "replications": 2,
    }
    with pytest.raises(ValueError):
        simulate_day([10.0], [3], **{**base, **arguments})


def test_a_negative_number_of_replications_is_refused() -> None:
    with pytest.raises(WhatIfError):
        day([10.0], [3], replications=-1)


def test_the_totals_give_the_day_s_occupancy() -> None:
    totals = day([20.0, 40.0], [5, 9], replications=3)["totals"]
    assert 0.0 < totals["occupancy"] < 1.0


# --- the center as configured ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "shares"),
    [
        (5, [1, 1], [3, 2]),  # a tie goes to the first
        (3, [2, 1, 1], [1, 1, 1]),  # 1.5, 0.75, 0.75: the larger remainders first
        (4, [3, 1], [3, 1]),
        (7, [5], [7]),
        (0, [1, 2], [0, 0]),
        (4, [0, 0], [0, 0]),
    ],
)
def test_agents_are_shared_out_by_largest_remainder(
    total: int, weights: list[int], shares: list[int]
) -> None:
    assert split_agents(total, weights) == shares


PERMITS = Group("permits", "permits", overflow=(OverflowStep(60, "general"),))
GENERAL = Group("general", "general", language="sv")
KINDS = [
    AgentKind({"permits": 3}, frozenset({"sv"}), 2),
    AgentKind({"general": 2, "permits": 1}, frozenset({"sv", "en"}), 6),
    AgentKind({"general": 1}, frozenset({"en"}), 4),  # no Swedish: not for general
]


def center_day(**changes: Any) -> Scenario:
    arguments: dict[str, Any] = {
        "calls": {"permits": [10.0, 10.0], "general": [40.0, 40.0]},
        "on_phones": {"permits": [4, 3], "general": [8, 8]},
        "interval_seconds": QUARTER,
        "aht_seconds": AHT,
        "patience_seconds": 120.0,
    }
    arguments.update(changes)
    return center_scenario([PERMITS, GENERAL], KINDS, **arguments)


def test_a_center_day_keeps_the_groups_routing_and_shares_agents_by_kind() -> None:
    scenario = center_day()
    permits, general = scenario.groups
    assert (permits.skill, permits.language, permits.overflow) == (
        "permits",
        None,
        (Overflow("general", 60),),
    )
    assert (general.skill, general.language, general.calls) == ("general", "sv", (40.0, 40.0))
    teams = {team.name: team for team in scenario.teams}
    # permits: the permits experts (2) and the all-rounders (6) can take it, 2:6.
    assert teams["permits 1"].agents == (1, 1) and teams["permits 1"].skills == {"permits": 3}
    assert teams["permits 2"].agents == (3, 2)
    # general needs Swedish: only the all-rounders.
    assert teams["general 1"].agents == (8, 8) and teams["general 1"].languages == {"sv", "en"}
    assert len(teams) == 3


def test_a_group_nobody_can_take_gets_agents_with_just_its_skill() -> None:
    care = Group("care", "care", language="ar", overflow=(OverflowStep(30, "nowhere"),))
    scenario = center_scenario(
        [care],
        KINDS,
        calls={"care": [5.0]},
        on_phones={"care": [2]},
        interval_seconds=QUARTER,
        aht_seconds=AHT,
        patience_seconds=None,
    )
    (team,) = scenario.teams
    assert (team.skills, team.languages, team.agents) == ({"care": 1}, frozenset({"ar"}), (2,))
    assert scenario.groups[0].overflow == ()  # a step to a group not in the day is left out


def test_a_center_day_gives_the_planned_group_s_figures_and_every_group_s() -> None:
    scenario = center_day()
    day = simulate_scenario_day(scenario, "permits", [4, 3], replications=5, seed=1)
    assert set(day["groups"]) == {"permits", "general"}
    permits = day["groups"]["permits"]
    assert day["totals"]["offered"] == pytest.approx(permits["offered"])
    assert [row["calls"] for row in day["intervals"]] == [10.0, 10.0]
    assert [row["agents"] for row in day["intervals"]] == [4, 3]
    assert day["groups"]["general"]["offered"] > permits["offered"] > 0
    with pytest.raises(WhatIfError, match="No answer group"):
        simulate_scenario_day(scenario, "care", [4, 3], replications=1)


def test_a_group_short_of_agents_overflows_only_through_its_step() -> None:
    calls = {"permits": [30.0, 30.0], "general": [10.0, 10.0]}
    on_phones = {"permits": [1, 1], "general": [8, 8]}
    day = simulate_scenario_day(
        center_day(calls=calls, on_phones=on_phones), "permits", [1, 1], replications=5, seed=1
    )
    assert day["groups"]["permits"]["overflowed"] > 0
    without_step = center_scenario(
        [Group("permits", "permits"), GENERAL],
        KINDS,
        calls=calls,
        on_phones=on_phones,
        interval_seconds=QUARTER,
        aht_seconds=AHT,
        patience_seconds=120.0,
    )
    alone = simulate_scenario_day(without_step, "permits", [1, 1], replications=5, seed=1)
    assert alone["groups"]["permits"]["overflowed"] == 0


def test_a_center_day_needs_the_same_intervals_everywhere() -> None:
    with pytest.raises(WhatIfError, match="same intervals"):
        center_day(on_phones={"permits": [4], "general": [8, 8]})
