"""One backup file: the database, the uploaded files and a manifest to verify them by.

A backup is a gzipped tar file holding

- `database.sqlite3`, a consistent copy made with SQLite's online backup API while the
  application runs, or `database.dump`, PostgreSQL's `pg_dump` in its custom format;
- `media/…`, every file under MEDIA_ROOT;
- `manifest.json`: the database vendor, when it was made, the applied migrations, each
  table's row count and a checksum of its rows, and the SHA-256 of every other member.

`restore` checks the members against the manifest before it touches anything, restores the
database (into the configured one, or another named with `into`) and the media files, then
counts and checksums every table again and reports any difference.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, connections
from psycopg.conninfo import make_conninfo

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why."""


@dataclass
class Verification:
    tables: dict[str, dict[str, Any]]
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


# Table fingerprints ---------------------------------------------------------------------------


def _value(value: object) -> object:
    return bytes(value) if isinstance(value, memoryview) else value


def fingerprint(cursor: Any, tables: list[str], quote: Any) -> dict[str, dict[str, Any]]:
    """Each table's row count and a SHA-256 over its rows in a fixed order."""
    result: dict[str, dict[str, Any]] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
        columns = len(cursor.description)
        order = ", ".join(str(n) for n in range(1, columns + 1))
        cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {order}")
        digest = hashlib.sha256()
        rows = 0
        while batch := cursor.fetchmany(2000):
            for row in batch:
                digest.update(repr(tuple(_value(v) for v in row)).encode())
                rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_fingerprint(path: Path) -> dict[str, dict[str, Any]]:
    db = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return fingerprint(db.cursor(), names, _quote)
    finally:
        db.close()


# PostgreSQL -------------------------------------------------------------------------------


def _pg_params(database: str | None = None) -> dict[str, str]:
    config = connection.settings_dict
    params = {
        "dbname": database or config["NAME"],
        "host": config.get("HOST") or "",
        "port": str(config.get("PORT") or ""),
        "user": config.get("USER") or "",
        "password": config.get("PASSWORD") or "",
    }
    return {k: v for k, v in params.items() if v}


def pg_connect(database: str | None = None, *, autocommit: bool = False) -> psycopg.Connection:
    """A psycopg connection to the configured server, to its database or `database`."""
    return psycopg.connect(make_conninfo(**_pg_params(database)), autocommit=autocommit)


def _pg_env(database: str | None = None) -> dict[str, str]:
    names = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER"}
    names["password"] = "PGPASSWORD"
    env = dict(os.environ)
    env.update({names[k]: v for k, v in _pg_params(database).items()})
    return env


def _pg_fingerprint(database: str | None = None) -> dict[str, dict[str, Any]]:
    with pg_connect(database) as db, db.cursor() as cursor:
        return _pg_tables_fingerprint(cursor)


def _pg_tables_fingerprint(cursor: Any) -> dict[str, dict[str, Any]]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    names = [row[0] for row in cursor.fetchall()]
    return fingerprint(cursor, names, _quote)


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).") from error
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


# Backup -----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def backup_create(path: Path, *, media: bool = True) -> dict[str, Any]:
    """Write a backup of the configured database (and the media files) to `path`."""
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups of {vendor} are not supported.")
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="kontakt-backup-") as scratch:
        work = Path(scratch)
        if vendor == "sqlite":
            database = work / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(database)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            tables = _sqlite_fingerprint(database)
        else:
            database = work / "database.dump"
            tables = _pg_dump(database)
        members = {database.name: _sha256(database)}
        media_root = Path(settings.MEDIA_ROOT)
        media_files = (
            sorted(p for p in media_root.rglob("*") if p.is_file())
            if media and media_root.is_dir()
            else []
        )
        for file in media_files:
            members["media/" + file.relative_to(media_root).as_posix()] = _sha256(file)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "vendor": vendor,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "migrations": _applied_migrations(),
            "members": members,
            "tables": tables,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(database, arcname=database.name)
            for file in media_files:
                archive.add(file, arcname="media/" + file.relative_to(media_root).as_posix())
        partial.replace(path)
    return manifest


def _pg_dump(dump: Path) -> dict[str, dict[str, Any]]:
    """pg_dump and the fingerprint of the same snapshot, so writes made meanwhile cannot make
    the manifest and the dump disagree."""
    with pg_connect() as db, db.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]  # type: ignore[index]
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             "--file", str(dump)],
            _pg_env(),
        )  # fmt: skip
        return _pg_tables_fingerprint(cursor)


def _pg_restore(dump: Path, database: str) -> None:
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
         "--single-transaction", "--dbname", database, str(dump)],
        _pg_env(database),
    )  # fmt: skip


# Restore ----------------------------------------------------------------------------------


def backup_read_manifest(path: Path) -> dict[str, Any]:
    with tarfile.open(path, "r:gz") as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{path} has no manifest.")
        manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup this version can read.")
    return manifest


def _extract(path: Path, into: Path) -> dict[str, Any]:
    """Unpack the backup and check every member against the manifest's checksums."""
    with tarfile.open(path, "r:gz") as archive:
        archive.extractall(into, filter="data")
    manifest = backup_read_manifest(path)
    for name, checksum in manifest["members"].items():
        member = into / name
        if not member.is_file() or _sha256(member) != checksum:
            raise BackupError(f"{name} in {path} is missing or damaged; nothing was restored.")
    return manifest


def backup_restore(
    path: Path, *, into: str | None = None, media_root: Path | None = None, media: bool = True
) -> Verification:
    """Restore a backup into the configured database (or `into`), then verify it.

    `into` is another SQLite file or another PostgreSQL database on the same server (made if
    it does not exist). Media files go to MEDIA_ROOT, or `media_root`.
    """
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(prefix="kontakt-restore-") as scratch:
        work = Path(scratch)
        manifest = _extract(Path(path), work)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"This backup is of {manifest['vendor']}; the configured database is {vendor}."
            )
        if vendor == "sqlite":
            target = Path(into) if into else Path(connection.settings_dict["NAME"])
            connections.close_all()
            source = sqlite3.connect(work / "database.sqlite3")
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                source.close()
                destination.close()
            tables = _sqlite_fingerprint(target)
        else:
            name = into or connection.settings_dict["NAME"]
            if into:
                with pg_connect("postgres", autocommit=True) as db:
                    exists = db.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                    ).fetchone()
                    if not exists:
                        db.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
            connections.close_all()
            _pg_restore(work / "database.dump", name)
            tables = _pg_fingerprint(name)
        if media:
            destination_root = Path(media_root or settings.MEDIA_ROOT)
            source_root = work / "media"
            if source_root.is_dir():
                shutil.copytree(source_root, destination_root, dirs_exist_ok=True)
    verification = Verification(tables)
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(tables)):
        want, got = expected.get(table), tables.get(table)
        if want != got:
            verification.differences.append(f"{table}: backed up {want}, restored {got}")
    return verification
