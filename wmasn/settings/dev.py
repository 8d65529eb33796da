"""Local development: SQLite under var/, console email (SMTP when EMAIL_HOST is set), demo data."""

from .base import *  # noqa: F403
from .base import DATABASES
from .environment import env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-wmasn")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
WMASN_ADMIN_REQUIRES_MFA = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has the server and a worker writing at once: wait for the lock instead of
    # failing, take it at the start of a transaction, and let readers read meanwhile (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }

# One cache for every process of `make run` (server, db_worker, shell), as Redis is in
# production, so a change made anywhere reaches every feed at once. Files under var/ need
# no setup (the database cache would need createcachetable first).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),  # noqa: F405
    }
}
