"""The `kontakt erlang` and `kontakt simulate` commands: JSON out, clear errors."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_erlang_staffs_for_a_service_level_target():
    # Prevos, "Call centre workforce planning using Erlang C in R" (2018): 100 calls in
    # 30 minutes with AHT 180 s are 10 Erlangs; 80 % within 20 s needs 14 agents, SL 88.84 %.
    result = run(
        "erlang", "--calls", "100", "--interval", "1800", "--aht", "180",
        "--target-sl", "0.80", "--target-time", "20",
    )  # fmt: skip
    assert result["model"] == "C"
    assert result["traffic_erlangs"] == pytest.approx(10.0)
    assert result["agents"] == 14
    assert result["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert 0 < result["p_wait"] < 1
    assert result["p_wait"] == pytest.approx(0.1741, abs=1e-4)
    assert result["occupancy"] == pytest.approx(10 / 14)


def test_erlang_with_patience_is_erlang_a_and_reports_abandonment():
    result = run(
        "erlang", "--calls", "360", "--interval", "3600", "--aht", "100",
        "--agents", "11", "--patience", "120", "--shrinkage", "0.3",
    )  # fmt: skip
    assert result["model"] == "A"
    assert 0 < result["p_abandon"] < 0.2
    assert result["agents_scheduled"] == 16  # ceil(11 / 0.7)


def test_erlang_refuses_bad_arguments_with_a_clear_message():
    with pytest.raises(CommandError, match="--calls: -1 must be at least 0"):
        call_command(
            "erlang", "--calls", "-1", "--interval", "900", "--aht", "100", "--agents", "3"
        )


def test_simulate_is_reproducible_for_a_seed():
    args = (
        "simulate", "--calls-per-hour", "300", "--aht", "180", "--agents", "17",
        "--patience", "90", "--hours", "1", "--seed", "7", "--json",
    )  # fmt: skip
    first, second = run(*args), run(*args)
    assert first == second
    assert first["offered"] == first["answered"] + first["abandoned"]
    assert 0 <= first["service_level"]["20"] <= first["service_level"]["30"] <= 1
