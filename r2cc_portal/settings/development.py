"""The embedded default: runs on a laptop with no server of any kind.

SQLite under var/, a filesystem Celery broker, mail written to var/mail/.
"""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="development-only-key-not-for-production-use-r2cc-portal")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

for folder in ("broker/queue", "broker/processed", "broker/control", "mail", "cache", "log"):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
