"""Tests run against real PostgreSQL and Redis, as on the team's machines and CI."""

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, VAR_DIR, env

SECRET_KEY = "test-only-key-r2cc-portal-not-secret-0123456789abcdefghijklmnop"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATABASES["default"] = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/r2cc")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/1")
CACHES = {
    "default": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "r2cc-test",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if env.str("EMAIL_URL", default=""):
    # Worker processes started by integration tests send to the test's own SMTP sink.
    vars().update(env.email_url("EMAIL_URL"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests that check throttling lower these; everything else must not be throttled.
API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
VAR_DIR.mkdir(exist_ok=True)

# Serve static files straight from the apps (no collectstatic) for browser tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = VAR_DIR / "static-test"
STATIC_ROOT.mkdir(exist_ok=True)

# The read replica's routing is tested against a second alias on the same test database.
DATABASES["replica"] = {**DATABASES["default"], "ATOMIC_REQUESTS": False, "TEST": {"MIRROR": "default"}}

# Uploaded files (products and their versions) stay in memory: tests leave nothing on disk.
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
