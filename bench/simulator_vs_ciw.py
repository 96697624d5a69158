"""Kontakt's simulator beside Ciw and SimPy on the same M/M/n+M queue.

    .venv/bin/python bench/simulator_vs_ciw.py            # 1,000,000 arrivals each
    .venv/bin/python bench/simulator_vs_ciw.py --quick    # fewer for the peers, under a minute

The model: one answer group the size of a city's main queue, 600 calls an hour (Poisson),
exponential talk time of 180 s (30 Erlangs), 32 agents, exponential patience with a mean of
180 s, first come first served. Every simulator runs it for the same number of arrivals:

* Kontakt's fast path (kontakt.core.simulation.simulate_single_group), and its general
  engine (simulate), which routes every call through production's router
  (kontakt.core.router.Router);
* Ciw 3 (reneging_time_distributions), with Simulation.simulate_until_max_customers;
* SimPy 4: a Resource of 32 agents, each caller waiting for `request | timeout(patience)`.

Throughput is arrivals simulated per second of wall time, the model's run alone (no
imports, no result tables). Service level = answered within 20 s / arrivals (every abandon
counts, as in Erlang A); its 95 % confidence interval comes from 20 batch means over the run
in arrival order. The goals: the fast path ≥ 10× Ciw's rate with its service level inside
Ciw's interval, the general engine at least SimPy's rate. Erlang A's exact value is beside.

Ciw and SimPy are never dependencies of Kontakt: the first run makes a throwaway virtual
environment in bench/.peers/staffing-venv (gitignored) with pip, and reuses it after.
Prints one JSON object as the last line (also saved under bench/results/).
"""

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(REPO))

from harness.host import log, machine, staffing_peer_python  # noqa: E402

from kontakt.core import erlang, simulation  # noqa: E402

CALLS_PER_HOUR = 600.0
AHT = 180.0
AGENTS = 32
PATIENCE = 180.0
ANSWER_TIME = 20.0
BATCHES = 20
T_975_19 = 2.093  # Student's t, 19 degrees of freedom, two-sided 95 %

# Both peer scripts print {"seconds", "version", "rows"}: rows are per caller in arrival
# order, [answered within ANSWER_TIME (0/1), answered (0/1), wait if answered else 0].
CIW_SCRIPT = r"""
import json, sys, time
from importlib.metadata import version
import ciw

rate, aht, agents, patience, answer_time, arrivals, seed = (float(v) for v in sys.argv[1:8])
network = ciw.create_network(
    arrival_distributions=[ciw.dists.Exponential(rate=rate)],
    service_distributions=[ciw.dists.Exponential(rate=1 / aht)],
    number_of_servers=[int(agents)],
    reneging_time_distributions=[ciw.dists.Exponential(rate=1 / patience)],
)
ciw.seed(int(seed))
model = ciw.Simulation(network)
started = time.perf_counter()
model.simulate_until_max_customers(int(arrivals), method="Arrive")
seconds = time.perf_counter() - started
records = sorted(model.get_all_records(), key=lambda r: r.arrival_date)
rows = []
for r in records:
    served = r.record_type == "service"
    wait = r.waiting_time if served else 0.0
    rows.append([int(served and wait <= answer_time), int(served), wait])
print(json.dumps({"seconds": seconds, "version": version("ciw"), "rows": rows}))
"""

SIMPY_SCRIPT = r"""
import json, random, sys, time
from importlib.metadata import version
import simpy

rate, aht, agents, patience, answer_time, arrivals, seed = (float(v) for v in sys.argv[1:8])
rng = random.Random(int(seed))
env = simpy.Environment()
desk = simpy.Resource(env, capacity=int(agents))
rows = []

def caller(env, row):
    arrived = env.now
    with desk.request() as request:
        outcome = yield request | env.timeout(rng.expovariate(1 / patience))
        if request in outcome:
            wait = env.now - arrived
            row[:] = [int(wait <= answer_time), 1, wait]
            yield env.timeout(rng.expovariate(1 / aht))

def source(env):
    for _ in range(int(arrivals)):
        yield env.timeout(rng.expovariate(rate))
        row = [0, 0, 0.0]
        rows.append(row)
        env.process(caller(env, row))

env.process(source(env))
started = time.perf_counter()
env.run()
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "version": version("simpy"), "rows": rows}))
"""


def interval(batch_values: list[float]) -> list[float]:
    """95 % confidence interval of a mean from batch means."""
    mean = statistics.fmean(batch_values)
    half = T_975_19 * statistics.stdev(batch_values) / math.sqrt(len(batch_values))
    return [round(mean - half, 5), round(mean + half, 5)]


def summary(rows: list[list[float]], seconds: float, arrivals: int) -> dict:  # type: ignore[type-arg]
    """Figures from per-caller rows in arrival order (the peers' output)."""
    size = len(rows) // BATCHES
    batches = [rows[k * size : (k + 1) * size] for k in range(BATCHES)]
    answered = sum(r[1] for r in rows)
    return {
        "arrivals": arrivals,
        "seconds": round(seconds, 3),
        "per_second": round(arrivals / seconds),
        "service_level": round(sum(r[0] for r in rows) / len(rows), 5),
        "service_level_ci95": interval([sum(r[0] for r in b) / len(b) for b in batches]),
        "abandon_rate": round(1 - answered / len(rows), 5),
        "asa_seconds": round(sum(r[2] for r in rows) / answered, 3),
    }


def ours_summary(result: simulation.SimulationResult, seconds: float) -> dict:  # type: ignore[type-arg]
    """The same figures from a Kontakt result; batch means over its per-interval rows."""
    totals = result.totals
    rows = [row.calls for row in result.intervals if row.calls.arrivals]
    size = len(rows) // BATCHES
    batches = [rows[k * size : (k + 1) * size] for k in range(BATCHES)]
    batch_levels = [
        sum(r.answered_within[0] for r in b) / sum(r.arrivals for r in b) for b in batches
    ]
    return {
        "arrivals": totals.arrivals,
        "seconds": round(seconds, 3),
        "per_second": round(totals.arrivals / seconds),
        "service_level": round(totals.answered_within[0] / totals.arrivals, 5),
        "service_level_ci95": interval(batch_levels),
        "abandon_rate": round(1 - totals.answered / totals.arrivals, 5),
        "asa_seconds": round(totals.asa_seconds or 0.0, 3),
    }


def run_peer(python: Path, script: str, arrivals: int) -> tuple[dict, str]:  # type: ignore[type-arg]
    arguments = [CALLS_PER_HOUR / 3600, AHT, AGENTS, PATIENCE, ANSWER_TIME, arrivals, 1]
    output = subprocess.run(
        [str(python), "-c", script, *(str(a) for a in arguments)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(output.strip().splitlines()[-1])
    return summary(data["rows"], data["seconds"], arrivals), data["version"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="100 k arrivals for the peers: under a minute"
    )
    args = parser.parse_args()
    arrivals = 1_000_000
    peer_arrivals = 100_000 if args.quick else arrivals
    general_arrivals = 200_000 if args.quick else arrivals
    python = staffing_peer_python()
    hours = arrivals / CALLS_PER_HOUR
    # One-hour rows: a thousand-odd of them, enough for batch means.
    started = time.perf_counter()
    fast = simulation.simulate_single_group(
        calls_per_hour=CALLS_PER_HOUR,
        aht_seconds=AHT,
        agents=AGENTS,
        patience_seconds=PATIENCE,
        hours=hours,
        seed=1,
        short_abandon_seconds=0,
    )
    fast_figures = ours_summary(fast, time.perf_counter() - started)
    log(f"kontakt fast path: {fast_figures}")
    scenario = simulation.single_group_scenario(
        calls_per_hour=CALLS_PER_HOUR,
        aht_seconds=AHT,
        agents=AGENTS,
        patience_seconds=PATIENCE,
        hours=general_arrivals / CALLS_PER_HOUR,
        short_abandon_seconds=0,
    )
    started = time.perf_counter()
    general = simulation.simulate(scenario, seed=1)
    general_figures = ours_summary(general, time.perf_counter() - started)
    log(f"kontakt general engine: {general_figures}")
    ciw, ciw_version = run_peer(python, CIW_SCRIPT, peer_arrivals)
    log(f"ciw: {ciw}")
    simpy, simpy_version = run_peer(python, SIMPY_SCRIPT, peer_arrivals)
    log(f"simpy: {simpy}")
    exact = erlang.erlang_a_figures(
        agents=AGENTS,
        traffic=CALLS_PER_HOUR * AHT / 3600,
        aht_seconds=AHT,
        patience_seconds=PATIENCE,
        answer_time_seconds=ANSWER_TIME,
    )
    low, high = ciw["service_level_ci95"]
    report = {
        "benchmark": "simulator_vs_ciw",
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "versions": {"ciw": ciw_version, "simpy": simpy_version},
        "model": {
            "calls_per_hour": CALLS_PER_HOUR,
            "aht_seconds": AHT,
            "agents": AGENTS,
            "patience_seconds": PATIENCE,
            "answer_time_seconds": ANSWER_TIME,
        },
        "erlang_a": {
            "service_level": round(exact.service_level, 5),
            "abandon_rate": round(exact.p_abandon, 5),
            "asa_seconds": round(exact.asa_seconds, 3),
        },
        "kontakt_fast": fast_figures,
        "kontakt_general": general_figures,
        "ciw": ciw,
        "simpy": simpy,
        "fast_vs_ciw": round(fast_figures["per_second"] / ciw["per_second"], 1),
        "fast_vs_simpy": round(fast_figures["per_second"] / simpy["per_second"], 1),
        "general_vs_simpy": round(general_figures["per_second"] / simpy["per_second"], 2),
        "general_vs_ciw": round(general_figures["per_second"] / ciw["per_second"], 2),
        "fast_service_level_in_ciw_ci": low <= fast_figures["service_level"] <= high,
        "general_service_level_in_ciw_ci": low <= general_figures["service_level"] <= high,
    }
    report["goals_met"] = {
        "fast_10x_ciw": report["fast_vs_ciw"] >= 10,
        "fast_service_level_in_ciw_ci": report["fast_service_level_in_ciw_ci"],
        "general_at_least_simpy": report["general_vs_simpy"] >= 1,
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"simulator_vs_ciw-{'quick-' if args.quick else ''}{time.strftime('%Y%m%d-%H%M%S')}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, separators=(",", ":")))


if __name__ == "__main__":
    main()
