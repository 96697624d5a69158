"""kontakt backup → kontakt restore → verified, on SQLite and on PostgreSQL (whichever the
suite runs on): every table's rows and checksum, and the media files, come back."""

import io
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kontakt.cases.tests.factories import CaseFactory
from kontakt.ops import backup

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filled(resident, parking_type, agent, settings):
    CaseFactory(case_type=parking_type, resident=resident, subject="Felparkerad bil", by=agent)
    upload = Path(settings.MEDIA_ROOT) / "attachments" / "2026" / "kvitto.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 receipt\x00\x01")
    return upload


@pytest.fixture
def scratch_target(tmp_path):
    """Where to restore: another SQLite file, or another database on the PostgreSQL server."""
    if connection.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    with backup.pg_connect("postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield name
    with backup.pg_connect("postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _read_subject(target: str) -> str:
    query = "SELECT subject FROM cases_case"
    if connection.vendor == "sqlite":
        with sqlite3.connect(target) as db:
            return str(db.execute(query).fetchone()[0])
    with backup.pg_connect(target) as pg:
        row = pg.execute(query).fetchone()
        assert row is not None
        return str(row[0])


def test_backup_restore_verify(filled, scratch_target, tmp_path) -> None:
    path = tmp_path / "kontakt.tar.gz"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "Backed up" in out.getvalue()

    manifest = backup.backup_read_manifest(path)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["cases_case"]["rows"] == 1
    assert manifest["tables"]["residents_resident"]["rows"] == 1
    assert "media/attachments/2026/kvitto.pdf" in manifest["members"]

    media = tmp_path / "restored-media"
    out = io.StringIO()
    call_command("restore", str(path), into=scratch_target, media_root=str(media), stdout=out)
    assert "Restored and verified" in out.getvalue()
    assert _read_subject(scratch_target) == "Felparkerad bil"
    assert (media / "attachments" / "2026" / "kvitto.pdf").read_bytes() == filled.read_bytes()


def test_a_changed_row_is_reported(filled, scratch_target, tmp_path) -> None:
    path = tmp_path / "kontakt.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    verification = backup.backup_restore(path, into=scratch_target, media=False)
    assert verification.ok, verification.differences
    # The fingerprint of a restored database sees a row changed after the restore.
    query = "UPDATE cases_case SET subject = 'Ändrad'"
    if connection.vendor == "sqlite":
        with sqlite3.connect(scratch_target) as db:
            db.execute(query)
        tables = backup._sqlite_fingerprint(Path(scratch_target))
    else:
        with backup.pg_connect(scratch_target, autocommit=True) as db:
            db.execute(query)
        tables = backup._pg_fingerprint(scratch_target)
    assert tables["cases_case"] != manifest_tables(path)["cases_case"]
    assert tables["residents_resident"] == manifest_tables(path)["residents_resident"]


def manifest_tables(path: Path) -> dict:
    return backup.backup_read_manifest(path)["tables"]


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    filled, scratch_target, tmp_path
) -> None:
    path = tmp_path / "kontakt.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(path, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            assert data is not None
            content = data.read()
            if member.name.startswith("media/"):
                content = b"tampered" + content
                member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    with pytest.raises(CommandError, match="damaged; nothing was restored"):
        call_command("restore", str(damaged), into=scratch_target, stdout=io.StringIO())
    if connection.vendor == "sqlite":
        assert not Path(scratch_target).exists()
