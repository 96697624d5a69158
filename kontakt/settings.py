"""Settings, read from the environment.

With nothing set, Kontakt runs embedded: SQLite in WAL mode at var/kontakt.sqlite3 and a
database-backed task queue. DATABASE_URL selects PostgreSQL; REDIS_URL moves the cache,
live state and the task queue to Redis with separate worker processes.
"""

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, TypedDict

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from psycopg_pool import ConnectionPool

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
    "kontakt.web.apps.AdminConfig",  # django.contrib.admin with the site of kontakt.web.admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    # Only for its templates and static files: the API's viewer is served from here, not a CDN.
    "ninja",
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
    "kontakt.switchboard",
    "kontakt.portal",
    "kontakt.open311",
    "kontakt.mail",
    "kontakt.sms",
    "kontakt.chat",
    "kontakt.letters",
    "kontakt.demo",
    "kontakt.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kontakt.web.api.api_body_limit",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kontakt.web.middleware.no_store_when_signed_in",
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
                "django.template.context_processors.csp",
                "kontakt.accounts.context_processors.staff_roles",
                "kontakt.telephony.context_processors.crisis",
                "kontakt.switchboard.context_processors.switchboard",
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


def databases_from_env(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """DATABASES from DATABASE_URL (or the embedded SQLite file without it).

    SQLite gets SQLITE_OPTIONS however it is named, KONTAKT_SQLITE_PATH or a sqlite:// URL.
    PostgreSQL gets a bounded connection pool per process (Django's, on psycopg_pool):
    DATABASE_POOL_MIN_SIZE connections kept open, at most DATABASE_POOL_MAX_SIZE, a request
    waiting DATABASE_POOL_TIMEOUT seconds for one before it fails, idle ones above the
    minimum closed after DATABASE_POOL_MAX_IDLE seconds, each checked before use so that a
    restarted server is reconnected to. DATABASE_POOL_MAX_SIZE=0 turns the pool off (behind
    pgbouncer), and DATABASE_CONN_MAX_AGE then keeps a connection per thread that long.
    """
    url = environ.get("DATABASE_URL", "")
    if not url:
        default: dict[str, Any] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
        }
    else:
        default = dict(dj_database_url.parse(url))
    # Lets concurrent test runs on one server keep apart (default: test_<NAME>).
    test_name = environ.get("KONTAKT_TEST_DATABASE_NAME") or None
    if default["ENGINE"] == "django.db.backends.sqlite3":
        default.update(OPTIONS={**SQLITE_OPTIONS, **default.get("OPTIONS", {})}, CONN_MAX_AGE=0)
        test_name = environ.get("KONTAKT_SQLITE_TEST_PATH") or None
    elif default["ENGINE"] == "django.db.backends.postgresql":
        pool_max = int(environ.get("DATABASE_POOL_MAX_SIZE", "4"))
        if pool_max > 0:
            default["OPTIONS"] = {
                **default.get("OPTIONS", {}),
                "pool": {
                    "min_size": min(pool_max, int(environ.get("DATABASE_POOL_MIN_SIZE", "1"))),
                    "max_size": pool_max,
                    "timeout": float(environ.get("DATABASE_POOL_TIMEOUT", "10")),
                    "max_idle": float(environ.get("DATABASE_POOL_MAX_IDLE", "300")),
                    "check": ConnectionPool.check_connection,
                },
            }
            # A pooled connection goes back to the pool after each request.
            default.update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
        else:
            default.update(
                CONN_MAX_AGE=int(environ.get("DATABASE_CONN_MAX_AGE", "0")),
                CONN_HEALTH_CHECKS=True,
            )
    default["TEST"] = {"NAME": test_name}
    return {"default": default}


DATABASES = databases_from_env(os.environ)

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

# Brute-force lockout (django-axes) and TOTP second factor (django-otp) for the roles that
# configure and oversee (kontakt/accounts/signin.py). Added here, so the rest of the lists
# stay as they are: axes' middleware last, OTP's right after Django's authentication.
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "kontakt.accounts.signin.SecondFactorMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out sign-in before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 first: new passwords get it, older hashes are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "login"

# Lockout. Many agents share one office address, so a person's typos lock only that user
# name from that address; the user name from every address, and the address for every user
# name, have limits of their own, high enough for a whole office's typos in one cool-off.
AXES_HANDLER = "kontakt.accounts.signin.LockoutHandler"
KONTAKT_LOGIN_LIMITS = {
    "username+ip_address": int(os.environ.get("KONTAKT_LOGIN_FAILURES_PER_USER_AND_ADDRESS", 5)),
    "username": int(os.environ.get("KONTAKT_LOGIN_FAILURES_PER_USER", 20)),
    "ip_address": int(os.environ.get("KONTAKT_LOGIN_FAILURES_PER_ADDRESS", 100)),
}
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_FAILURE_LIMIT = KONTAKT_LOGIN_LIMITS["username+ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KONTAKT_LOGIN_COOLOFF_MINUTES", 15)))
# The cool-off runs from the failure that locked, not from each try while locked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful sign-in clears that user name's failures (its own typos no longer count).
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kontakt.accounts.signin.locked_out"
# The client's address is REMOTE_ADDR, or behind this many reverse proxies the one the
# outermost proxy added to X-Forwarded-For (never an entry a client can write).
KONTAKT_PROXY_COUNT = int(os.environ.get("KONTAKT_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "kontakt.accounts.signin.client_address"
# Logged with user name and address (the password never: axes leaves it out always).
AXES_SENSITIVE_PARAMETERS: list[str] = []

# A second factor (TOTP) for supervisors and administrators before any staff page.
KONTAKT_MFA_REQUIRED = env_bool("KONTAKT_MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = os.environ.get("KONTAKT_MUNICIPALITY_NAME", "Kontakt")

# A session ends after this long without a request (a working shift by default). A request
# renews it once this many seconds have passed since the last renewal (a write; not each
# request, which would make every page view a write).
SESSION_COOKIE_AGE = int(os.environ.get("KONTAKT_SESSION_IDLE_MINUTES", 8 * 60)) * 60
KONTAKT_SESSION_RENEW_SECONDS = min(300, SESSION_COOKIE_AGE // 10)
MIDDLEWARE.insert(
    MIDDLEWARE.index("kontakt.accounts.signin.SecondFactorMiddleware") + 1,
    "kontakt.accounts.signin.SessionRenewalMiddleware",
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Security: HTTPS, headers and cookies ----------------------------------------------------

# SECURE_COOKIES=true says the site is served over HTTPS (docs/operations.md): cookies then
# travel only over HTTPS under __Host- names (no Domain, Path=/, Secure: no other host of the
# municipality can set or read them), and browsers are told to use HTTPS only (HSTS).
HTTPS = env_bool("SECURE_COOKIES", default=False)
if HTTPS:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Off by default: behind a proxy the redirect needs the proxy's X-Forwarded-Proto trusted
# (gunicorn trusts it from FORWARDED_ALLOW_IPS, 127.0.0.1 by default). Probes may use HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only the pages' own files: no inline script, style or event handler, nothing from another
# origin. Script tags carry the request's nonce as well ({{ csp_nonce }}); designsystemet's
# icons are data: URLs in its CSS.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

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
    METHOD: str
    BODY: str
    WEBHOOK_SECRET: str
    WEBHOOK_MAX_AGE_SECONDS: int
    ANSWER_GROUP: str


class MailSettings(TypedDict):
    DROP_DIR: str
    POLL_SECONDS: int
    WEBHOOK_TOKEN: str
    MESSAGE_MAX_BYTES: int
    DOMAIN: str


class ChatSettings(TypedDict):
    ENABLED: bool
    MAX_WAIT_SECONDS: int
    ANSWER_GROUP: str
    STARTS_PER_ADDRESS_PER_HOUR: int
    MESSAGES_PER_ADDRESS_PER_MINUTE: int
    MESSAGE_MAX_CHARS: int


class LettersSettings(TypedDict):
    SCAN_DIR: str
    OCR_LANGUAGES: str
    MAX_BYTES: int
    MAX_PAGES: int
    READ_TIMEOUT_SECONDS: float
    IMPORT_BATCH: int
    IMPORT_MINUTES: int


class LiveSettings(TypedDict):
    BACKEND: str
    REDIS_URL: str
    KEY_PREFIX: str
    BUFFER: int
    RESUME_SECONDS: int
    STREAM_SECONDS: float
    HEARTBEAT_SECONDS: float


class CalendarSettings(TypedDict):
    POLL_MINUTES: float
    WINDOW_PAST_DAYS: int
    WINDOW_DAYS: int
    TIMEOUT_SECONDS: float
    MAX_BYTES: int


class TimeWindowSettings(TypedDict):
    EARLIEST_YEAR: int
    LATEST_YEAR: int


class SwitchboardSettings(TypedDict):
    TRANSFER_RING_SECONDS: int
    NUMBER: str
    SKILL: str
    MESSAGE_ESCALATE_HOURS: float


class WebFormSettings(TypedDict):
    ATTACHMENTS_MAX: int
    PER_ADDRESS_PER_HOUR: int
    PER_NETWORK_PER_HOUR: int
    CHALLENGE_BITS: int


class MyPagesSettings(TypedDict):
    LINK_DAYS: int
    SIGN_IN_LINK_MINUTES: int
    PER_ADDRESS_PER_HOUR: int
    PER_CLIENT_PER_HOUR: int


class EidSettings(TypedDict):
    NAME: str
    ISSUER: str
    CLIENT_ID: str
    CLIENT_SECRET: str
    IDENTITY_CLAIM: str
    SCOPES: str
    ACR_VALUES: str


class NoticeSettings(TypedDict):
    RETRY_MINUTES: list[int]
    SLA_WARNING_HOURS: float
    DIGEST_HOUR: int
    SURVEY_AFTER_CONTACT: bool


class Open311Settings(TypedDict):
    JURISDICTION_ID: str
    MAX_REQUESTS: int
    DEFAULT_DAYS: int


class KontaktSettings(TypedDict):
    """The shape of KONTAKT, so that its readers get typed values."""

    MUNICIPALITY_NAME: str
    SITE_URL: str
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
    TIME_WINDOW: TimeWindowSettings
    API_MAX_BODY_BYTES: int
    RESIDENT_LANGUAGES: list[str]
    ATTACHMENT_CLAMAV_SOCKET: str
    ATTACHMENT_CLAMAV_TIMEOUT: float
    SWITCHBOARD: SwitchboardSettings
    CALENDARS: CalendarSettings
    WEB_FORM: WebFormSettings
    MY_PAGES: MyPagesSettings
    EID: EidSettings
    NOTICES: NoticeSettings
    OPEN311: Open311Settings
    MAIL: MailSettings
    CHAT: ChatSettings
    LETTERS: LettersSettings


KONTAKT: KontaktSettings = {
    # The municipality's name on residents' pages.
    "MUNICIPALITY_NAME": os.environ.get("KONTAKT_MUNICIPALITY_NAME", "Kommunen"),
    # Where Kontakt is served, for links in e-mail and SMS (no trailing slash).
    "SITE_URL": os.environ.get("KONTAKT_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
    # How residents reach the contact center, shown when an answer is not found.
    "CENTER_PHONE": os.environ.get("KONTAKT_CENTER_PHONE", ""),
    "CENTER_EMAIL": os.environ.get("KONTAKT_CENTER_EMAIL", ""),
    # Prefix of case references: KC-2026-000123.
    "CASE_REFERENCE_PREFIX": os.environ.get("KONTAKT_CASE_PREFIX", "KC"),
    # Public holidays of this country close the center (holidays package: SE or NO).
    "HOLIDAY_COUNTRY": os.environ.get("KONTAKT_HOLIDAY_COUNTRY", "SE"),
    # Languages a resident may prefer (ISO 639-1 codes): the center answers in them, itself
    # or with an interpreter. The first is the default of a new resident.
    "RESIDENT_LANGUAGES": env_list("KONTAKT_RESIDENT_LANGUAGES", "sv,nb,en,ar,so,fi"),
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
        # A URL with {to}, {sender}, {text} is a template (docs/sms.md): asked by METHOD,
        # GET or POST with the BODY template as a form.
        "METHOD": os.environ.get("KONTAKT_SMS_METHOD", "GET"),
        "BODY": os.environ.get("KONTAKT_SMS_BODY", ""),
        # Inbound messages and delivery receipts (kontakt/sms): the gateway signs each
        # webhook with this shared secret (HMAC-SHA256); without one the webhooks are off.
        "WEBHOOK_SECRET": os.environ.get("KONTAKT_SMS_WEBHOOK_SECRET", ""),
        # A signed webhook older (or further ahead) than this is refused as a replay.
        "WEBHOOK_MAX_AGE_SECONDS": int(os.environ.get("KONTAKT_SMS_WEBHOOK_MAX_AGE", 300)),
        # The answer group (code) that new text messages are queued in; empty: the first
        # active group by name.
        "ANSWER_GROUP": os.environ.get("KONTAKT_SMS_ANSWER_GROUP", ""),
    },
    # E-mail in and out (kontakt/mail, docs/mail.md). Mailboxes read by IMAP are set in
    # admin; with none, the embedded default reads `.eml` files dropped in DROP_DIR.
    "MAIL": {
        "DROP_DIR": os.environ.get("KONTAKT_MAIL_DROP_DIR", str(VAR_DIR / "mail-drop")),
        "POLL_SECONDS": int(os.environ.get("KONTAKT_MAIL_POLL_SECONDS", 60)),
        "WEBHOOK_TOKEN": os.environ.get("KONTAKT_MAIL_WEBHOOK_TOKEN", ""),
        # A message larger than this is refused by the webhook (413) and, read from a
        # mailbox, kept whole but quarantined for an administrator.
        "MESSAGE_MAX_BYTES": int(os.environ.get("KONTAKT_MAIL_MESSAGE_MAX_BYTES", 50 * 2**20)),
        # The domain of the Message-IDs of mail sent (default: SITE_URL's host).
        "DOMAIN": os.environ.get("KONTAKT_MAIL_DOMAIN", ""),
    },
    # Web chat for residents (kontakt/chat, docs/chat.md).
    "CHAT": {
        "ENABLED": env_bool("KONTAKT_CHAT_ENABLED", True),
        # Beyond this estimated wait the widget offers the web form instead.
        "MAX_WAIT_SECONDS": int(os.environ.get("KONTAKT_CHAT_MAX_WAIT_SECONDS", 600)),
        # The answer group (its code) that takes chats; its routing skill decides who may,
        # and the language the resident chose who can.
        "ANSWER_GROUP": os.environ.get("KONTAKT_CHAT_ANSWER_GROUP", "chatt"),
        # Per address: chats started an hour, messages sent a minute (all of its chats).
        "STARTS_PER_ADDRESS_PER_HOUR": int(os.environ.get("KONTAKT_CHAT_STARTS_PER_HOUR", 10)),
        "MESSAGES_PER_ADDRESS_PER_MINUTE": int(
            os.environ.get("KONTAKT_CHAT_MESSAGES_PER_MINUTE", 30)
        ),
        "MESSAGE_MAX_CHARS": 2000,
    },
    # Letters and scans (kontakt/letters, docs/letters.md).
    "LETTERS": {
        "SCAN_DIR": os.environ.get("KONTAKT_LETTERS_SCAN_DIR", str(VAR_DIR / "scans")),
        "OCR_LANGUAGES": os.environ.get("KONTAKT_LETTERS_OCR_LANGUAGES", "swe+nor+eng"),
        # A scan larger than this is refused (the same as an attachment by default: a
        # registered letter is attached to its case).
        "MAX_BYTES": int(
            os.environ.get(
                "KONTAKT_LETTERS_MAX_BYTES",
                os.environ.get("KONTAKT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
            )
        ),
        # Pages read of one letter (text or OCR); the rest is left unread and said so.
        "MAX_PAGES": int(os.environ.get("KONTAKT_LETTERS_MAX_PAGES", 50)),
        # The longest one program (pdftotext, pdftoppm, tesseract) may run on one page.
        "READ_TIMEOUT_SECONDS": float(os.environ.get("KONTAKT_LETTERS_READ_TIMEOUT", 120)),
        # Files taken from the scanner's folder per round, and how often the round runs.
        "IMPORT_BATCH": int(os.environ.get("KONTAKT_LETTERS_IMPORT_BATCH", 50)),
        "IMPORT_MINUTES": int(os.environ.get("KONTAKT_LETTERS_IMPORT_MINUTES", 5)),
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
    # Times are stored only from the first to the last of these years (UTC): a time outside
    # is refused with a field error by the API and the forms.
    "TIME_WINDOW": {
        "EARLIEST_YEAR": int(os.environ.get("KONTAKT_TIME_WINDOW_EARLIEST_YEAR", 1970)),
        "LATEST_YEAR": int(os.environ.get("KONTAKT_TIME_WINDOW_LATEST_YEAR", 2100)),
    },
    # An API request with a larger body is refused (413) before the body is read.
    "API_MAX_BODY_BYTES": int(os.environ.get("KONTAKT_API_MAX_BODY_BYTES", 2 * 1024 * 1024)),
    # clamd that scans every attachment before it is stored: a unix socket path
    # (/run/clamav/clamd.ctl) or host:port. Empty: no scan. When set and clamd does not
    # answer within the timeout (seconds), the upload is refused: the check fails closed.
    "ATTACHMENT_CLAMAV_SOCKET": os.environ.get("KONTAKT_CLAMAV_SOCKET", "").strip(),
    "ATTACHMENT_CLAMAV_TIMEOUT": float(os.environ.get("KONTAKT_CLAMAV_TIMEOUT", 60)),
    # The municipality's switchboard (kontakt/switchboard, kontakt/directory).
    "SWITCHBOARD": {
        # A transferred call nobody answers comes back to the operator after this long.
        "TRANSFER_RING_SECONDS": int(
            os.environ.get("KONTAKT_SWITCHBOARD_TRANSFER_RING_SECONDS", 20)
        ),
        # The switchboard's own number: where a direct call falls back to.
        "NUMBER": os.environ.get("KONTAKT_SWITCHBOARD_NUMBER", ""),
        # The routing skill of the switchboard's answer groups: their calls open the
        # operator's console instead of a resident.
        "SKILL": os.environ.get("KONTAKT_SWITCHBOARD_SKILL", "switchboard"),
        # An open message nobody acted on goes to the unit's contact after this long.
        "MESSAGE_ESCALATE_HOURS": float(
            os.environ.get("KONTAKT_SWITCHBOARD_MESSAGE_ESCALATE_HOURS", 24)
        ),
    },
    # Published calendars (iCalendar) read into absences (kontakt/directory/calendars.py).
    "CALENDARS": {
        # How often the scheduler reads every feed with a URL.
        "POLL_MINUTES": float(os.environ.get("KONTAKT_CALENDARS_POLL_MINUTES", 15)),
        # The events read: from this many days back to this many days ahead.
        "WINDOW_PAST_DAYS": int(os.environ.get("KONTAKT_CALENDARS_WINDOW_PAST_DAYS", 1)),
        "WINDOW_DAYS": int(os.environ.get("KONTAKT_CALENDARS_WINDOW_DAYS", 60)),
        # A feed's server must answer within this time, with at most this many bytes.
        "TIMEOUT_SECONDS": float(os.environ.get("KONTAKT_CALENDARS_TIMEOUT_SECONDS", 10)),
        "MAX_BYTES": int(os.environ.get("KONTAKT_CALENDARS_MAX_BYTES", 5 * 1024 * 1024)),
    },
    # The residents' web form (kontakt/portal): files per submission, submissions an hour
    # from one address and from one network (/24 for IPv4, /56 for IPv6), and the work
    # the browser's proof-of-work challenge asks (leading zero bits of a SHA-256).
    "WEB_FORM": {
        "ATTACHMENTS_MAX": int(os.environ.get("KONTAKT_WEB_FORM_ATTACHMENTS_MAX", 5)),
        "PER_ADDRESS_PER_HOUR": int(os.environ.get("KONTAKT_WEB_FORM_PER_ADDRESS", 10)),
        "PER_NETWORK_PER_HOUR": int(os.environ.get("KONTAKT_WEB_FORM_PER_NETWORK", 60)),
        "CHALLENGE_BITS": int(os.environ.get("KONTAKT_WEB_FORM_CHALLENGE_BITS", 18)),
    },
    # My pages: how long a private link to a case lives, how long an e-mailed sign-in link
    # works, and how many sign-in links one address may ask for an hour.
    "MY_PAGES": {
        "LINK_DAYS": int(os.environ.get("KONTAKT_MY_PAGES_LINK_DAYS", 365)),
        "SIGN_IN_LINK_MINUTES": int(os.environ.get("KONTAKT_MY_PAGES_SIGN_IN_MINUTES", 30)),
        "PER_ADDRESS_PER_HOUR": int(os.environ.get("KONTAKT_MY_PAGES_PER_ADDRESS", 20)),
        # Private links, sign-in links and survey links one client address may try an hour.
        "PER_CLIENT_PER_HOUR": int(os.environ.get("KONTAKT_MY_PAGES_PER_CLIENT", 60)),
    },
    # Strong sign-in for residents by e-ID through OpenID Connect (a BankID/Freja broker,
    # ID-porten); off while ISSUER is empty. IDENTITY_CLAIM names the claim holding the
    # personal identity number (ID-porten: "pid"; many brokers: "personal_identity_number").
    "EID": {
        "NAME": os.environ.get("KONTAKT_EID_NAME", "e-ID"),
        "ISSUER": os.environ.get("KONTAKT_EID_ISSUER", "").rstrip("/"),
        "CLIENT_ID": os.environ.get("KONTAKT_EID_CLIENT_ID", ""),
        "CLIENT_SECRET": os.environ.get("KONTAKT_EID_CLIENT_SECRET", ""),
        "IDENTITY_CLAIM": os.environ.get("KONTAKT_EID_IDENTITY_CLAIM", "pid"),
        "SCOPES": os.environ.get("KONTAKT_EID_SCOPES", "openid profile"),
        # The level of assurance asked for, when the provider wants one named
        # (ID-porten: "idporten-loa-high"); empty asks for the provider's default.
        "ACR_VALUES": os.environ.get("KONTAKT_EID_ACR_VALUES", ""),
    },
    # Notices by e-mail and SMS (kontakt/cases/notices.py): minutes between attempts (the
    # last is the final one), how long before the due time handlers are warned, the local
    # hour departments that chose a digest get theirs, and whether a contact closed at
    # first contact also asks the resident the satisfaction question.
    "NOTICES": {
        "RETRY_MINUTES": [int(m) for m in env_list("KONTAKT_NOTICE_RETRY_MINUTES", "1,5,30,120")],
        "SLA_WARNING_HOURS": float(os.environ.get("KONTAKT_SLA_WARNING_HOURS", 4)),
        "DIGEST_HOUR": int(os.environ.get("KONTAKT_NOTICE_DIGEST_HOUR", 7)),
        "SURVEY_AFTER_CONTACT": env_bool("KONTAKT_SURVEY_AFTER_CONTACT"),
    },
    # Open311 GeoReport v2 (kontakt/open311): the jurisdiction this server answers for, and
    # the spec's defaults for a listing: at most this many requests, from this many days back.
    "OPEN311": {
        "JURISDICTION_ID": os.environ.get("KONTAKT_OPEN311_JURISDICTION", "kommun.example"),
        "MAX_REQUESTS": 1000,
        "DEFAULT_DAYS": 90,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The development server's request lines without their query strings (searches hold
    # identity numbers); otherwise as Django logs them.
    "filters": {"drop_query_string": {"()": "kontakt.web.logs.DropQueryString"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "kontakt": {"level": os.environ.get("KONTAKT_LOG_LEVEL", "INFO")},
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["drop_query_string"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
