"""Tests for kontakt.core.planning: agents needed per interval, a roster's figures, totals."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontakt.core import erlang
from kontakt.core.erlang import ErlangError
from kontakt.core.planning import PlanInterval, ServiceGoal, on_phones, plan_intervals, plan_totals

QUARTER = 900.0  # a 15-minute interval, in seconds
AHT = 180.0  # 50 calls in a quarter hour at this AHT are 10 Erlangs
C_GOAL = ServiceGoal(service_level=0.8, answer_seconds=20.0, shrinkage=0.2)
A_GOAL = ServiceGoal(service_level=0.8, answer_seconds=20.0, patience_seconds=120.0, shrinkage=0.2)
# Goals without the one-agent minimum of an open interval: Erlang's answer alone.
PURE_C_GOAL = ServiceGoal(service_level=0.8, shrinkage=0.2, minimum_agents=0)
PURE_A_GOAL = ServiceGoal(
    service_level=0.8, patience_seconds=120.0, shrinkage=0.2, minimum_agents=0
)


def plan(
    calls: list[float], goal: ServiceGoal, scheduled: list[int] | None = None
) -> list[PlanInterval]:
    return plan_intervals(
        calls, interval_seconds=QUARTER, aht_seconds=AHT, goal=goal, scheduled=scheduled
    )


# --- ServiceGoal --------------------------------------------------------------------------------


def test_the_default_goal_is_80_in_20_with_30_percent_shrinkage_under_erlang_c() -> None:
    goal = ServiceGoal()
    assert (goal.service_level, goal.answer_seconds, goal.shrinkage) == (0.8, 20.0, 0.3)
    assert goal.minimum_agents == 1
    assert goal.patience_seconds is None
    assert goal.model == "C"
    assert ServiceGoal(patience_seconds=60.0).model == "A"


def test_a_zero_answer_time_and_zero_shrinkage_are_allowed() -> None:
    goal = ServiceGoal(answer_seconds=0.0, shrinkage=0.0)
    assert goal.answer_seconds == 0.0 and goal.shrinkage == 0.0


@pytest.mark.parametrize(
    "arguments",
    [
        {"service_level": 0.0},
        {"service_level": 1.0},
        {"service_level": -0.1},
        {"service_level": math.nan},
        {"answer_seconds": -1.0},
        {"answer_seconds": math.inf},
        {"patience_seconds": 0.0},
        {"patience_seconds": -30.0},
        {"patience_seconds": math.inf},
        {"shrinkage": 1.0},
        {"shrinkage": -0.01},
        {"shrinkage": math.nan},
        {"minimum_agents": -1},
        {"minimum_agents": 1.5},
        {"minimum_agents": True},
    ],
    ids=repr,
)
def test_an_impossible_goal_is_refused(arguments: dict[str, Any]) -> None:
    with pytest.raises(ErlangError):
        ServiceGoal(**arguments)


# --- on_phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheduled", "shrinkage", "phones"),
    [
        (10, 0.2, 8),
        (10, 0.3, 7),
        (13, 0.2, 10),  # 10.4 rounds down
        (10, 0.0, 10),
        (0, 0.3, 0),
        (1, 0.3, 0),
        # 5 × (1 − 0.8) is 0.9999999999999998 in floats and 25 × (1 − 0.56) is
        # 10.999999999999998: a bare floor would lose an agent.
        (5, 0.8, 1),
        (10, 0.9, 1),
        (25, 0.56, 11),
        (25, 0.68, 8),
    ],
)
def test_on_phones_rounds_down_but_not_below_a_whole_agent_lost_to_floats(
    scheduled: int, shrinkage: float, phones: int
) -> None:
    assert on_phones(scheduled, shrinkage) == phones


@given(needed=st.integers(0, 5000), shrinkage=st.floats(min_value=0.0, max_value=0.95))
def test_scheduling_for_shrinkage_puts_exactly_enough_agents_on_the_phones(
    needed: int, shrinkage: float
) -> None:
    scheduled = erlang.agents_scheduled(needed, shrinkage)
    assert on_phones(scheduled, shrinkage) >= needed
    if scheduled > 0:
        assert on_phones(scheduled - 1, shrinkage) < needed


# --- plan_intervals: agents needed --------------------------------------------------------------


def test_needed_agents_are_erlang_c_per_interval_with_shrinkage_on_top() -> None:
    calls = [0.0, 3.0, 50.0, 100.0, 12.5, 400.0]
    rows = plan(calls, PURE_C_GOAL)
    assert len(rows) == len(calls)
    for row, c in zip(rows, calls, strict=True):
        traffic = c * AHT / QUARTER
        assert row.calls == c
        assert row.traffic_erlangs == pytest.approx(traffic)
        expected = erlang.erlang_c_agents_for_service_level(
            traffic=traffic, aht_seconds=AHT, target=0.8, answer_time_seconds=20.0
        ).agents
        assert row.needed == expected
        assert row.needed_scheduled == erlang.agents_scheduled(expected, 0.2)
        assert row.scheduled is None and row.on_phones is None and row.projected is None
    # 10 Erlangs need 14 agents for 80 % in 20 s (13 give 79.6 %); 14 / 0.8 = 17.5 → 18.
    assert (rows[2].needed, rows[2].needed_scheduled) == (14, 18)
    assert (rows[0].needed, rows[0].needed_scheduled) == (0, 0)


def test_needed_agents_are_erlang_a_per_interval_with_patience() -> None:
    calls = [0.0, 3.0, 50.0, 100.0, 400.0]
    rows = plan(calls, PURE_A_GOAL)
    for row, c in zip(rows, calls, strict=True):
        traffic = c * AHT / QUARTER
        expected = (
            erlang.erlang_a_agents_for_service_level(
                traffic=traffic,
                aht_seconds=AHT,
                patience_seconds=120.0,
                target=0.8,
                answer_time_seconds=20.0,
            ).agents
            if traffic
            else 0
        )
        assert row.needed == expected
        assert row.needed_scheduled == erlang.agents_scheduled(expected, 0.2)


def test_patient_callers_who_hang_up_need_no_more_agents_than_erlang_c() -> None:
    calls = [5.0, 50.0, 100.0, 400.0]
    for c_row, a_row in zip(plan(calls, C_GOAL), plan(calls, A_GOAL), strict=True):
        assert a_row.needed <= c_row.needed


@pytest.mark.parametrize("goal", [PURE_C_GOAL, PURE_A_GOAL], ids=["erlang-c", "erlang-a"])
def test_an_interval_without_calls_needs_nobody_without_a_minimum(goal: ServiceGoal) -> None:
    rows = plan([0.0, 0.0], goal, scheduled=[0, 4])
    for row in rows:
        assert (row.traffic_erlangs, row.needed, row.needed_scheduled) == (0.0, 0, 0)
        assert row.projected is not None
        assert row.projected.service_level == 1.0
        assert row.projected.p_abandon == 0.0
    assert rows[1].on_phones == 3  # 4 × 0.8 = 3.2


@pytest.mark.parametrize("goal", [C_GOAL, A_GOAL], ids=["erlang-c", "erlang-a"])
def test_an_open_interval_needs_the_minimum_however_quiet(goal: ServiceGoal) -> None:
    # One agent on the phones by default; 1 / 0.8 = 1.25 rounds up to 2 scheduled.
    quiet, busy = plan([0.0, 50.0], goal)
    assert (quiet.needed, quiet.needed_scheduled) == (1, 2)
    pure = PURE_C_GOAL if goal.patience_seconds is None else PURE_A_GOAL
    assert busy.needed == plan([50.0], pure)[0].needed


def test_a_higher_minimum_lifts_quiet_intervals_only() -> None:
    goal = ServiceGoal(service_level=0.8, shrinkage=0.2, minimum_agents=3)
    calls = [0.0, 1.0, 50.0]
    rows = plan(calls, goal)
    pure = plan(calls, PURE_C_GOAL)
    assert [row.needed for row in pure] == [0, 1, 14]
    assert [row.needed for row in rows] == [3, 3, 14]
    assert [row.needed_scheduled for row in rows] == [4, 4, 18]


@pytest.mark.parametrize("goal", [C_GOAL, A_GOAL], ids=["erlang-c", "erlang-a"])
def test_needed_agents_meet_the_goal_and_one_fewer_does_not(goal: ServiceGoal) -> None:
    calls = [1.0, 7.0, 50.0, 123.0, 400.0]
    needed = [row.needed_scheduled for row in plan(calls, goal)]
    for row in plan(calls, goal, scheduled=needed):
        assert row.on_phones is not None and row.on_phones >= row.needed
        assert row.projected is not None
        assert row.projected.service_level >= goal.service_level
        fewer = (
            erlang.erlang_c_figures(
                agents=row.needed - 1,
                traffic=row.traffic_erlangs,
                aht_seconds=AHT,
                answer_time_seconds=goal.answer_seconds,
            )
            if goal.patience_seconds is None
            else erlang.erlang_a_figures(
                agents=row.needed - 1,
                traffic=row.traffic_erlangs,
                aht_seconds=AHT,
                patience_seconds=goal.patience_seconds,
                answer_time_seconds=goal.answer_seconds,
            )
        )
        assert fewer.service_level < goal.service_level


# --- plan_intervals: the roster's figures -------------------------------------------------------


def test_the_roster_is_projected_with_erlang_c_for_the_agents_on_the_phones() -> None:
    calls = [50.0, 100.0, 20.0]
    scheduled = [17, 30, 3]
    rows = plan(calls, C_GOAL, scheduled=scheduled)
    for row, c, s in zip(rows, calls, scheduled, strict=True):
        phones = on_phones(s, 0.2)
        assert (row.scheduled, row.on_phones) == (s, phones)
        assert row.projected == erlang.erlang_c_figures(
            agents=phones, traffic=c * AHT / QUARTER, aht_seconds=AHT, answer_time_seconds=20.0
        )
    assert [row.on_phones for row in rows] == [13, 24, 2]


def test_the_roster_is_projected_with_erlang_a_for_the_agents_on_the_phones() -> None:
    calls = [50.0, 100.0, 20.0]
    scheduled = [14, 20, 0]
    rows = plan(calls, A_GOAL, scheduled=scheduled)
    for row, c, s in zip(rows, calls, scheduled, strict=True):
        assert row.projected == erlang.erlang_a_figures(
            agents=on_phones(s, 0.2),
            traffic=c * AHT / QUARTER,
            aht_seconds=AHT,
            patience_seconds=120.0,
            answer_time_seconds=20.0,
        )


@pytest.mark.parametrize("goal", [C_GOAL, A_GOAL], ids=["erlang-c", "erlang-a"])
def test_nobody_on_the_roster_answers_nobody(goal: ServiceGoal) -> None:
    (row,) = plan([50.0], goal, scheduled=[0])
    assert row.on_phones == 0
    assert row.projected is not None
    assert row.projected.service_level == 0.0
    assert row.projected.asa_seconds == math.inf


def test_a_roster_too_small_for_erlang_c_is_unstable() -> None:
    # 100 calls are 20 Erlangs; 25 rostered are 20 on the phones.
    (row,) = plan([100.0], C_GOAL, scheduled=[25])
    assert row.on_phones == 20
    assert row.projected is not None
    assert not row.projected.stable
    assert row.projected.service_level == 0.0


def test_a_roster_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ErlangError):
        plan([10.0, 20.0, 30.0], C_GOAL, scheduled=[5, 5])
    with pytest.raises(ErlangError):
        plan([10.0], C_GOAL, scheduled=[5, 5])


def test_negative_calls_and_a_negative_roster_are_refused() -> None:
    with pytest.raises(ErlangError):
        plan([10.0, -1.0], C_GOAL)
    with pytest.raises(ErlangError):
        plan([10.0], C_GOAL, scheduled=[-2])


@given(
    calls=st.just(0.0) | st.floats(min_value=1e-300, max_value=400.0),
    scheduled=st.integers(0, 150),
    extra=st.integers(1, 20),
    shrinkage=st.floats(min_value=0.0, max_value=0.6),
    patience=st.none() | st.floats(min_value=5.0, max_value=900.0),
)
def test_more_agents_on_the_roster_never_lower_the_service_level(
    calls: float, scheduled: int, extra: int, shrinkage: float, patience: float | None
) -> None:
    goal = ServiceGoal(service_level=0.8, patience_seconds=patience, shrinkage=shrinkage)
    fewer, more = plan([calls, calls], goal, scheduled=[scheduled, scheduled + extra])
    assert fewer.projected is not None and more.projected is not None
    assert more.projected.service_level >= fewer.projected.service_level - 1e-12
    assert more.projected.p_abandon <= fewer.projected.p_abandon + 1e-12


def test_a_vanishing_forecast_still_gets_erlang_a_figures() -> None:
    # 1e-170 calls in a quarter hour (a forecast's rounding dust) on a roster of 3 on the
    # phones: nobody waits.
    (row,) = plan([1e-170], A_GOAL, scheduled=[4])
    assert row.projected is not None
    assert row.projected.service_level == pytest.approx(1.0)


# --- plan_totals --------------------------------------------------------------------------------


def test_totals_weight_the_service_level_by_calls_and_the_asa_by_answered_calls() -> None:
    # 50 calls (10 Erlangs) on 13 agents on the phones, 100 calls (20 Erlangs) on 24.
    rows = plan([50.0, 100.0], C_GOAL, scheduled=[17, 30])
    first = erlang.erlang_c_figures(agents=13, traffic=10.0, aht_seconds=AHT)
    second = erlang.erlang_c_figures(agents=24, traffic=20.0, aht_seconds=AHT)
    totals = plan_totals(rows, interval_seconds=QUARTER)
    assert totals.calls == 150.0
    assert totals.service_level == pytest.approx(
        (50 * first.service_level + 100 * second.service_level) / 150
    )
    assert totals.asa_seconds == pytest.approx(
        (50 * first.asa_seconds + 100 * second.asa_seconds) / 150
    )
    assert totals.service_level == pytest.approx(0.80445, abs=1e-5)  # 79.56 % and 80.89 %
    assert totals.abandon_rate == 0.0
    # Occupancy weights each interval by the agents on the phones.
    assert totals.occupancy == pytest.approx((13 * (10 / 13) + 24 * (20 / 24)) / (13 + 24))


def test_totals_weight_the_erlang_a_asa_by_the_calls_answered() -> None:
    # 9 agents on the phones for 10 Erlangs lose 19 % of the callers, 22 for 20 Erlangs 6 %:
    # weighting the waits by calls instead of answered calls would give 11.0 s, not 10.5 s.
    rows = plan([50.0, 100.0], A_GOAL, scheduled=[12, 28])
    first = erlang.erlang_a_figures(agents=9, traffic=10.0, aht_seconds=AHT, patience_seconds=120.0)
    second = erlang.erlang_a_figures(
        agents=22, traffic=20.0, aht_seconds=AHT, patience_seconds=120.0
    )
    totals = plan_totals(rows, interval_seconds=QUARTER)
    answered_first = 50 * (1 - first.p_abandon)
    answered_second = 100 * (1 - second.p_abandon)
    assert totals.asa_seconds == pytest.approx(
        (answered_first * first.asa_seconds + answered_second * second.asa_seconds)
        / (answered_first + answered_second)
    )
    assert totals.asa_seconds == pytest.approx(10.52, abs=0.01)
    assert totals.abandon_rate == pytest.approx(
        (50 * first.p_abandon + 100 * second.p_abandon) / 150
    )
    assert totals.service_level == pytest.approx(
        (50 * first.service_level + 100 * second.service_level) / 150
    )


def test_one_unstable_erlang_c_interval_leaves_the_day_without_an_asa() -> None:
    # The second interval has 20 Erlangs on 20 agents: its queue grows without bound.
    rows = plan([50.0, 100.0], C_GOAL, scheduled=[17, 25])
    first = erlang.erlang_c_figures(agents=13, traffic=10.0, aht_seconds=AHT)
    totals = plan_totals(rows, interval_seconds=QUARTER)
    assert totals.asa_seconds is None
    assert totals.service_level == pytest.approx(50 * first.service_level / 150)
    assert totals.abandon_rate == 0.0


def test_an_interval_nobody_answers_under_erlang_a_does_not_spoil_the_asa() -> None:
    # No agents on the phones: every caller of that interval hangs up, none is answered, so
    # the day's ASA is the other interval's.
    rows = plan([50.0, 100.0], A_GOAL, scheduled=[17, 0])
    totals = plan_totals(rows, interval_seconds=QUARTER)
    first = rows[0].projected
    assert first is not None
    assert totals.asa_seconds == pytest.approx(first.asa_seconds)
    assert totals.abandon_rate == pytest.approx((50 * first.p_abandon + 100 * 1.0) / 150)


def test_agent_hours_and_the_intervals_short_of_agents() -> None:
    calls = [50.0, 100.0, 0.0, 20.0]
    needed = [row.needed_scheduled for row in plan(calls, C_GOAL)]
    assert needed == [18, 30, 2, 9]
    scheduled = [17, 30, 1, 10]
    totals = plan_totals(plan(calls, C_GOAL, scheduled=scheduled), interval_seconds=QUARTER)
    assert totals.needed_agent_hours == pytest.approx(59 / 4)
    assert totals.scheduled_agent_hours == pytest.approx(58 / 4)
    # 17 of 18 in the first quarter hour, 1 of 2 in the quiet one; more than enough counts not.
    assert totals.intervals_short == 2


def test_totals_without_a_roster_give_only_the_need() -> None:
    rows = plan([50.0, 100.0], C_GOAL)
    totals = plan_totals(rows, interval_seconds=QUARTER)
    assert totals.calls == 150.0
    assert totals.needed_agent_hours == pytest.approx((18 + 30) / 4)
    assert totals.scheduled_agent_hours is None
    assert totals.service_level is None
    assert totals.asa_seconds is None
    assert totals.abandon_rate is None
    assert totals.occupancy is None
    assert totals.intervals_short == 0


def test_totals_of_a_day_without_calls() -> None:
    rows = plan([0.0, 0.0], C_GOAL, scheduled=[5, 0])
    totals = plan_totals(rows, interval_seconds=QUARTER)
    assert totals.calls == 0.0
    assert totals.needed_agent_hours == pytest.approx((2 + 2) / 4)  # the one-agent minimum
    assert totals.scheduled_agent_hours == pytest.approx(5 / 4)
    assert totals.service_level is None and totals.asa_seconds is None
    assert totals.abandon_rate is None
    assert totals.occupancy == 0.0  # four agents on the phones with nothing to do
    assert totals.intervals_short == 1
    pure = plan_totals(plan([0.0, 0.0], PURE_C_GOAL, scheduled=[5, 0]), interval_seconds=QUARTER)
    assert pure.needed_agent_hours == 0.0 and pure.intervals_short == 0
    empty = plan_totals([], interval_seconds=QUARTER)
    assert (empty.calls, empty.needed_agent_hours, empty.scheduled_agent_hours) == (0.0, 0.0, None)
