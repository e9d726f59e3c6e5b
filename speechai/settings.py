"""
Settings for the SpeechAI back office, read from the environment (12-factor).

See README.md ("Configuration") for every variable. Insecure production
combinations are refused when the server starts (speechai/production.py).
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# A well-known key for development only; production.py refuses it.
DEVELOPMENT_SECRET_KEY = "django-insecure-speechai-development-only"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# Opens the API to anonymous callers (e.g. the React frontend's mock token)
# for local development. Off unless set; a warning is logged when on.
API_AUTH_DISABLED = env_bool("API_AUTH_DISABLED")
# A token (and its user's permissions) read from the database is trusted this
# long by each server process: a revoked token, a deactivated user or a
# changed permission takes effect within this time. 0 reads them every request.
API_TOKEN_CACHE_SECONDS = float(os.environ.get("API_TOKEN_CACHE_SECONDS", "5"))
# A batch's live job counts are reused this long by each server process while
# the batch document's counters and updated_at are unchanged (every change the
# project makes, and a worker's finished call, shows at once; a worker taking a
# job within this time). 0 counts on every request. jobs/recent_counts.py.
LIVE_COUNTS_SECONDS = float(os.environ.get("LIVE_COUNTS_SECONDS", "5"))

# An admin bulk action over more jobs than this runs in the background
# (jobs/background_actions.py): about 7 s of work on the embedded database.
ADMIN_BULK_SYNC_LIMIT = int(os.environ.get("ADMIN_BULK_SYNC_LIMIT") or 1000)

MONGODB_URI = os.environ.get("MONGODB_URI", "")
MONGODB_NAME = os.environ.get("MONGODB_NAME") or "speechai_db"
# How long an operation waits for a reachable server (and to connect to it).
MONGODB_TIMEOUT_MS = int(os.environ.get("MONGODB_TIMEOUT_MS") or 5000)
# How long an operation waits for the reply on an open connection, 0 for no
# limit: bounds a database gone without closing its connections. gunicorn
# sets 20 s (docker/gunicorn.conf.py), under its own timeout; commands keep
# no limit (migrate's index builds, bulk commands can take longer).
MONGODB_SOCKET_TIMEOUT_MS = int(os.environ.get("MONGODB_SOCKET_TIMEOUT_MS") or 0)
# While the database is down, requests answer 503 at once and one request per
# interval probes it with this short timeout, as /health does
# (speechai/database_breaker.py).
MONGODB_RETRY_INTERVAL_MS = int(os.environ.get("MONGODB_RETRY_INTERVAL_MS") or 2000)
MONGODB_PROBE_TIMEOUT_MS = int(os.environ.get("MONGODB_PROBE_TIMEOUT_MS") or 1000)

INSTALLED_APPS = [
    "speechai.apps.MongoAdminConfig",
    "speechai.apps.MongoAuthConfig",
    "speechai.apps.MongoContentTypesConfig",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: its runserver (speechai/management/commands) wins.
    "speechai",
    "django.contrib.staticfiles",
    "django_mongodb_backend",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "jobs",
    "batches",
    "accounts",
    "audit",
]

MIDDLEWARE = [
    "speechai.middleware.request_id_middleware",
    "speechai.middleware.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # After CORS (the frontend can read its 503s) and static files (served anyway).
    "speechai.middleware.DatabaseBreakerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "speechai.middleware.PageMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Benchmarks only (bench/): count, and on request record, each request's
# database commands (speechai/command_monitor.py). Unset in production.
DB_COMMAND_MONITOR_DIR = os.environ.get("DB_COMMAND_MONITOR_DIR", "")
if DB_COMMAND_MONITOR_DIR:
    MIDDLEWARE.insert(1, "speechai.command_monitor.command_monitor_middleware")

ROOT_URLCONF = "speechai.urls"
WSGI_APPLICATION = "speechai.wsgi.application"
# Paths have no trailing slash; the API router accepts one without redirecting.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": {
        "ENGINE": "django_mongodb_backend",
        # Without MONGODB_URI, `manage.py rundev` starts the embedded
        # SecantusDB and passes its URI down; other commands expect a server.
        "HOST": MONGODB_URI or "mongodb://127.0.0.1:27017/",
        "NAME": MONGODB_NAME,
        "OPTIONS": {
            "serverSelectionTimeoutMS": MONGODB_TIMEOUT_MS,
            "connectTimeoutMS": MONGODB_TIMEOUT_MS,
            "socketTimeoutMS": MONGODB_SOCKET_TIMEOUT_MS or None,
        },
    },
}
if DB_COMMAND_MONITOR_DIR:
    from speechai.command_monitor import REQUEST_COMMANDS

    DATABASES["default"]["OPTIONS"]["event_listeners"] = [REQUEST_COMMANDS]
DEFAULT_AUTO_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"
MIGRATION_MODULES = {
    "admin": "mongo_migrations.admin",
    "auth": "mongo_migrations.auth",
    "contenttypes": "mongo_migrations.contenttypes",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "var" / "static"
# WhiteNoise serves the admin's and Swagger's files from gunicorn. Outside
# DEBUG they are the compressed files with hashed names that `collectstatic`
# writes (the Docker image runs it at build time).
if not DEBUG:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Behind a proxy or load balancer that terminates TLS and sets
# X-Forwarded-Proto (overwriting any the client sent): trust that header,
# send cookies over HTTPS only, redirect plain HTTP (not /health, which
# container and load balancer probes call directly) and send HSTS.
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_CREDENTIALS = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The largest request body read (2.5 MiB, Django's default): JSON bodies over
# it are a 413 (speechai/parsers.py also caps their nesting depth).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "speechai.authentication.BearerOrTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["speechai.permissions.IsAuthenticatedOrOpenAPI"],
    "DEFAULT_RENDERER_CLASSES": ["speechai.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["speechai.parsers.LimitedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "speechai.renderers.ApiContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "speechai.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "SpeechAI back office API",
    "DESCRIPTION": (
        "Call jobs and campaigns (batches) of the SpeechAI calling system. "
        "Authenticate with `Authorization: Bearer <token>` (or `Token <token>`); "
        "ids accept the MongoDB ObjectId or the custom `job_id` / `batch_id`."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    # Swagger UI and ReDoc from this server's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["speechai.schema.strip_optional_trailing_slashes"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "speechai.schema.describe_what_is_refused",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Job statuses and batch states are both "status" fields: name their enums.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "jobs.models.JobStatus",
        "BatchStateEnum": "batches.states.BatchState",
    },
}

# Logs go to stdout: JSON lines (speechai/logging.py) unless LOG_FORMAT=plain,
# the default in DEBUG. gunicorn uses this same configuration.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'plain', not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "speechai.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler would print its lines a second time.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "gunicorn.error": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "secantus": {"level": "WARNING"},
    },
}

AUTHENTICATION_BACKENDS = ["speechai.auth_backends.JoinFreePermissionsBackend"]

# Campaign intake (docs/intake.md): limits of one uploaded contact file.
INTAKE_MAX_FILE_BYTES = int(os.environ.get("INTAKE_MAX_FILE_BYTES", str(20 * 1024 * 1024)))
INTAKE_MAX_ROWS = int(os.environ.get("INTAKE_MAX_ROWS", "200000"))
INTAKE_MAX_JOBS = int(os.environ.get("INTAKE_MAX_JOBS", "50000"))
INTAKE_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("INTAKE_MAX_UNCOMPRESSED_BYTES", str(200 * 1024 * 1024)))
# Where the admin keeps an uploaded file between its preview and the confirmation.
INTAKE_UPLOAD_DIR = os.environ.get("INTAKE_UPLOAD_DIR") or None
