"""Settings shared by every environment.

Everything that differs between a laptop and production comes from the environment
(django-environ); the environment-specific modules only choose defaults.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "r2cc_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_tomselect",  # only its static files: Tom Select, started by static/js/pickers.js
    # The portal, from the ground up (see docs/architecture.md)
    "core",
    "accounts",
    "stakeholders",
    "projects",
    "communications",
    "meetings",
    "intake",
    "accountability",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the session, static files or the body into a query.
    "accounts.request_guards.NulCharacterGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pure-read pages read from the replica when there is one (r2cc_portal/db_router.py).
    "r2cc_portal.db_router.ReplicaRoutingMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.request_context.RequestContextMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.DeniedAccessLogMiddleware",
    "accounts.middleware.ExportLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the sign-in failures of every view above it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "r2cc_portal.urls"
WSGI_APPLICATION = "r2cc_portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "r2cc_portal.context_processors.navigation",
            ],
            "builtins": ["r2cc_portal.templatetags.portal"],
        },
    },
]

# PostgreSQL: full-text search, COPY exports, the report's rollups and the replica need it. The
# default is the local server of a development machine (scripts/run creates the database).
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/r2cc"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Only for building images (collectstatic) and throwaway checks: web, worker and beat on one
    # SQLite file need write-ahead logging, which lets
    # readers and a writer work at once, IMMEDIATE transactions take the write lock up front (a
    # deferred one that must upgrade fails at once with "database is locked"), and a writer waits
    # for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A streaming hot standby for the pure-read pages (r2cc_portal/db_router.py, docs/deploy.md). Its
# reads run in autocommit on their own connection, beside the request's transaction on "default".
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
DATABASE_ROUTERS = ["r2cc_portal.db_router.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=2.0)
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=1.0)
DATABASE_REPLICA_RETRY_SECONDS = env.float("DATABASE_REPLICA_RETRY_SECONDS", default=5.0)
DATABASE_REPLICA_STICKY_SECONDS = env.int("DATABASE_REPLICA_STICKY_SECONDS", default=5)
if DATABASE_REPLICA_STICKY_SECONDS <= DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS:
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_STICKY_SECONDS must exceed DATABASE_REPLICA_MAX_LAG_SECONDS plus "
        "DATABASE_REPLICA_CHECK_SECONDS, or a user could read from a replica that misses their write."
    )
# PgBouncer in transaction mode, or Django's own pool (r2cc_portal/settings/databases.py).
DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
DATABASE_POOL = env.bool("DATABASE_POOL", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# django-axes checks for a lockout before any password is compared.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PortalAxesBackend",
    "accounts.backends.PortalModelBackend",
]
# Lock a (username, address) pair, never a username alone, so that someone elsewhere
# cannot lock a real user out by guessing at their name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
# The lock lasts 15 minutes from the fifth failure; attempts while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "core.request_context.client_ip"
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-factor sign-in (TOTP). Roles listed here must use it; every user may turn it on.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = "R2CC Portal"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The center works on Eastern time; every date and time a user types is in this zone.
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True
# "Dec 1, 2026" everywhere (r2cc_portal/formats/en/formats.py).
FORMAT_MODULE_PATH = ["r2cc_portal.formats"]

STATIC_URL = "static/"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded files: the file system here; an object store shared by every host by setting
    # FILE_STORAGE_BACKEND (e.g. django-storages' S3 backend) and FILE_STORAGE_OPTIONS (JSON).
    "default": {
        "BACKEND": env.str("FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("FILE_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Redis serves as cache and Celery broker when REDIS_URL is set; without it the
# embedded default uses files under var/ so that web, worker and beat share state.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "r2cc",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Mail: SMTP settings come from EMAIL_URL (smtp://user:pass@host:port, smtp+tls://...).
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="R2CC Portal <portal@r2cc.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The ORGANIZER of meeting invitations, where calendar clients mail their accept/decline replies
# (the portal records answers from the signed links, not from these replies).
MEETINGS_ORGANIZER_EMAIL = env.str("MEETINGS_ORGANIZER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Where links in e-mails point to.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Celery: the database is the source of truth, the broker only rings the bell.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_IMPORTS = ["r2cc_portal.tasks"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "portal-heartbeat": {
        "task": "r2cc_portal.tasks.heartbeat_task",
        "schedule": timedelta(minutes=1),
    },
    # The hours rollup changes with every activity write; this nightly check repairs what data
    # loaded around the services left behind (and logs it). Safe to run twice at once.
    "projects-activity-months": {
        "task": "projects.tasks.activity_month_refresh_task",
        "schedule": timedelta(hours=24),
    },
    # Due occurrences become deliveries and senders are woken; safe to run from two beats.
    "communications-tick": {
        "task": "communications.tasks.communications_tick_task",
        "schedule": timedelta(seconds=env.int("COMMUNICATIONS_TICK_SECONDS", default=60)),
    },
    # Composes each state's weekly digest once the week's send time has passed (idempotent).
    "communications-weekly-digests": {
        "task": "communications.tasks.digests_compose_task",
        "schedule": timedelta(hours=1),
    },
    # Action-item reminders (before due, once overdue); one row per reminder, safe to run twice.
    "meetings-action-item-reminders": {
        "task": "meetings.tasks.action_item_reminders_send_task",
        "schedule": timedelta(hours=1),
    },
    # Accountability: reminders of what waits more than a week, last month's statements, surveys
    # after delivered products. Each is claimed row by row or unique per record: safe to run twice.
    "accountability-attestation-reminders": {
        "task": "accountability.tasks.attestation_reminders_send_task",
        "schedule": timedelta(hours=6),
    },
    "accountability-service-months": {
        "task": "accountability.tasks.service_month_refresh_task",
        "schedule": timedelta(minutes=5),
    },
    "accountability-monthly-statements": {
        "task": "accountability.tasks.statements_prepare_task",
        "schedule": timedelta(hours=24),
    },
    "accountability-product-surveys": {
        "task": "accountability.tasks.surveys_for_delivered_products_task",
        "schedule": timedelta(hours=6),
    },
}
# Communications: a claimed delivery's lease, batch size, bounded retries with backoff.
COMMUNICATIONS_LEASE_SECONDS = env.int("COMMUNICATIONS_LEASE_SECONDS", default=120)
# A delivery whose SMTP transaction has begun is held this long (RFC 5321's ten minutes for the
# reply to the end of DATA) before another worker may send it again: taking it over sooner
# would duplicate a mail the server may be accepting right now.
COMMUNICATIONS_IN_FLIGHT_SECONDS = env.int("COMMUNICATIONS_IN_FLIGHT_SECONDS", default=600)
# Like an MTA's queue lifetime: a delivery not sent this long after it was queued fails.
COMMUNICATIONS_DELIVERY_DEADLINE_SECONDS = env.int(
    "COMMUNICATIONS_DELIVERY_DEADLINE_SECONDS", default=48 * 3600
)
# A batch is claimed, loaded and sent over one SMTP connection; its rows are renewed while it runs.
COMMUNICATIONS_BATCH_SIZE = env.int("COMMUNICATIONS_BATCH_SIZE", default=500)
COMMUNICATIONS_MAX_ATTEMPTS = env.int("COMMUNICATIONS_MAX_ATTEMPTS", default=5)
COMMUNICATIONS_RETRY_BASE_SECONDS = env.int("COMMUNICATIONS_RETRY_BASE_SECONDS", default=60)
COMMUNICATIONS_MISSED_AFTER_SECONDS = env.int("COMMUNICATIONS_MISSED_AFTER_SECONDS", default=6 * 3600)
COMMUNICATIONS_SEND_PARALLELISM = env.int("COMMUNICATIONS_SEND_PARALLELISM", default=2)
COMMUNICATIONS_MESSAGE_ID_DOMAIN = env.str("COMMUNICATIONS_MESSAGE_ID_DOMAIN", default="r2cc.example.org")

# CSV import in the admin: the upload waits in the cache between preview and confirmation,
# and an import runs in one transaction (a file with any bad row imports nothing).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that an anonymous request gets 401 with WWW-Authenticate rather than 403.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PortalPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "api.filters.PortalFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.PortalAnonRateThrottle",
        "api.throttling.PortalUserRateThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.portal_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests per user (signed in) and per address (anonymous); read on every request.
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
    "user": env.str("API_THROTTLE_USER", default="600/minute"),
}
API_TOKEN_MAX_DAYS = 365

SPECTACULAR_SETTINGS = {
    "TITLE": "R2CC Portal API",
    "DESCRIPTION": (
        "The portal's data for SEA staff, facilitators and administrators. Every list and object "
        "is limited to what the signed-in user may see in the portal: another state's record "
        "answers 404. Authenticate with a session or an API token from your profile page "
        "(`Authorization: Token <key>` or `Authorization: Bearer <key>`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.models.Project.Status",
        "ProductStatusEnum": "projects.models.Product.Status",
        "MeetingStatusEnum": "meetings.models.Meeting.Status",
        "ActionItemStatusEnum": "meetings.models.ActionItem.Status",
        "CommunicationStatusEnum": "communications.models.Communication.Status",
        "DeliveryStatusEnum": "communications.models.Delivery.Status",
        "TARequestStatusEnum": "intake.models.TARequest.Status",
        "AgendaStatusEnum": "projects.models.AgendaStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.refuse_unknown_request_fields",
    ],
}

# Strict CSP: every asset is served from this origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Idle timeout: the session is renewed on every request and ends after this many idle seconds.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 30)
SESSION_SAVE_EVERY_REQUEST = True

# How long a beat heartbeat may be old before /healthz reports beat as down.
HEALTHZ_BEAT_MAX_AGE = timedelta(minutes=3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
