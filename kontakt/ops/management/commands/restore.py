"""kontakt restore PATH: a backup back into the database, then every table verified."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kontakt.ops.backup import BackupError, backup_read_manifest, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `kontakt backup` into the configured database (or --into "
        "another SQLite file or PostgreSQL database) and the media directory, then compare "
        "every table's row count and checksum with the backup's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file")
        parser.add_argument(
            "--into", help="another SQLite file or PostgreSQL database (made if missing)"
        )
        parser.add_argument("--media-root", type=Path, help="restore media files here instead")
        parser.add_argument("--no-media", action="store_true", help="leave media files alone")
        parser.add_argument(
            "--no-input", action="store_true", help="do not ask before replacing the database"
        )

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        into = options["into"]
        try:
            manifest = backup_read_manifest(path)
        except (OSError, BackupError) as error:
            raise CommandError(f"{path} cannot be read as a backup: {error}") from error
        if not into and not options["no_input"]:
            answer = input(
                f"This replaces the data of {connection.settings_dict['NAME']} with the "
                f"backup of {manifest['created_at']}. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            verification = backup_restore(
                path,
                into=str(into) if into else None,
                media_root=options["media_root"],  # type: ignore[arg-type]
                media=not options["no_media"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not verification.ok:
            for difference in verification.differences:
                self.stderr.write(difference)
            raise CommandError(
                f"Restored, but {len(verification.differences)} tables differ from the backup."
            )
        rows = sum(table["rows"] for table in verification.tables.values())
        self.stdout.write(
            f"Restored and verified {len(verification.tables)} tables ({rows} rows) from {path}. "
            "Run `kontakt migrate` if this version has newer migrations."
        )
