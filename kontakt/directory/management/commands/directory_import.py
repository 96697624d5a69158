"""kontakt directory_import FILE: the directory from an HR or Active Directory export."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kontakt.directory.hr_import import Format, HrFileError, hr_import, read_rows


class Command(BaseCommand):
    help = (
        "Import an HR or Active Directory export (CSV or JSON) into the directory. Every row "
        "is checked first: when any row is bad, nothing is applied and each bad row is "
        "named with its line and field. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            choices=[Format.CSV, Format.JSON],
            help="csv or json (default: from the file's ending).",
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="A full export: people from HR who are not in it are deactivated.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        format = options["format"] or (Format.JSON if path.suffix.lower() == ".json" else "csv")
        data = path.read_bytes()
        try:
            total = len(read_rows(data, format=format))
        except HrFileError as error:
            raise CommandError(f"{path}: {error}") from None
        with tqdm(
            total=total, unit="row", desc=path.name, disable=options["verbosity"] == 0
        ) as bar:
            report = hr_import(
                data=data,
                format=format,
                by=None,
                deactivate_missing=options["deactivate_missing"],
                dry_run=options["dry_run"],
                progress=bar.update,
            )
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{path}: {len(report.problems)} problems in the rows named above; "
                "nothing was imported."
            )
        for name in report.created:
            self.stdout.write(f"created: {name}")
        for name, fields in report.changed:
            self.stdout.write(f"changed: {name} ({', '.join(fields)})")
        for name in report.deactivated:
            self.stdout.write(f"deactivated: {name}")
        self.stdout.write(
            f"{path}: {len(report.created)} created, {len(report.changed)} changed, "
            f"{len(report.deactivated)} deactivated, {report.unchanged} unchanged"
            + (" (dry run: nothing was stored)." if report.dry_run else ".")
        )
