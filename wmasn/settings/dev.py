"""Local development: SQLite under var/, console email, demo data allowed."""

from .base import *  # noqa: F403
from .environment import env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-wmasn")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
WMASN_ADMIN_REQUIRES_MFA = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
