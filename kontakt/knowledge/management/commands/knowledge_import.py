"""kontakt knowledge_import PATH…: load articles from Markdown files or CSV."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kontakt.accounts.models import User
from kontakt.knowledge import transfer


class Command(BaseCommand):
    help = (
        "Add or update knowledge-base articles from Markdown files with front matter "
        "(one article a file) or CSV files; folders are read recursively."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--by", help="Username recorded as the author of the versions.")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        by = None
        if options["by"]:
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"No user is called {options['by']}.")
        sources = list(transfer.read_paths(options["paths"]))
        with tqdm(total=len(sources), unit="article", disable=options["verbosity"] == 0) as bar:
            report = transfer.articles_import(sources, by=by, progress=bar.update)
        for error in report.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"{report.created} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.errors)} with errors."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} articles could not be imported.")
