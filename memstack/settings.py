"""MemStack settings: one module, configured only through the environment.

Unset variables give the embedded defaults (SQLite under var/, a filesystem
Celery broker, events bridged through the database), so a fresh checkout runs
with no services. See README.md for every variable.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from memstack.env import (
    env_bool,
    env_choice,
    env_database,
    env_http_url,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MEMSTACK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- HTTPS -------------------------------------------------------------------
# Behind a proxy that terminates TLS (a load balancer, Caddy, nginx) and sets
# X-Forwarded-Proto: https. Only say so when the proxy strips any such header
# a client sends. Then HTTPS-only behaviour is on by default (unless DEBUG);
# each part can still be set on its own.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_https = BEHIND_HTTPS_PROXY and not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
# A load balancer's probe speaks plain HTTP to the process.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", _https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if _https else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _https)
X_FRAME_OPTIONS = "DENY"
# Pages load scripts only from our own static files (no inline script);
# styles may be inline (the graph library sets them). apps.core.middleware.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
# Failed logins (the login page and the token endpoint) allowed per user name
# and client address within LOGIN_FAILURE_WINDOW_SECONDS; then 429 until it passes.
LOGIN_FAILURES_ALLOWED = env_int("LOGIN_FAILURES_ALLOWED", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=1)
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_eventstream",
    "apps.core",
    "apps.accounts",
    "apps.projects",
    "apps.tasks",
    "apps.memories",
    "apps.graph",
    "apps.agents",
    "apps.recall",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.StaticFilesMiddleware",
    "apps.core.middleware.RequestLimitsMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "memstack.urls"
WSGI_APPLICATION = "memstack.wsgi.application"
ASGI_APPLICATION = "memstack.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------

_db = env_database("DATABASE_URL", str(VAR_DIR / "memstack.sqlite3"))
EMBEDDED_DATABASE = _db["ENGINE"] == "django.db.backends.sqlite3"
if EMBEDDED_DATABASE:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web and worker processes read while the other writes;
    # IMMEDIATE transactions take the write lock up front instead of failing
    # with "database is locked" half-way through.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1))
# Under ASGI every request runs in its own thread; persistent connections
# would be kept one per thread. Closing them at the end of each request (0)
# is the safe default; an SSE stream gives its connection back before it
# starts waiting for events (apps.tasks.streams).
_db["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 0, minimum=0)
_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not EMBEDDED_DATABASE:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is (a shared deployment).")
    # A local, embedded installation keeps a generated key beside its data,
    # so it runs with no configuration and sessions survive a restart.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
# Migrate before serving (for deployments without a release phase), and how
# long a `migrate` waits for another one to finish.
MEMSTACK_AUTO_MIGRATE = env_bool("MEMSTACK_AUTO_MIGRATE", False)
MEMSTACK_MIGRATE_LOCK_TIMEOUT = env_int("MEMSTACK_MIGRATE_LOCK_TIMEOUT", 300, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, Celery and the event bridge ------------------------------------

REDIS_URL = env_redis_url("REDIS_URL")
# The cache holds login failure counts: in Redis they are shared by every web
# process; embedded, each process counts its own.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "memstack"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if REDIS_URL:
    # A late-acked task is redelivered when its worker dies, after the
    # visibility timeout; it must outlast the longest hard time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
else:
    BROKER_DIR = VAR_DIR / "broker"
    BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        # Broadcast (pidbox) messages; kombu's default is ./control.
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # TaskLog is the record of every task
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 20 * 60, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must be greater than CELERY_TASK_SOFT_TIME_LIMIT.")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A worker process runs one task after another in one thread: it keeps its
# database connection this many seconds (CONN_MAX_AGE is the web's), instead
# of connecting anew for every task; a broken one is replaced at the start of
# the next task (memstack/celery.py). Celery's Django fixup would close it
# around every task: it is told to leave that to us (CELERY_DB_REUSE_MAX).
WORKER_CONN_MAX_AGE = env_int("WORKER_CONN_MAX_AGE", 600, minimum=0)
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that enqueues must not hang on a dead broker: fail fast and let
# the caller keep its pending row for the sweeper to enqueue later.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Recovery of stuck work (apps.tasks.services.tasks_sweep): a running task
# beats every TASK_HEARTBEAT_SECONDS; one silent for TASK_STALE_SECONDS is
# queued again, up to TASK_MAX_ATTEMPTS attempts.
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 10, minimum=1)
TASK_STALE_SECONDS = env_int("TASK_STALE_SECONDS", 60, minimum=2)
if TASK_STALE_SECONDS <= TASK_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("TASK_STALE_SECONDS must be greater than TASK_HEARTBEAT_SECONDS.")
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3, minimum=1)
TASK_ENQUEUE_GRACE_SECONDS = env_int("TASK_ENQUEUE_GRACE_SECONDS", 10, minimum=1)
TASK_SWEEP_SECONDS = env_int("TASK_SWEEP_SECONDS", 30, minimum=1)
# /healthz fails when the sweeper (beat, `manage.py sweep_tasks` from cron, or
# a worker's start) last ran longer ago than this.
# A bearer token that shows /healthz's error texts to a monitor (staff see them anyway).
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN")
SWEEPER_LATE_SECONDS = env_int("SWEEPER_LATE_SECONDS", max(3 * TASK_SWEEP_SECONDS, 120), minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep-tasks": {"task": "memstack.sweep_tasks", "schedule": TASK_SWEEP_SECONDS},
    "clean-exports": {"task": "memstack.clean_exports", "schedule": 60 * 60},
    # Memories in a trash longer than MEMORY_TRASH_DAYS are deleted forever.
    "purge-memory-trash": {"task": "memstack.purge_memory_trash", "schedule": 60 * 60},
}

# Events are stored (for replay after a reconnect) and carried to every web
# process by the bridge: Redis pub/sub when REDIS_URL is set, otherwise a
# poll of the stored events that needs no server.
EVENTSTREAM_STORAGE_CLASS = "apps.tasks.eventstorage.EventStorage"
EVENTSTREAM_CHANNELMANAGER_CLASS = "apps.tasks.channels.ProjectChannelManager"
EVENT_BRIDGE = "redis" if REDIS_URL else "database"
# Embedded mode: the poll interval while events flow, doubling while none
# do, up to the maximum (also the longest an idle process takes to notice one).
EVENT_BRIDGE_POLL_SECONDS = 0.1
EVENT_BRIDGE_POLL_MAX_SECONDS = 1.0
# Pushpin (or another GRIP proxy) in front of the web processes holds the
# streams: events are also published to it, and a stream request it proxies
# is answered with GRIP instructions (docs/operations.md). Its publish
# endpoint, with the key it signs requests with, e.g.
# http://127.0.0.1:5561/?iss=pushpin&key=<sig_key>.
GRIP_URL = env_str("GRIP_URL", "") or None
if GRIP_URL:
    MIDDLEWARE.insert(0, "django_grip.GripMiddleware")

# --- Auth, API -------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "accounts:login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous call then gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        # `Authorization: Bearer <key>`: a project API key (apps.agents).
        "apps.agents.authentication.ProjectKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # apps.core.input's rules for JSON (depth, NUL, surrogates, NaN) at one seam.
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "apps.core.api.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MemStack API",
    "DESCRIPTION": "Projects, memories, the knowledge graph and the tasks that build it.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A name of its own for an import item's outcome, apart from the tasks' status.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "apps.tasks.models.Status",
        "ImportOutcomeEnum": "apps.memories.models.ImportOutcome",
    },
}

# --- i18n, static ------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves straight from the app and project folders: no
# collectstatic step in either mode, and no second copy of the files.
WHITENOISE_USE_FINDERS = True

# --- Logging -----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # django-eventstream logs every listener it adds at INFO.
        "django_eventstream": {"level": "WARNING"},
    },
}

# --- Memories and the knowledge graph ----------------------------------------

MEMORY_MAX_CONTENT_CHARS = env_int("MEMORY_MAX_CONTENT_CHARS", 100_000, minimum=1)
# How long a deleted memory stays restorable in its project's trash.
MEMORY_TRASH_DAYS = env_int("MEMORY_TRASH_DAYS", 30, minimum=1)
GRAPH_EXTRACTOR = env_choice("GRAPH_EXTRACTOR", "offline", ("offline", "llm"))
LLM_BASE_URL = env_http_url("LLM_BASE_URL", "http://127.0.0.1:11434/v1")
LLM_API_KEY = env_str("LLM_API_KEY")
LLM_MODEL = env_str("LLM_MODEL", "llama3.1")
LLM_TIMEOUT_SECONDS = env_int("LLM_TIMEOUT_SECONDS", 60, minimum=1)
LLM_MAX_RETRIES = env_int("LLM_MAX_RETRIES", 4, minimum=0)
LLM_MAX_CONCURRENCY = env_int("LLM_MAX_CONCURRENCY", 4, minimum=1)
# Batch import: refused whole, with a message, above these.
IMPORT_MAX_ITEMS = env_int("IMPORT_MAX_ITEMS", 5_000, minimum=1)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# Django's own request limits sit above the import's, so that an import page
# over its limit gets our message rather than Django's bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 1_000
# Any request body above this is refused with 413 and a message saying the
# limit (apps.core.middleware); the default leaves room for the largest import
# sent as escaped JSON.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 2 * IMPORT_MAX_BYTES + 1024 * 1024, minimum=1024)
# Exports (apps/memories/exports): files written here, one folder per project,
# kept this long after they were written, then removed (and at once when
# their project is deleted).
EXPORT_DIR = Path(env_str("EXPORT_DIR") or VAR_DIR / "exports")
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 7 * 24, minimum=1)
# How alike two names must be (0-1) to be taken for the same entity.
GRAPH_MATCH_THRESHOLD = env_int("GRAPH_MATCH_THRESHOLD_PERCENT", 90, minimum=50) / 100

# --- Recall (apps/recall): the search index and how its retrievers are fused -------

EMBEDDINGS_BACKEND = env_choice("EMBEDDINGS_BACKEND", "minilm", ("minilm", "wordllama", "openai"))
EMBEDDINGS_BASE_URL = env_http_url("EMBEDDINGS_BASE_URL", "https://api.openai.com/v1")
EMBEDDINGS_API_KEY = env_str("EMBEDDINGS_API_KEY")
EMBEDDINGS_MODEL = env_str("EMBEDDINGS_MODEL", "text-embedding-3-small")
EMBEDDINGS_BATCH_SIZE = env_int("EMBEDDINGS_BATCH_SIZE", 64, minimum=1)
EMBEDDINGS_TIMEOUT_SECONDS = env_int("EMBEDDINGS_TIMEOUT_SECONDS", 30, minimum=1)
EMBEDDINGS_MAX_RETRIES = env_int("EMBEDDINGS_MAX_RETRIES", 4, minimum=0)
EMBEDDINGS_MAX_CONCURRENCY = env_int("EMBEDDINGS_MAX_CONCURRENCY", 2, minimum=1)
# minilm: the threads a process runs the model on (apps.recall.bert).
EMBEDDINGS_THREADS = env_int("EMBEDDINGS_THREADS", 1, minimum=1)


def _recall_weights(name: str, default: str) -> dict[str, float]:
    raw = env_str(name, default)
    weights = {"lexical": 0.0, "dense": 0.0, "graph": 0.0, "time": 0.0}
    for item in raw.split(","):
        key, _, value = item.partition("=")
        try:
            if key.strip() not in weights:
                raise ValueError(key)
            weights[key.strip()] = float(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must look like 'lexical=1,dense=1,graph=0.5,time=0.5', not {raw!r}."
            ) from None
    return weights


# Reciprocal rank fusion: a memory scores sum(weight / (RECALL_RRF_K + rank)) over the retrievers that found it.
RECALL_WEIGHTS = _recall_weights("RECALL_WEIGHTS", "lexical=1,dense=0.5,graph=0.5,time=0.5")
RECALL_RRF_K = env_int("RECALL_RRF_K", 60, minimum=1)
# How many passages the lexical and dense retrievers each hand to the fusion.
RECALL_CANDIDATES = env_int("RECALL_CANDIDATES", 50, minimum=10)
