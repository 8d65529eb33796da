"""Production: refuses to start without its required environment."""

import dj_database_url

from .base import *  # noqa: F403
from .base import VAR_DIR
from .environment import env_bool, env_float, env_int, env_list, env_required, env_str

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
# Old keys after a rotation: what they signed (sessions, calendar links) still verifies.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [env_required("ALLOWED_HOSTS")]
DATABASES = {
    "default": dj_database_url.parse(
        env_required("DATABASE_URL"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# One cache shared by every worker and app server: rate limits, feeds and sessions rely on it.
_redis_url = env_str("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "wmasn.cache.SharedRedisCache",
            "LOCATION": _redis_url,
            # Rate limits and TOTP replay checks never fail open: they count in the database
            # cache, whether Redis answers or not (wmasn/cache.py).
            "GUARDS": "database",
            # A Redis that hangs costs a request at most this long, then the cache fails
            # soft (wmasn/cache.py) until it answers again.
            "OPTIONS": {
                "socket_connect_timeout": env_float("REDIS_TIMEOUT", 0.5),
                "socket_timeout": env_float("REDIS_TIMEOUT", 0.5),
            },
        },
        "database": DATABASE_CACHE,  # noqa: F405
    }
else:
    CACHES = {"default": DATABASE_CACHE, "database": DATABASE_CACHE}  # noqa: F405

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_NAME = "__Secure-csrftoken"

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"

STATIC_ROOT = env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles"))

# Uploaded files on an S3-compatible store when a bucket is named (pip install ".[s3]"):
# private objects, no public URLs; the portal's views read them and check access.
_bucket = env_str("AWS_STORAGE_BUCKET_NAME")
if _bucket:
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _bucket,
                "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
                "region_name": env_str("AWS_S3_REGION_NAME"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "location": env_str("AWS_LOCATION", ""),
            },
        },
    }
