"""A year of Erlang C staffing, 15 minutes at a time, beside pyworkforce's ErlangC.

    .venv/bin/python bench/erlang_vs_pyworkforce.py            # 7 alternating rounds
    .venv/bin/python bench/erlang_vs_pyworkforce.py --quick    # 2 rounds, under a minute

The year: 35,040 intervals of 15 minutes for a city's center the size of Oslo's 02 180
(DESIGN.md: about a million calls a year): open 08:00-16:00 on weekdays except public
holidays, peaks 9-11 and after lunch, Mondays and winters busier; closed intervals have no
calls. For each interval both sides find the fewest agents for 80 % of calls answered within
20 s at an AHT of 180 s, with the service level, P(wait) and occupancy those agents give:

* Kontakt: kontakt.core.erlang.erlang_c_staffing_plan over the year's traffic, and the same
  one interval at a time with erlang_c_agents_for_service_level;
* pyworkforce: ErlangC(transactions, aht, asa, interval).required_positions(service_level)
  per interval (its `asa` is the answer time), in its own process. It refuses an interval
  without calls, so the harness answers those with 0 agents without asking it (Kontakt's
  functions are asked: they answer 0 agents themselves).

Rounds alternate the sides; the figure is the fastest round of each (least disturbed by
other work on the machine), the median beside it. Answers are compared interval by
interval. Then the same at fixed traffic levels (2,000 intervals each at about 5, 25, 50 and
100 Erlangs), because the two grow differently: Kontakt's search is O(A) (Erlang B carried
along), pyworkforce's O(A·√A) (Erlang B recomputed for each number of agents tried). It also
asks both what happens with no more agents than Erlangs.

pyworkforce is never a dependency of Kontakt: the first run makes a throwaway virtual
environment in bench/.peers/staffing-venv (gitignored) with pip, and reuses it after.
Prints one JSON object as the last line (also saved under bench/results/).
"""

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(REPO))

from harness.host import log, machine, staffing_peer_python  # noqa: E402

from kontakt.core import erlang  # noqa: E402

INTERVAL = 900.0
AHT = 180.0
TARGET = 0.8
ANSWER_TIME = 20.0

PEER_SCRIPT = r"""
import json, math, sys, time
from importlib.metadata import version
from pyworkforce.queuing import ErlangC

calls = json.load(open(sys.argv[1]))
aht, answer_time, interval, target = (float(v) for v in sys.argv[2:6])
closed = {"raw_positions": 0, "service_level": 1.0, "waiting_probability": 0.0, "occupancy": 0.0}
results = []
started = time.perf_counter()
for n in calls:
    if n == 0:
        results.append(closed)
        continue
    erl = ErlangC(transactions=n, aht=aht / 60, asa=answer_time / 60, interval=interval / 60)
    results.append(erl.required_positions(service_level=target))
elapsed = time.perf_counter() - started
probe = ErlangC(transactions=50, aht=3.0, asa=20 / 60, interval=15)  # 10 Erlangs
below = {}
for agents in (8, 10):
    try:
        below[agents] = {
            "p_wait": probe.waiting_probability(agents),
            "service_level": probe.service_level(agents),
        }
    except Exception as error:
        below[agents] = f"{type(error).__name__}: {error}"
print(json.dumps({
    "seconds": elapsed,
    "version": version("pyworkforce"),
    "agents": [r["raw_positions"] for r in results],
    "service_level": [r["service_level"] for r in results],
    "p_wait": [r["waiting_probability"] for r in results],
    "occupancy": [r["occupancy"] for r in results],
    "at_or_below_traffic": below,
}))
"""


# Weekday public holidays of the year (a Norwegian set), as days from 1 January, a Monday.
HOLIDAYS = {0, 91, 94, 95, 120, 136, 139, 358, 359}


def year_of_calls() -> list[float]:
    """Expected calls in each 15-minute interval of a year: about a million, 0 when closed."""
    rng = random.Random(2026)
    calls = []
    for day in range(365):
        weekday = day % 7
        winter = 1.0 + 0.15 * math.cos(2 * math.pi * (day - 20) / 365)
        is_open = weekday < 5 and day not in HOLIDAYS
        for quarter in range(96):
            hour = quarter / 4 + 0.125
            if not (is_open and 8 <= hour < 16):
                calls.append(0.0)
                continue
            shape = 0.6 + 0.75 * math.exp(-(((hour - 10) / 1.2) ** 2))
            shape += 0.25 * math.exp(-(((hour - 13.5) / 1.0) ** 2))
            level = (1.2 if weekday == 0 else 1.0) * 140.0 * shape
            calls.append(level * winter * rng.uniform(0.85, 1.15))
    return calls


def ours_one_by_one(calls: list[float]) -> tuple[float, list[erlang.QueueFigures]]:
    staffing = erlang.erlang_c_agents_for_service_level
    started = time.perf_counter()
    results = [
        staffing(
            traffic=n * AHT / INTERVAL,
            aht_seconds=AHT,
            target=TARGET,
            answer_time_seconds=ANSWER_TIME,
        )
        for n in calls
    ]
    return time.perf_counter() - started, results


def ours_as_a_plan(calls: list[float]) -> tuple[float, list[erlang.QueueFigures]]:
    started = time.perf_counter()
    results = erlang.erlang_c_staffing_plan(
        traffic=[n * AHT / INTERVAL for n in calls],
        aht_seconds=AHT,
        target=TARGET,
        answer_time_seconds=ANSWER_TIME,
    )
    return time.perf_counter() - started, results


def theirs(python: Path, calls_file: str) -> dict:  # type: ignore[type-arg]
    output = subprocess.run(
        [
            str(python),
            "-c",
            PEER_SCRIPT,
            calls_file,
            str(AHT),
            str(ANSWER_TIME),
            str(INTERVAL),
            str(TARGET),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds instead of 7")
    args = parser.parse_args()
    rounds = 2 if args.quick else 7
    python = staffing_peer_python()
    calls = year_of_calls()
    log(f"{len(calls)} intervals, {sum(calls):,.0f} calls; {rounds} rounds")
    timings: dict[str, list[float]] = {"kontakt": [], "kontakt_plan": [], "pyworkforce": []}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(calls, handle)
    try:
        for number in range(rounds):
            seconds, ours = ours_one_by_one(calls)
            timings["kontakt"].append(seconds)
            seconds, plan = ours_as_a_plan(calls)
            timings["kontakt_plan"].append(seconds)
            peer = theirs(python, handle.name)
            timings["pyworkforce"].append(peer["seconds"])
            log(
                f"round {number + 1}: kontakt {timings['kontakt'][-1]:.3f} s, "
                f"plan {timings['kontakt_plan'][-1]:.3f} s, pyworkforce {peer['seconds']:.3f} s"
            )
    finally:
        os.unlink(handle.name)
    levels = {}
    for level in (5, 25, 50, 100):
        rng = random.Random(level)
        level_calls = [level * INTERVAL / AHT * rng.uniform(0.95, 1.05) for _ in range(2000)]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as level_file:
            json.dump(level_calls, level_file)
        try:
            ours_best = min(ours_as_a_plan(level_calls)[0] for _ in range(max(3, rounds)))
            theirs_best = min(
                theirs(python, level_file.name)["seconds"] for _ in range(max(2, rounds // 2))
            )
        finally:
            os.unlink(level_file.name)
        levels[str(level)] = {
            "kontakt_us": round(ours_best / 2000 * 1e6, 2),
            "pyworkforce_us": round(theirs_best / 2000 * 1e6, 2),
            "speedup": round(theirs_best / ours_best, 1),
        }
        log(f"{level} Erlangs: {levels[str(level)]}")
    assert plan == ours
    differing = [i for i, f in enumerate(plan) if f.agents != peer["agents"][i]]
    same = [i for i in range(len(ours)) if i not in set(differing)]

    def largest_gap(field: str, ours_field: str) -> float:
        return max(abs(getattr(plan[i], ours_field) - peer[field][i]) for i in same)

    per_calc = {side: min(values) / len(calls) * 1e6 for side, values in timings.items()}
    open_intervals = sum(1 for n in calls if n)
    ten_erlangs = {
        agents: erlang.erlang_c_figures(agents=agents, traffic=10.0, aht_seconds=AHT)
        for agents in (8, 10)
    }
    report = {
        "benchmark": "erlang_vs_pyworkforce",
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "versions": {"pyworkforce": peer["version"]},
        "intervals": len(calls),
        "open_intervals": open_intervals,
        "calls": round(sum(calls)),
        "traffic_erlangs_when_open": {
            "mean": round(statistics.fmean(n * AHT / INTERVAL for n in calls if n), 2),
            "max": round(max(calls) * AHT / INTERVAL, 2),
        },
        "target": {"service_level": TARGET, "answer_time_seconds": ANSWER_TIME, "aht": AHT},
        "rounds": rounds,
        "seconds_best": {side: round(min(v), 4) for side, v in timings.items()},
        "seconds_median": {side: round(statistics.median(v), 4) for side, v in timings.items()},
        "microseconds_per_interval": {side: round(v, 2) for side, v in per_calc.items()},
        "microseconds_per_open_interval": {
            side: round(min(v) / open_intervals * 1e6, 2) for side, v in timings.items()
        },
        "speedup": round(per_calc["pyworkforce"] / per_calc["kontakt_plan"], 1),
        "speedup_one_at_a_time": round(per_calc["pyworkforce"] / per_calc["kontakt"], 1),
        "goal_speedup": 10,
        "by_traffic_erlangs": levels,
        "same_agents": len(same),
        "different_agents": [
            {
                "interval": i,
                "traffic_erlangs": ours[i].traffic_erlangs,
                "kontakt": ours[i].agents,
                "pyworkforce": peer["agents"][i],
                "kontakt_service_level_with_fewer": erlang.erlang_c_figures(
                    agents=min(ours[i].agents, peer["agents"][i]),
                    traffic=ours[i].traffic_erlangs,
                    aht_seconds=AHT,
                    answer_time_seconds=ANSWER_TIME,
                ).service_level,
            }
            for i in differing[:10]
        ],
        "largest_difference_where_agents_agree": {
            "service_level": largest_gap("service_level", "service_level"),
            "p_wait": largest_gap("p_wait", "p_wait"),
            "occupancy": largest_gap("occupancy", "occupancy"),
        },
        "agents_at_or_below_traffic": {
            "traffic_erlangs": 10.0,
            "kontakt": {
                str(agents): {
                    "p_wait": f.p_wait,
                    "service_level": f.service_level,
                    "asa_seconds": "inf" if math.isinf(f.asa_seconds) else f.asa_seconds,
                    "stable": f.stable,
                }
                for agents, f in ten_erlangs.items()
            },
            "pyworkforce": peer["at_or_below_traffic"],
        },
    }
    report["goal_met"] = report["speedup"] >= 10 and not differing
    RESULTS.mkdir(exist_ok=True)
    name = (
        f"erlang_vs_pyworkforce-{'quick-' if args.quick else ''}"
        f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, separators=(",", ":")))


if __name__ == "__main__":
    main()
