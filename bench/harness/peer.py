"""The peer, django-helpdesk, and the servers: installed and started by the benchmarks.

helpdesk is never a dependency of Kontakt. The first run makes a throwaway virtual
environment in bench/.peers/helpdesk-venv (gitignored) with pip from PyPI and reuses it
after; a minimal Django project for it is written into a temporary directory on each run.
Both applications are served by the same WSGI server (gunicorn, the same version and
worker count) on loopback ports only; gunicorn for Kontakt lives in bench/.peers too, so the
project's venv is not changed either.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from . import host
from .host import log, peer_venv

BENCH = Path(__file__).resolve().parent.parent
REPO = BENCH.parent
PEERS = BENCH / ".peers"
HELPDESK_VENV = PEERS / "helpdesk-venv"
KONTAKT_GUNICORN = PEERS / "kontakt-gunicorn"
HELPDESK_REQUIREMENT = "django-helpdesk==2.6.1"
KONTAKT_PYTHON = REPO / ".venv" / "bin" / "python"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
SECRET_KEY = "benchmark-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"

SETTINGS = '''"""A minimal project serving django-helpdesk for Kontakt's benchmarks (generated)."""

import os

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdbench.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["HELPDESK_DB"],
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        # As Kontakt's default (DATABASE_CONN_MAX_AGE=60): persistent connections.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# No pinax-teams: the knowledge base and teams are not part of what is measured.
HELPDESK_TEAMS_MODE_ENABLED = False
# helpdesk's REST API (called HELPDESK_ACTIVATE_API_ENDPOINT in older releases).
HELPDESK_API_ENABLED = True
HELPDESK_ACTIVATE_API_ENDPOINT = True
# Token authentication, as Kontakt's bearer tokens; sessions for the staff pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ]
}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LANGUAGE_CODE = "sv"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
'''

URLS = """from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""


def ensure_venvs() -> None:
    """Make the peer's venv and Kontakt's gunicorn on first use; later runs reuse them."""
    python = peer_venv(HELPDESK_VENV, [HELPDESK_REQUIREMENT, "gunicorn", "psycopg[binary]"])
    if not (KONTAKT_GUNICORN / "gunicorn").exists():
        version = subprocess.run(
            [str(python), "-c", "import gunicorn; print(gunicorn.__version__)"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        log(f"installing gunicorn=={version} into {KONTAKT_GUNICORN} (first run only)")
        subprocess.run(
            [
                str(KONTAKT_PYTHON),
                "-m",
                "pip",
                "install",
                "-q",
                "--target",
                str(KONTAKT_GUNICORN),
                f"gunicorn=={version}",
            ],
            check=True,
        )


def versions() -> dict[str, str]:
    code = "import importlib.metadata as m, json; print(json.dumps({p: m.version(p) for p in %r}))"
    peer = subprocess.run(
        [
            str(HELPDESK_VENV / "bin" / "python"),
            "-c",
            code % (["django-helpdesk", "Django", "djangorestframework", "gunicorn"],),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ours = subprocess.run(
        [str(KONTAKT_PYTHON), "-c", code % (["kontakt", "Django", "django-ninja"],)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {"helpdesk": json.loads(peer), "kontakt": json.loads(ours)}


WSGI = """import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")
application = get_wsgi_application()
"""


def write_project(directory: Path) -> None:
    package = directory / "hdbench"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS)
    (package / "urls.py").write_text(URLS)
    (package / "wsgi.py").write_text(WSGI)


# Databases ---------------------------------------------------------------------------------


def psql(sql: str, database: str = "postgres") -> None:
    import psycopg

    with psycopg.connect(dbname=database, autocommit=True, **PG) as conn:  # type: ignore[arg-type]
        conn.execute(sql)  # type: ignore[arg-type]


def database_create(name: str) -> None:
    database_drop(name)
    psql(f'CREATE DATABASE "{name}"')


def database_drop(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_version() -> str:
    import psycopg

    with psycopg.connect(dbname="postgres", **PG) as conn:  # type: ignore[arg-type]
        return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]


# The two sides ------------------------------------------------------------------------------


class Side:
    """One application under test: how to run its set-up commands and its server."""

    def __init__(
        self, name: str, python: Path, script: Path, env: dict[str, str], wsgi: str, cwd: Path
    ):
        self.name = name
        self.python = python
        self.script = script
        self.env = env
        self.wsgi = wsgi
        self.cwd = cwd
        self.server: subprocess.Popen[bytes] | None = None
        self.port = 0

    def run(self, *args: str) -> dict:  # type: ignore[type-arg]
        return json.loads(self.start(*args).communicate_json())

    def start(self, *args: str) -> "Running":
        process = subprocess.Popen(
            [str(self.python), str(self.script), *args],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            text=True,
        )
        return Running(self.name, args, process)

    def serve(self, workers: int) -> int:
        """Start gunicorn on a free loopback port and wait until it answers."""
        self.port = free_port()
        command = [
            str(self.python), "-m", "gunicorn", self.wsgi,
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            "--worker-class", "sync",
            "--timeout", "600",
            "--log-level", "warning",
        ]  # fmt: skip
        self.server = subprocess.Popen(command, env=self.env, cwd=self.cwd, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login/", timeout=5)
            except urllib.error.HTTPError:
                return self.port
            except OSError:
                time.sleep(0.2)
                continue
            return self.port
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        self.server = None


class Running:
    def __init__(self, name: str, args: tuple[str, ...], process: subprocess.Popen[str]):
        self.name, self.args, self.process = name, args, process

    def communicate_json(self) -> str:
        out, _err = self.process.communicate()
        if self.process.returncode:
            raise RuntimeError(
                f"{self.name} {' '.join(self.args)} failed ({self.process.returncode})"
            )
        return out.strip().splitlines()[-1]

    def result(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.communicate_json())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kontakt_side(database: str, var_dir: Path) -> Side:
    env = {
        **_base_env(),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "SECRET_KEY": SECRET_KEY,
        "KONTAKT_VAR_DIR": str(var_dir),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PYTHONPATH": str(KONTAKT_GUNICORN),
    }
    return Side(
        "kontakt",
        KONTAKT_PYTHON,
        BENCH / "harness" / "kontakt_side.py",
        env,
        "kontakt.wsgi:application",
        REPO,
    )


def kontakt_sqlite_side(path: Path, var_dir: Path) -> Side:
    env = {
        **_base_env(),
        "KONTAKT_SQLITE_PATH": str(path),
        "SECRET_KEY": SECRET_KEY,
        "KONTAKT_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(KONTAKT_GUNICORN),
    }
    return Side(
        "kontakt-sqlite",
        KONTAKT_PYTHON,
        BENCH / "harness" / "kontakt_side.py",
        env,
        "kontakt.wsgi:application",
        REPO,
    )


def helpdesk_side(database: str, project: Path) -> Side:
    env = {
        **_base_env(),
        "HELPDESK_DB": database,
        "SECRET_KEY": SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "hdbench.settings",
        "PYTHONPATH": str(project),
    }
    python = HELPDESK_VENV / "bin" / "python"
    return Side(
        "helpdesk",
        python,
        BENCH / "harness" / "helpdesk_side.py",
        env,
        "hdbench.wsgi:application",
        project,
    )


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {k: v for k, v in os.environ.items() if k in keep}


class Stage:
    """Both applications on throwaway databases: set up, seeded to a size, served."""

    def __init__(self, name: str, workers: int):
        import tempfile

        self.workers = workers
        self.directory = Path(tempfile.mkdtemp(prefix=f"kontakt-{name}-"))
        self.databases = (f"bench_{name}_kontakt", f"bench_{name}_helpdesk")
        write_project(self.directory / "helpdesk-project")
        self.kontakt = kontakt_side(self.databases[0], self.directory / "kontakt-var")
        self.helpdesk = helpdesk_side(self.databases[1], self.directory / "helpdesk-project")
        self.seeded = 0
        self.kontakt_info: dict = {}  # type: ignore[type-arg]
        self.helpdesk_info: dict = {}  # type: ignore[type-arg]

    def __enter__(self) -> "Stage":
        ensure_venvs()
        for database in self.databases:
            database_create(database)
        log("migrating and setting up both sides")
        running = self.kontakt.start("setup"), self.helpdesk.start("setup")
        self.kontakt_info, self.helpdesk_info = (r.result() for r in running)
        return self

    def grow(self, size: int) -> dict[str, object]:
        """Seed both sides in parallel up to `size` rows (servers are stopped meanwhile)."""
        serving = self.kontakt.server is not None
        self.stop()
        count = size - self.seeded
        log(f"seeding {count} rows into both databases ({self.seeded} -> {size})")
        args = ("seed", "--start", str(self.seeded), "--count", str(count))
        running = self.kontakt.start(*args), self.helpdesk.start(*args)
        kontakt, helpdesk = (r.result() for r in running)
        self.seeded = size
        if serving:
            self.serve()
        return {"kontakt": kontakt, "helpdesk": helpdesk}

    def serve(self) -> None:
        self.kontakt.serve(self.workers)
        self.helpdesk.serve(self.workers)

    def stop(self) -> None:
        self.kontakt.stop()
        self.helpdesk.stop()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        for database in self.databases:
            try:
                database_drop(database)
            except Exception as error:
                log(f"could not drop {database}: {error}")
        shutil.rmtree(self.directory, ignore_errors=True)


def machine() -> dict[str, object]:
    return {**host.machine(), "postgresql": postgres_version()}
