import time

from django.core.management.base import BaseCommand

from kontakt.web.periodic import periodic_round, periodic_tasks


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks (reading calendar feeds, …) when they are due, for the "
        "workers to run. Run one beside the workers; a second one sharing the cache does not "
        "enqueue twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one round and stop.")
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between rounds (10)."
        )

    def handle(self, *args, once: bool = False, interval: float = 10.0, **options):
        if options["verbosity"] > 1:
            for entry in periodic_tasks():
                self.stdout.write(f"{entry.name} every {entry.period()}")
        while True:
            for name in periodic_round():
                if options["verbosity"] > 0:
                    self.stdout.write(f"Enqueued {name}")
            if once:
                return
            time.sleep(interval)
