import json
import math

from django.core.management.base import BaseCommand, CommandError

from kontakt.core import erlang
from kontakt.staffing.arguments import number, share, whole


def _finite(value: float) -> float | None:
    # JSON has no infinity: an unbounded ASA is null, with "stable": false beside it.
    return value if math.isfinite(value) else None


class Command(BaseCommand):
    help = (
        "Agents needed, or the service given, for one interval of one answer group by "
        "Erlang C (or Erlang A with --patience). Prints one JSON object."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--calls", type=number(0.0), required=True, help="calls offered in the interval"
        )
        parser.add_argument(
            "--interval",
            type=number(0.0, above=True),
            required=True,
            metavar="SECONDS",
            help="length of the interval (900 for 15 minutes)",
        )
        parser.add_argument(
            "--aht",
            type=number(0.0, above=True),
            required=True,
            metavar="SECONDS",
            help="average handling time: talk + hold + wrap-up",
        )
        wanted = parser.add_mutually_exclusive_group(required=True)
        wanted.add_argument("--agents", type=whole, help="agents on the phones: give figures")
        wanted.add_argument(
            "--target-sl", type=share, metavar="SHARE", help="service-level target, e.g. 0.80"
        )
        wanted.add_argument(
            "--target-asa",
            type=number(0.0),
            metavar="SECONDS",
            help="average-speed-of-answer target",
        )
        parser.add_argument(
            "--target-time",
            type=number(0.0),
            default=20.0,
            metavar="SECONDS",
            help="the T of the service level: answered within T seconds (default 20)",
        )
        parser.add_argument(
            "--patience",
            type=number(0.0, above=True),
            metavar="SECONDS",
            help="mean patience of callers: use Erlang A (callers hang up) instead of Erlang C",
        )
        parser.add_argument(
            "--shrinkage",
            type=number(0.0, below=1.0),
            metavar="SHARE",
            help="share of paid time off the phones, e.g. 0.3: adds agents_scheduled",
        )

    def handle(self, *args, **options):
        patience = options["patience"]
        answer_time = options["target_time"]
        try:
            traffic = erlang.traffic_erlangs(options["calls"], options["interval"], options["aht"])
            common = {"traffic": traffic, "aht_seconds": options["aht"]}
            if patience is not None:
                common["patience_seconds"] = patience
            if options["agents"] is not None:
                figures = erlang.queue_figures(
                    agents=options["agents"],
                    traffic=traffic,
                    aht_seconds=options["aht"],
                    patience_seconds=patience,
                    answer_time_seconds=answer_time,
                )
            elif options["target_sl"] is not None:
                compute = (
                    erlang.erlang_a_agents_for_service_level
                    if patience
                    else erlang.erlang_c_agents_for_service_level
                )
                figures = compute(
                    target=options["target_sl"], answer_time_seconds=answer_time, **common
                )
            else:
                compute = (
                    erlang.erlang_a_agents_for_asa if patience else erlang.erlang_c_agents_for_asa
                )
                figures = compute(
                    target_seconds=options["target_asa"],
                    answer_time_seconds=answer_time,
                    **common,
                )
            scheduled = (
                None
                if options["shrinkage"] is None
                else erlang.agents_scheduled(figures.agents, options["shrinkage"])
            )
        except erlang.ErlangError as error:
            raise CommandError(str(error), returncode=2) from None
        result = {
            "model": figures.model,
            "traffic_erlangs": figures.traffic_erlangs,
            "agents": figures.agents,
            "p_wait": figures.p_wait,
            "service_level": figures.service_level,
            "service_level_seconds": figures.answer_time_seconds,
            "asa_seconds": _finite(figures.asa_seconds),
            "occupancy": figures.occupancy,
            "stable": figures.stable,
        }
        if patience is not None:
            result["p_abandon"] = figures.p_abandon
            result["patience_seconds"] = patience
        if scheduled is not None:
            result["shrinkage"] = options["shrinkage"]
            result["agents_scheduled"] = scheduled
        self.stdout.write(json.dumps(result))
