"""Settings, read from the environment.

With nothing set, Kontakt runs embedded: SQLite in WAL mode at var/kontakt.sqlite3 and a
database-backed task queue. DATABASE_URL selects PostgreSQL; REDIS_URL moves the cache,
live state and the task queue to Redis with separate worker processes.
"""

import os
import secrets
from pathlib import Path
from typing import TypedDict

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KONTAKT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)


def embedded_secret_key() -> str:
    """A random key kept in var/ for the embedded default; production sets SECRET_KEY."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if os.environ.get("DATABASE_URL") and not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    SECRET_KEY = embedded_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "kontakt.accounts",
    "kontakt.directory",
    "kontakt.residents",
    "kontakt.cases",
    "kontakt.intake",
    "kontakt.desk",
    "kontakt.staffing",
    "kontakt.knowledge",
    "kontakt.live",
    "kontakt.telephony",
    "kontakt.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kontakt.urls"
WSGI_APPLICATION = "kontakt.wsgi.application"
ASGI_APPLICATION = "kontakt.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kontakt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kontakt.accounts.context_processors.staff_roles",
                "kontakt.telephony.context_processors.crisis",
            ],
        },
    },
]

# Databases -------------------------------------------------------------------------------

SQLITE_PATH = Path(os.environ.get("KONTAKT_SQLITE_PATH", VAR_DIR / "kontakt.sqlite3"))
SQLITE_OPTIONS = {
    # WAL lets readers run beside the one writer; FULL makes every commit durable.
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA temp_store=MEMORY;"
        "PRAGMA cache_size=-65536;"
        "PRAGMA mmap_size=268435456;"
    ),
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
    # Lets concurrent test runs on one server keep apart (default: test_<NAME>).
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("KONTAKT_TEST_DATABASE_NAME")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": SQLITE_OPTIONS,
            "TEST": {"NAME": os.environ.get("KONTAKT_SQLITE_TEST_PATH") or None},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Cache, live state and tasks -------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kontakt",
        }
    }
    INSTALLED_APPS += ["django_rq", "django_tasks", "django_tasks_rq"]
    RQ_QUEUES = {name: {"URL": REDIS_URL} for name in ("default", "notifications")}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default", "notifications"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {
        "default": {
            "BACKEND": os.environ.get("KONTAKT_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
            "QUEUES": ["default", "notifications"],
        }
    }

# Authentication --------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Languages -------------------------------------------------------------------------------

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "sv")
LANGUAGES = [("sv", _("Swedish")), ("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kontakt" / "locale"]
FORMAT_MODULE_PATH = ["kontakt.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

# Static files and uploads ----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "kontakt" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/designsystemet", NODE_MODULES / "@digdir" / "designsystemet-css" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve from the finders too, so a checkout works before collectstatic has run.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# First, a handler that stops keeping a file at the most its view takes (attachments:
# KONTAKT["ATTACHMENT_MAX_BYTES"]), so an upload too large is refused without being kept.
FILE_UPLOAD_HANDLERS = [
    "kontakt.cases.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# E-mail to residents ---------------------------------------------------------------------

MAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
if MAIL_BACKEND.endswith("filebased.EmailBackend"):
    # The embedded default writes each message to var/outbox instead of sending it.
    MAIL_OPTIONS: dict[str, object] = {"file_path": str(VAR_DIR / "outbox")}
elif MAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAIL_OPTIONS = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS"),
    }
else:
    MAIL_OPTIONS = {}
MAILERS = {"default": {"BACKEND": MAIL_BACKEND, "OPTIONS": MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kontakt@kommun.example")

# Kontakt ---------------------------------------------------------------------------------


class StaffingSettings(TypedDict):
    SERVICE_LEVEL: float
    ANSWER_SECONDS: float
    SHRINKAGE: float
    PATIENCE_SECONDS: float | None


class KnowledgeSettings(TypedDict):
    LANGUAGES: list[str]
    FLAG_DUE_DAYS: int
    CORRECT_BELOW: int


class TelephonySettings(TypedDict):
    SHORT_ABANDON_SECONDS: float
    SERVICE_LEVEL_SECONDS: list[int]
    RING_SECONDS: int
    WRAP_UP_SECONDS: int
    AGING_SECONDS: float


class SmsSettings(TypedDict):
    BACKEND: str
    FILE_PATH: str
    URL: str
    TOKEN: str
    SENDER: str


class LiveSettings(TypedDict):
    BACKEND: str
    REDIS_URL: str
    KEY_PREFIX: str
    BUFFER: int
    RESUME_SECONDS: int
    STREAM_SECONDS: float
    HEARTBEAT_SECONDS: float


class KontaktSettings(TypedDict):
    """The shape of KONTAKT, so that its readers get typed values."""

    MUNICIPALITY_NAME: str
    CENTER_PHONE: str
    CENTER_EMAIL: str
    CASE_REFERENCE_PREFIX: str
    HOLIDAY_COUNTRY: str
    STAFFING: StaffingSettings
    KNOWLEDGE: KnowledgeSettings
    TELEPHONY: TelephonySettings
    SMS: SmsSettings
    LIVE: LiveSettings
    ATTACHMENT_MAX_BYTES: int
    ATTACHMENT_CONTENT_TYPES: list[str]
    ATTACHMENT_CLAMAV_SOCKET: str
    ATTACHMENT_CLAMAV_TIMEOUT: float


KONTAKT: KontaktSettings = {
    # The municipality's name on residents' pages.
    "MUNICIPALITY_NAME": os.environ.get("KONTAKT_MUNICIPALITY_NAME", "Kommunen"),
    # How residents reach the contact center, shown when an answer is not found.
    "CENTER_PHONE": os.environ.get("KONTAKT_CENTER_PHONE", ""),
    "CENTER_EMAIL": os.environ.get("KONTAKT_CENTER_EMAIL", ""),
    # Prefix of case references: KC-2026-000123.
    "CASE_REFERENCE_PREFIX": os.environ.get("KONTAKT_CASE_PREFIX", "KC"),
    # Public holidays of this country close the center (holidays package: SE or NO).
    "HOLIDAY_COUNTRY": os.environ.get("KONTAKT_HOLIDAY_COUNTRY", "SE"),
    # The service goal the staffing plan starts from; supervisors change it on the page.
    "STAFFING": {
        "SERVICE_LEVEL": float(os.environ.get("KONTAKT_SERVICE_LEVEL", 0.8)),
        "ANSWER_SECONDS": float(os.environ.get("KONTAKT_ANSWER_SECONDS", 20)),
        "SHRINKAGE": float(os.environ.get("KONTAKT_SHRINKAGE", 0.3)),
        "PATIENCE_SECONDS": None,
    },
    "KNOWLEDGE": {
        # Languages articles are written in; the first is the default of a new article.
        "LANGUAGES": env_list("KONTAKT_KNOWLEDGE_LANGUAGES", "sv,nb,en"),
        # Days an article's owner has to act on a flag.
        "FLAG_DUE_DAYS": int(os.environ.get("KONTAKT_FLAG_DUE_DAYS", 5)),
        # A search that finds fewer articles than this also tries spelling corrections.
        "CORRECT_BELOW": 3,
    },
    "TELEPHONY": {
        # A caller who hangs up within this many seconds is a short abandon, not offered.
        "SHORT_ABANDON_SECONDS": float(os.environ.get("KONTAKT_SHORT_ABANDON_SECONDS", 5)),
        # Service level is given at these answer times (seconds); 20 and 30 always.
        "SERVICE_LEVEL_SECONDS": sorted(
            {20, 30, *(int(s) for s in env_list("KONTAKT_SERVICE_LEVEL_SECONDS"))}
        ),
        # An offered agent who does not answer within this time is free again.
        "RING_SECONDS": int(os.environ.get("KONTAKT_RING_SECONDS", 20)),
        # Wrap-up after a call, for answer groups without their own.
        "WRAP_UP_SECONDS": int(os.environ.get("KONTAKT_WRAP_UP_SECONDS", 30)),
        # A waiting contact gains one priority class per this many seconds.
        "AGING_SECONDS": float(os.environ.get("KONTAKT_AGING_SECONDS", 60)),
    },
    # Text messages to residents (kontakt/residents/sms.py): file, http or memory.
    "SMS": {
        "BACKEND": os.environ.get("KONTAKT_SMS_BACKEND", "file"),
        "FILE_PATH": str(VAR_DIR / "sms-outbox"),
        "URL": os.environ.get("KONTAKT_SMS_URL", ""),
        "TOKEN": os.environ.get("KONTAKT_SMS_TOKEN", ""),
        "SENDER": os.environ.get("KONTAKT_SMS_SENDER", "Kommunen"),
    },
    # Live push to staff browsers (kontakt/live/bus.py): "memory" reaches this process only,
    # "redis" every process through Redis Streams under KEY_PREFIX.
    "LIVE": {
        "BACKEND": os.environ.get("KONTAKT_LIVE_BACKEND", "redis" if REDIS_URL else "memory"),
        "REDIS_URL": REDIS_URL,
        "KEY_PREFIX": os.environ.get("KONTAKT_LIVE_KEY_PREFIX", "kontakt:live:"),
        # Messages kept per topic, and how old a missed one may be to be replayed to a
        # browser that reconnects.
        "BUFFER": 1000,
        "RESUME_SECONDS": 60,
        # One events response lasts this long (the browser reconnects), with a comment line
        # after this long without a message.
        "STREAM_SECONDS": float(os.environ.get("KONTAKT_LIVE_STREAM_SECONDS", 300)),
        "HEARTBEAT_SECONDS": 15,
    },
    # Attachments on cases: the largest file, and the types allowed as read from the file's
    # content (kontakt/cases/attachments.py), never from its name or declared type.
    "ATTACHMENT_MAX_BYTES": int(os.environ.get("KONTAKT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)),
    "ATTACHMENT_CONTENT_TYPES": env_list(
        "KONTAKT_ATTACHMENT_CONTENT_TYPES",
        "application/pdf,image/jpeg,image/png,image/heic,text/plain,"
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
        "application/vnd.oasis.opendocument.text",
    ),
    # clamd that scans every attachment before it is stored: a unix socket path
    # (/run/clamav/clamd.ctl) or host:port. Empty: no scan. When set and clamd does not
    # answer within the timeout (seconds), the upload is refused: the check fails closed.
    "ATTACHMENT_CLAMAV_SOCKET": os.environ.get("KONTAKT_CLAMAV_SOCKET", "").strip(),
    "ATTACHMENT_CLAMAV_TIMEOUT": float(os.environ.get("KONTAKT_CLAMAV_TIMEOUT", 60)),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"kontakt": {"level": os.environ.get("KONTAKT_LOG_LEVEL", "INFO")}},
}
