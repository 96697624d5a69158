"""A database of the previous release (v0.11.0) migrates to this checkout's latest, its rows
survive and the pages that show them render. Run in a child process on a fresh database of
the vendor the suite runs on (kontakt/tests/upgrade_from_release.py does the work)."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kontakt.ops.backup import pg_connect

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_database_url(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'release.sqlite3'}"
        return
    with django_db_blocker.unblock():
        config = connection.settings_dict
        name = f"{config['NAME']}_upgrade"
        with pg_connect("postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        user = config.get("USER") or ""
        password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
        yield f"postgres://{user}{password}@{config['HOST']}:{config['PORT']}/{name}"
        with pg_connect("postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_a_database_of_release_0_11_upgrades(fresh_database_url: str, tmp_path: Path) -> None:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DATABASE_URL=fresh_database_url,
        SECRET_KEY="test-only",
        KONTAKT_VAR_DIR=str(tmp_path / "var"),
        LANGUAGE_CODE="en",
        # The pages are opened as the release's administrator, signed in by the test client.
        KONTAKT_MFA_REQUIRED="0",
    )
    out = subprocess.run(
        [sys.executable, "-m", "kontakt.tests.upgrade_from_release"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["vendor"] == connection.vendor
    assert result["pending"] == 0
    assert result["found"] == {
        "case": ["Bil parkerad på cykelbanan", "Astrid Lindqvist"],
        "contact": "Ringde om felparkerad bil",
        "resident": "Astrid Lindqvist",
        "article": "Felparkerade bilar",
        "call_events": 5,
        "call": "answered",
    }
    assert set(result["pages"].values()) == {"200"}, result["pages"]
