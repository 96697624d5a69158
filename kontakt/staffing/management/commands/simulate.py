import json
import math
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kontakt.core import erlang, simulation
from kontakt.staffing.arguments import number, whole


def _erlang(options: dict[str, Any]) -> dict[str, Any] | None:
    """Erlang C or A's prediction for the single-group model, to set beside the simulation."""
    traffic = options["calls_per_hour"] * options["aht"] / 3600.0
    try:
        figures = erlang.queue_figures(
            agents=options["agents"],
            traffic=traffic,
            aht_seconds=options["aht"],
            patience_seconds=options["patience"],
        )
    except erlang.ErlangError:
        return None
    return {
        "model": figures.model,
        "traffic_erlangs": traffic,
        "service_level_20": figures.service_level,
        "asa_seconds": figures.asa_seconds if math.isfinite(figures.asa_seconds) else None,
        "p_abandon": figures.p_abandon,
        "occupancy": figures.occupancy,
        "stable": figures.stable,
    }


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


class Command(BaseCommand):
    help = (
        "Simulate calls to one answer group (M/M/n+M) or to a whole center described by a "
        "scenario file (docs/staffing.md). Same seed, same result."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scenario", type=Path, metavar="FILE", help="a scenario JSON file")
        parser.add_argument("--calls-per-hour", type=number(0.0), metavar="N")
        parser.add_argument(
            "--aht", type=number(0.0, above=True), metavar="SECONDS", help="mean talk time"
        )
        parser.add_argument("--agents", type=whole, metavar="N")
        parser.add_argument(
            "--patience",
            type=number(0.0, above=True),
            metavar="SECONDS",
            help="mean (exponential) patience; without it nobody hangs up",
        )
        parser.add_argument("--hours", type=number(0.0, above=True), default=8.0, help="default 8")
        parser.add_argument(
            "--short-abandon",
            type=number(0.0),
            default=5.0,
            metavar="SECONDS",
            help="hang-ups sooner than this are short abandons, left out of offered (default "
            "5; 0 to compare with Erlang A)",
        )
        parser.add_argument(
            "--engine",
            choices=["fast", "general"],
            default="fast",
            help="single group: the fast path (default) or the general engine",
        )
        parser.add_argument("--seed", type=int, default=0, help="default 0")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar on long runs"
        )

    def handle(self, *args, **options):
        single = ("calls_per_hour", "aht", "agents")
        if options["scenario"] is not None:
            given = [f"--{name.replace('_', '-')}" for name in single if options[name] is not None]
            if given or options["patience"] is not None:
                raise CommandError(
                    "Give either --scenario or the single-group arguments, not both.",
                    returncode=2,
                )
            scenario = self._scenario(options["scenario"])
        elif any(options[name] is None for name in single):
            raise CommandError(
                "Give --scenario FILE, or --calls-per-hour, --aht and --agents.", returncode=2
            )
        else:
            scenario = None
        with tqdm(
            total=1000,
            file=sys.stderr,
            desc="simulating",
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
            delay=1.0,
            disable=options["no_progress"] or None,
            leave=False,
        ) as bar:

            def progress(share: float) -> None:
                bar.update(int(share * 1000) - bar.n)

            try:
                if scenario is not None:
                    result = simulation.simulate(scenario, seed=options["seed"], progress=progress)
                elif options["engine"] == "general":
                    result = simulation.simulate(
                        simulation.single_group_scenario(
                            calls_per_hour=options["calls_per_hour"],
                            aht_seconds=options["aht"],
                            agents=options["agents"],
                            patience_seconds=options["patience"],
                            hours=options["hours"],
                            short_abandon_seconds=options["short_abandon"],
                        ),
                        seed=options["seed"],
                        progress=progress,
                    )
                else:
                    result = simulation.simulate_single_group(
                        calls_per_hour=options["calls_per_hour"],
                        aht_seconds=options["aht"],
                        agents=options["agents"],
                        patience_seconds=options["patience"],
                        hours=options["hours"],
                        seed=options["seed"],
                        short_abandon_seconds=options["short_abandon"],
                        progress=progress,
                    )
            except simulation.ScenarioError as error:
                raise CommandError(str(error), returncode=2) from None
        data = simulation.result_as_dict(result)
        if scenario is None:
            data["erlang"] = _erlang(options)
        elif scenario.name:
            data = {"scenario": scenario.name, **data}
        if options["json"]:
            self.stdout.write(json.dumps(data))
        else:
            self._summary(result)

    def _scenario(self, path: Path) -> simulation.Scenario:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.", returncode=2) from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not valid JSON: {error}.", returncode=2) from None
        try:
            return simulation.scenario_from_dict(raw)
        except simulation.ScenarioError as error:
            raise CommandError(f"{path}: {error}", returncode=2) from None

    def _summary(self, result: simulation.SimulationResult) -> None:
        totals = result.totals
        levels = ", ".join(
            f"{_percent(level)} within {time:g} s"
            for time, level in zip(result.answer_times, totals.service_level, strict=True)
        )
        asa = "–" if totals.asa_seconds is None else f"{totals.asa_seconds:.1f} s"
        self.stdout.write(
            f"offered {totals.offered}, answered {totals.answered} "
            f"({_percent(totals.answer_rate)}), abandoned {totals.abandoned} "
            f"(+{totals.short_abandoned} short)\n"
            f"service level {levels}; ASA {asa}; occupancy {_percent(result.occupancy)}\n"
            f"(--json for every figure and the per-interval rows)"
        )
