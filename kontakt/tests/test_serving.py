"""Serving for production: health endpoints, security headers, cookies, caching, the API's
documentation and what reaches the logs."""

import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings
from django.utils.log import log_message

from kontakt.accounts.services import api_token_create
from kontakt.accounts.tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
# Loopback ports nobody listens on: a part that is down.
NOBODY = "redis://127.0.0.1:1/0"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")

# The production settings of docs/operations.md ("Production settings"), with stand-ins for
# the secrets and addresses.
PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "k7Qx2vR9mWp4Lz8sTn3bYc6hJd1fGa5eKu0iOy7rXw2qPv9tMz4",
    "ALLOWED_HOSTS": "kontakt.kommun.example",
    "DATABASE_URL": "postgres://kontakt:secret@db.kommun.example:5432/kontakt",
    "REDIS_URL": "redis://cache.kommun.example:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.kommun.example",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def run_kontakt(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run Python in a fresh process with Kontakt's settings read from `env` only."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "SECURE_", "SECRET_", "KONTAKT_", "DEBUG"))
        and key not in {"ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "kontakt.settings", "KONTAKT_VAR_DIR": str(tmp_path)}
    clean |= env
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def redis_reachable() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("KONTAKT_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis is required (--require-services) and unreachable at {REDIS_URL}")
        return False
    return True


# Health -----------------------------------------------------------------------------------


def test_live_answers_without_touching_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_when_database_migrations_cache_and_queue_answer():
    response = Client().get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok"},
    }


@pytest.mark.django_db
def test_ready_checks_the_database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    response = Client().get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["tasks"] == "ok"


@pytest.mark.django_db
def test_not_ready_with_an_unreachable_redis_cache():
    # Restored within the test: the shared fixtures clear the cache when it ends.
    unreachable = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": NOBODY}
    with override_settings(CACHES={"default": unreachable}):
        response = Client().get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] == "unavailable"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_not_ready_with_an_unreachable_task_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": NOBODY}}
    response = Client().get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == "unavailable"


@pytest.mark.django_db
def test_not_ready_with_an_unreachable_live_bus(settings):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "LIVE": {**settings.KONTAKT["LIVE"], "BACKEND": "redis", "REDIS_URL": NOBODY},
    }
    response = Client().get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["live"] == "unavailable"


@pytest.mark.django_db
def test_ready_with_redis_for_cache_queue_and_live_updates(settings):
    if not redis_reachable():
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.KONTAKT = {
        **settings.KONTAKT,
        "LIVE": {**settings.KONTAKT["LIVE"], "BACKEND": "redis", "REDIS_URL": REDIS_URL},
    }
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "kontakt-test-health",
    }
    with override_settings(CACHES={"default": cache}):
        response = Client().get("/health/ready")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
        "tasks": "ok",
        "live": "ok",
    }


@pytest.mark.django_db
def test_not_ready_while_a_migration_is_unapplied():
    (app, last), *_others = MigrationLoader(connection).graph.leaf_nodes("accounts")
    MigrationRecorder.Migration.objects.filter(app=app, name=last).delete()
    response = Client().get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "unavailable"


def test_without_a_database_server_live_but_not_ready(tmp_path):
    result = run_kontakt(
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "live, ready = c.get('/health/live'), c.get('/health/ready')\n"
        "print(json.dumps([live.status_code, ready.status_code, ready.json()]))\n",
        {"DATABASE_URL": "postgres://kontakt@127.0.0.1:1/kontakt", "SECRET_KEY": "x" * 50},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    live, ready, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert (live, ready) == (200, 503)
    assert body["checks"]["database"] == "unavailable"


# Headers and caching ----------------------------------------------------------------------


def test_pages_allow_only_their_own_scripts_with_a_nonce(db):
    response = Client().get("/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    nonce = re.fullmatch(r"'self' 'nonce-([\w-]+)'", directives["script-src"])
    assert nonce, policy
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts
    for tag in scripts:
        assert "src=" in tag and f'nonce="{nonce.group(1)}"' in tag, tag
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


TEMPLATE_DIRS = sorted(ROOT.glob("kontakt/**/templates"))
INLINE = {
    "an inline script": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"),
    "an event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_has_inline_script_or_style():
    found = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            text = template.read_text()
            for what, pattern in INLINE.items():
                if pattern.search(text):
                    found.append(f"{template.relative_to(ROOT)}: {what}")
    assert TEMPLATE_DIRS and found == []


def test_staff_pages_and_api_answers_are_not_stored(db, agent):
    client = Client()
    client.force_login(agent)
    for url in ("/desk/", "/cases/", "/knowledge/", "/api/v1/cases"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    _token, key = api_token_create(user=agent, name="integration")
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/contacts")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_answers_stay_cacheable(db):
    response = Client().get("/answers/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_production_settings_turn_on_hsts_and_host_only_cookies(tmp_path):
    result = run_kontakt(
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(headers={'Host': 'kontakt.kommun.example'})\n"
        "plain = c.get('/login/')\n"
        "page = c.get('/login/', secure=True)\n"
        "probe = c.get('/health/live')\n"
        "cookies = {k: [v['secure'], v['path'], v['domain']] for k, v in page.cookies.items()}\n"
        "print(json.dumps({'redirect': [plain.status_code, plain.get('Location')],\n"
        "    'hsts': page.get('Strict-Transport-Security'), 'probe': probe.status_code,\n"
        "    'cookies': cookies}))\n",
        PRODUCTION_ENVIRONMENT,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["redirect"] == [301, "https://kontakt.kommun.example/login/"]
    assert got["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert got["probe"] == 200  # probes may ask over plain HTTP
    assert got["cookies"] == {"__Host-csrftoken": [True, "/", ""]}


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    result = run_kontakt(
        "from kontakt.cli import main; import sys\n"
        "sys.argv = ['kontakt', 'check', '--deploy', '--fail-level', 'WARNING']\n"
        "main()\n",
        PRODUCTION_ENVIRONMENT,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_documented_production_settings_are_the_tested_ones():
    operations = (ROOT / "docs" / "operations.md").read_text()
    for name in PRODUCTION_ENVIRONMENT:
        assert f"{name}=" in operations, name


# The API's documentation ------------------------------------------------------------------


@pytest.mark.django_db
def test_api_docs_are_for_signed_in_staff_only(agent):
    anonymous = Client()
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/api/v1/docs"
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert response.json()["errors"] == {}

    no_role = Client()
    no_role.force_login(UserFactory.create())
    assert no_role.get("/api/v1/docs").status_code == 403
    assert no_role.get("/api/v1/openapi.json").status_code == 403

    staff = Client()
    staff.force_login(agent)
    assert staff.get("/api/v1/openapi.json").status_code == 200
    _token, key = api_token_create(user=agent, name="integration")
    by_token = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/openapi.json")
    assert by_token.status_code == 200


@pytest.mark.django_db
def test_swagger_ui_comes_from_our_own_static_files(agent):
    client = Client()
    client.force_login(agent)
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert all(source.startswith("/") for source in sources), sources
    assert "cdn" not in page.lower()


# Logs -------------------------------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_development_server_logs_no_query_strings():
    logger = logging.getLogger("django.server")
    collect = Collect()
    logger.addHandler(collect)
    try:
        log_message(
            logger, '"%s" %s %s', "GET /desk/?q=19121212-1212 HTTP/1.1", "200", "512", request=None
        )
    finally:
        logger.removeHandler(collect)
    assert collect.lines == ['"GET /desk/ HTTP/1.1" 200 512']


def test_gunicorn_serves_and_logs_no_query_strings(tmp_path):
    """`make run`'s server, for real: it answers, reloads on HUP without dropping out, and its
    access log has the path but not the query string of a search."""
    log = tmp_path / "gunicorn.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "KONTAKT_", "WEB_CONCURRENCY"))
    }
    env |= {"KONTAKT_VAR_DIR": str(tmp_path), "KONTAKT_BIND": "127.0.0.1:0"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as output:
        server = subprocess.Popen(
            [gunicorn, "--config", "gunicorn.conf.py", "kontakt.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = wait_for(log, r"Listening at: (http://127\.0\.0\.1:\d+)")
        assert "Using worker: gthread" in log.read_text()
        with urllib.request.urlopen(f"{base}/health/live", timeout=60) as response:
            assert json.load(response) == {"status": "ok"}
        with pytest.raises(urllib.error.HTTPError):  # to the login page, which is not there
            request = urllib.request.Request(f"{base}/desk/?q=19121212-1212")
            urllib.request.build_opener(NoRedirect).open(request, timeout=60)
        server.send_signal(1)  # SIGHUP: new workers, the old ones finish
        wait_for(log, r"Handling signal: hup")
        with urllib.request.urlopen(f"{base}/health/live", timeout=60) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert '"GET /desk/ HTTP/1.1" 302' in text
    assert "19121212" not in text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_for(log: Path, pattern: str) -> str:
    """The first group (or the match) of `pattern` once the log has it; 60 s at most."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text())
        if found:
            return found.group(1) if found.groups() else found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"not in the log: {pattern}\n{log.read_text()}")
