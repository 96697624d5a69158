"""Tests for kontakt.core.simulation: agreement with Erlang C and A, scenarios, reproducibility."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from kontakt.core import erlang
from kontakt.core.simulation import (
    AnswerGroup,
    CallbackOffer,
    Duration,
    Overflow,
    ReturnedTransfers,
    Scenario,
    ScenarioError,
    SimulationResult,
    Team,
    result_as_dict,
    scenario_from_dict,
    simulate,
    simulate_single_group,
    single_group_scenario,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "scenarios" / "example-center.json"

# The agreement bounds: 1 percentage point, and 1 s of ASA.
POINT = 0.01
SECOND = 1.0


def theory(calls_per_hour: float, aht: float, agents: int, patience: float | None):  # type: ignore[no-untyped-def]
    traffic = calls_per_hour * aht / 3600
    if patience is None:
        return erlang.erlang_c_figures(agents=agents, traffic=traffic, aht_seconds=aht)
    return erlang.erlang_a_figures(
        agents=agents, traffic=traffic, aht_seconds=aht, patience_seconds=patience
    )


def assert_agrees(result: SimulationResult, expected: erlang.QueueFigures) -> None:
    totals = result.totals
    assert totals.service_level[0] == pytest.approx(expected.service_level, abs=POINT)
    assert totals.abandon_rate == pytest.approx(expected.p_abandon, abs=POINT)
    assert totals.asa_seconds == pytest.approx(expected.asa_seconds, abs=SECOND)
    assert result.occupancy == pytest.approx(expected.occupancy, abs=POINT)


# calls per hour, AHT, agents, mean patience (None: Erlang C), arrivals simulated. Each run
# is long enough that three standard deviations of its service level (measured over seeds)
# stay within a percentage point, and of its ASA within a second: queues without abandonment
# and busy ones forget their past slowly and need the most.
LONG_RUNS = [
    (400.0, 180.0, 22, 90.0, 200_000),  # 20 Erlangs
    (120.0, 240.0, 9, 120.0, 300_000),  # 8 Erlangs, a small municipality
    (60.0, 300.0, 4, 60.0, 200_000),  # overloaded: abandonment carries it
    (600.0, 180.0, 32, 180.0, 1_000_000),  # 30 Erlangs at 90 % occupancy, an Oslo-sized group
    (300.0, 180.0, 20, None, 800_000),  # Erlang C, 15 Erlangs
    (200.0, 180.0, 14, None, 800_000),  # Erlang C, 10 Erlangs
]


@pytest.mark.parametrize(("calls", "aht", "agents", "patience", "arrivals"), LONG_RUNS)
def test_the_fast_path_agrees_with_erlang_in_the_long_run(
    calls: float, aht: float, agents: int, patience: float | None, arrivals: int
) -> None:
    result = simulate_single_group(
        calls_per_hour=calls,
        aht_seconds=aht,
        agents=agents,
        patience_seconds=patience,
        hours=arrivals / calls,
        seed=7,
        short_abandon_seconds=0,  # Erlang A counts every abandon
    )
    assert result.engine == "single-group"
    assert result.totals.arrivals == pytest.approx(arrivals, rel=0.01)
    assert_agrees(result, theory(calls, aht, agents, patience))
    within_20, within_30 = result.totals.answered_within
    assert within_30 >= within_20


def test_the_general_engine_agrees_with_erlang_a() -> None:
    # The general engine routes every call through production's router, so it is slower: a
    # shorter run, on a parameter set whose figures settle fast.
    calls, aht, agents, patience = 400.0, 180.0, 22, 90.0
    scenario = single_group_scenario(
        calls_per_hour=calls,
        aht_seconds=aht,
        agents=agents,
        patience_seconds=patience,
        hours=150_000 / calls,
        short_abandon_seconds=0,
    )
    result = simulate(scenario, seed=3)
    assert result.engine == "general"
    assert_agrees(result, theory(calls, aht, agents, patience))


def test_the_same_seed_gives_the_same_result() -> None:
    scenario = scenario_from_dict(json.loads(EXAMPLE.read_text()))
    first, again, other = (simulate(scenario, seed=s) for s in (11, 11, 12))
    assert first == again
    assert first != other
    fast = [
        simulate_single_group(
            calls_per_hour=300, aht_seconds=200, agents=18, patience_seconds=90, seed=s
        )
        for s in (5, 5, 6)
    ]
    assert fast[0] == fast[1] != fast[2]


def test_the_example_scenario_runs_and_adds_up() -> None:
    scenario = scenario_from_dict(json.loads(EXAMPLE.read_text()))
    assert scenario.intervals == 32 and scenario.interval_seconds == 900
    seen: list[float] = []
    result = simulate(scenario, seed=1, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    totals = result.totals
    rows = result.intervals
    assert len(rows) == 32 and rows[0].label == "08:00" and rows[-1].label == "15:45"
    assert totals.offered == sum(row.calls.offered for row in rows)
    assert totals.answered == sum(row.calls.answered for row in rows)
    # DESIGN.md's offered, as call_stats counts it: callbacks and short abandons apart.
    assert totals.offered == totals.arrivals - totals.short_abandoned - totals.callbacks_requested
    assert totals.offered == totals.answered + totals.abandoned
    assert sum(g.offered for g in result.groups.values()) == totals.offered
    assert 0.3 < (totals.service_level[0] or 0) <= (totals.service_level[1] or 0) <= 1
    assert result.occupancy is not None and 0.3 < result.occupancy < 1
    assert all(row.occupancy is None or 0 <= row.occupancy <= 1 for row in rows)
    assert totals.overflowed > 0 and result.returned_transfers > 0
    assert totals.callbacks_requested > 0 and result.callbacks_made == totals.callbacks_requested
    data = result_as_dict(result)
    assert json.loads(json.dumps(data)) == data
    assert set(data["service_level"]) == {"20", "30"}
    assert data["intervals"][4]["start"] == "09:00"


def one_group(**changes: object) -> Scenario:
    group = AnswerGroup(
        name="general",
        skill="general",
        calls=(40.0, 40.0),
        talk=Duration(120),
        patience=Duration(60),
    )
    team = Team(name="team", agents=(5,), skills={"general": 1}, languages=frozenset({"sv"}))
    scenario = Scenario(groups=(group,), teams=(team,), interval_seconds=900)
    return replace(scenario, **changes)  # type: ignore[arg-type]


def test_nobody_answers_a_language_no_agent_speaks() -> None:
    base = one_group()
    group = replace(base.groups[0], languages={"sv": 0.5, "fi": 0.5})
    result = simulate(replace(base, groups=(group,)), seed=2)
    totals = result.totals
    assert totals.arrivals > 0
    # The Finnish half all hang up: routing never offers them to the Swedish-only team.
    assert totals.abandoned + totals.short_abandoned >= totals.arrivals * 0.35
    assert totals.answered <= totals.arrivals * 0.65


def test_overflow_lets_another_group_answer_after_the_delay() -> None:
    nobody = AnswerGroup(
        "permits",
        "permits",
        (30.0, 30.0),
        Duration(120),
        patience=None,
        overflow=(Overflow("general", 45),),
    )
    general = AnswerGroup("general", "general", (0.0, 0.0), Duration(60))
    team = Team("team", (6,), {"general": 1})
    result = simulate(Scenario(groups=(nobody, general), teams=(team,)), seed=4)
    permits = result.groups["permits"]
    assert permits.answered == permits.arrivals == permits.overflowed > 0
    assert permits.asa_seconds is not None and permits.asa_seconds >= 45
    assert permits.answered_within == (0, 0)


def test_callbacks_and_returned_transfers() -> None:
    base = one_group()
    group = replace(
        base.groups[0],
        calls=(120.0, 120.0),
        patience=None,
        callback=CallbackOffer(after_seconds=30, accept_share=1.0),
        returned_transfers=ReturnedTransfers(share=1.0, after_seconds=20),
    )
    result = simulate(replace(base, groups=(group,)), seed=5)
    totals = result.totals
    assert totals.callbacks_requested > 0
    assert result.callbacks_made == totals.callbacks_requested
    assert result.callback_delay_seconds is not None and result.callback_delay_seconds > 0
    # Every answered first call was transferred and came back once.
    assert result.returned_transfers == totals.answered
    assert result.returned_answered == totals.answered
    # A caller who took the callback is not an offered call: nobody hangs up here, so every
    # offered call is answered.
    assert totals.offered == totals.answered == totals.arrivals - totals.callbacks_requested
    assert totals.answer_rate == 1.0


def test_staffing_follows_the_intervals() -> None:
    base = one_group()
    group = replace(base.groups[0], patience=None)
    team = replace(base.teams[0], agents=(0, 8))
    result = simulate(replace(base, groups=(group,), teams=(team,)), seed=6)
    first, second = result.intervals
    assert (first.agents, second.agents) == (0, 8)
    assert first.occupancy is None  # nobody logged on
    assert first.calls.answered == first.calls.arrivals  # all answered, once agents came
    assert first.calls.answered_within[1] == 0 and first.calls.asa_seconds
    assert first.calls.asa_seconds > 30


def test_short_abandons_are_left_out_of_offered() -> None:
    result = simulate_single_group(
        calls_per_hour=600, aht_seconds=300, agents=20, patience_seconds=2, hours=4, seed=1
    )
    totals = result.totals
    assert totals.short_abandoned > totals.abandoned > 0
    assert totals.offered == totals.arrivals - totals.short_abandoned
    everyone = simulate_single_group(
        calls_per_hour=600,
        aht_seconds=300,
        agents=20,
        patience_seconds=2,
        hours=4,
        seed=1,
        short_abandon_seconds=0,
    )
    assert everyone.totals.offered == everyone.totals.arrivals


def test_other_distributions_and_no_agents() -> None:
    lognormal = simulate_single_group(
        calls_per_hour=100,
        aht_seconds=180,
        agents=8,
        talk=Duration(180, "lognormal", 120),
        patience=Duration(60, "constant"),
        seed=1,
    )
    assert lognormal.totals.answered > 0
    nobody = simulate_single_group(calls_per_hour=100, aht_seconds=180, agents=0, seed=1)
    assert nobody.totals.answered == 0 and nobody.totals.offered > 0
    assert nobody.totals.service_level[0] == 0 and nobody.occupancy is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="red"), "unknown keys"),
        (lambda d: d["groups"][0]["overflow"].update(to="nowhere"), "no group named"),
        (lambda d: d["groups"][0].update(calls_per_interval=[1, 2]), "intervals of calls"),
        (lambda d: d["groups"][0]["languages"].update(sv=0.5), "add up to"),
        (lambda d: d["teams"][0].update(agents=-1), "whole numbers"),
        (lambda d: d["teams"][0].update(agents=[1, 2, 3]), "give agents for 1 or 32"),
        (
            lambda d: d["groups"][0].update(talk_seconds={"distribution": "weibull", "mean": 3}),
            "Unknown distribution",
        ),
        (lambda d: d["groups"][0].update(patience_seconds=-5), "more than 0"),
        (lambda d: d.update(start="25:00"), "HH:MM"),
        (lambda d: d.pop("teams"), "missing 'teams'"),
        (
            lambda d: d["groups"][0].update(
                overflow=[
                    {"to": "permits", "after_seconds": 30},
                    {"to": "permits", "after_seconds": 60},
                ]
            ),
            r"overflow\[1\]: two steps to 'permits'",
        ),
        (lambda d: d["groups"][0].update(language=["sv"]), "expected a language code"),
        (lambda d: d.update(aging_seconds=0), "aging_seconds: must be more than 0"),
    ],
)
def test_scenario_mistakes_are_reported_with_their_place(change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(EXAMPLE.read_text())
    change(data)
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(data)


def test_a_scenario_takes_a_group_language_overflow_steps_and_aging() -> None:
    data = json.loads(EXAMPLE.read_text())
    data["aging_seconds"] = 30
    data["groups"][1]["language"] = "sv"
    data["groups"][1]["overflow"] = [
        {"to": "general", "after_seconds": 120},
        {"to": "permits", "after_seconds": 60},
    ]
    scenario = scenario_from_dict(data)
    assert scenario.aging_seconds == 30
    care = scenario.groups[1]
    assert care.language == "sv"
    assert care.overflow == (Overflow("general", 120), Overflow("permits", 60))
    assert scenario.groups[0].overflow == (Overflow("permits", 90),)  # one object: one step
    assert scenario.groups[2].overflow == () and scenario.groups[2].language is None
    result = simulate(scenario, seed=2)
    assert result.groups["elderly-care"].overflowed > 0


def test_the_seed_must_be_a_whole_number() -> None:
    with pytest.raises(ScenarioError):
        simulate(one_group(), seed=1.5)  # type: ignore[arg-type]
    assert math.isfinite(simulate(one_group(), seed=0).simulated_seconds)
