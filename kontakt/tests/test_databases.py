"""The database settings: SQLite hardened however it is named, PostgreSQL pooled.

Settings are read once per process, so each configuration is loaded in a child process
(or through `databases_from_env`, the function the settings module calls).
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kontakt import settings

REPO = Path(__file__).resolve().parents[2]


def _child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    return {**env, "SECRET_KEY": "test-only", "KONTAKT_VAR_DIR": str(tmp_path / "var"), **extra}


def _settings_in_child(tmp_path: Path, **extra: str) -> dict[str, Any]:
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kontakt.settings';"
        "from django.conf import settings;"
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_child_env(tmp_path, **extra),
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_sqlite_by_url_has_the_embedded_options(tmp_path: Path) -> None:
    path = tmp_path / "by-url.sqlite3"
    default = _settings_in_child(tmp_path, DATABASE_URL=f"sqlite:///{path}")
    assert default["ENGINE"] == "django.db.backends.sqlite3"
    assert default["NAME"] == str(path)
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert default["OPTIONS"]["timeout"] == settings.SQLITE_OPTIONS["timeout"]
    assert "journal_mode=WAL" in default["OPTIONS"]["init_command"]
    assert "synchronous=FULL" in default["OPTIONS"]["init_command"]


def test_sqlite_by_path_and_by_url_are_configured_alike(tmp_path: Path) -> None:
    path = tmp_path / "same.sqlite3"
    by_url = settings.databases_from_env({"DATABASE_URL": f"sqlite:///{path}"})["default"]
    embedded = settings.databases_from_env({})["default"]
    assert by_url["OPTIONS"] == embedded["OPTIONS"] == settings.SQLITE_OPTIONS
    assert by_url["CONN_MAX_AGE"] == embedded["CONN_MAX_AGE"] == 0


def test_postgres_gets_a_bounded_pool_sized_from_the_environment() -> None:
    default = settings.databases_from_env(
        {
            "DATABASE_URL": "postgres://kontakt@db.example:5432/kontakt",
            "DATABASE_POOL_MIN_SIZE": "2",
            "DATABASE_POOL_MAX_SIZE": "6",
            "DATABASE_POOL_TIMEOUT": "5",
        }
    )["default"]
    pool = default["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (2, 6, 5.0)
    assert callable(pool["check"])
    # Django refuses persistent connections beside a pool.
    assert default["CONN_MAX_AGE"] == 0


def test_postgres_without_pool_for_pgbouncer() -> None:
    default = settings.databases_from_env(
        {
            "DATABASE_URL": "postgres://kontakt@pgbouncer.example:6432/kontakt",
            "DATABASE_POOL_MAX_SIZE": "0",
        }
    )["default"]
    assert "pool" not in default.get("OPTIONS", {})
    assert default["CONN_MAX_AGE"] == 0


def test_threads_writing_to_sqlite_by_url_are_never_locked_out(tmp_path: Path) -> None:
    """20 threads posting call events to a database named by a sqlite:// URL: every request
    is stored, none answers "database is locked" (before, 976 of 1,000 did)."""
    path = tmp_path / "writers.sqlite3"
    out = subprocess.run(
        [sys.executable, "-m", "kontakt.tests.sqlite_writers", "20", "5"],
        env=_child_env(tmp_path, DATABASE_URL=f"sqlite:///{path}"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == {}
    assert result["statuses"] == {"201": 20 * 5} or result["statuses"] == {"200": 20 * 5}
    assert result["rows"] == 20 * 5 * 2
    assert result["journal_mode"] == "wal"


@pytest.mark.django_db
def test_the_test_database_runs_with_the_configured_options() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
