"""kontakt backup PATH: the database and the uploaded files in one verified file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kontakt.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup or pg_dump) and the media files into "
        "one file, with each table's row count and checksum to verify a restore by."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file to write (.tar.gz)")
        parser.add_argument("--no-media", action="store_true", help="leave the media files out")

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        try:
            manifest = backup_create(path, media=not options["no_media"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        media = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows) and {media} media "
            f"files of {manifest['vendor']} to {path}."
        )
