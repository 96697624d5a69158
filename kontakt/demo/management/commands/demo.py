import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kontakt.demo.municipality import DEMO_PASSWORD
from kontakt.demo.seed import seed_all


class Command(BaseCommand):
    help = "Seed the demo municipality (idempotent), start a task worker and serve Kontakt."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Address to serve on.")
        parser.add_argument("--no-serve", action="store_true", help="Only seed, then exit.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(  # type: ignore[no-untyped-def]
        self, *args, addr: str, no_serve: bool, no_progress: bool, **options
    ):
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        counts = seed_all(progress=not no_progress)
        self.stdout.write(
            "Sjöstad kommun: {departments} departments, {staff} staff users, "
            "{case_types} case types, {residents} residents, {contacts} contacts, "
            "{cases} cases, {articles} knowledge-base articles.".format(**counts)
        )
        if no_serve:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Kontakt runs on http://{addr}/ — sign in as agent1, handler.avfall, "
                f"supervisor or admin with the password {DEMO_PASSWORD!r}. Ctrl+C stops."
            )
        )
        worker = subprocess.Popen([sys.executable, "-m", "kontakt.cli", "worker"])
        try:
            call_command("runserver", addr, use_reloader=False, insecure_serving=not settings.DEBUG)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
