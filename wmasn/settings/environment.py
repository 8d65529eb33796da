"""The one place where settings read the environment."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name, default=None):
    return os.environ.get(name, default)


def env_required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name, default):
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


# Addresses a server listens on but a browser cannot open: links name the machine instead.
LISTEN_ANYWHERE = {"0.0.0.0", "::", "[::]"}  # noqa: S104 (names, not a bind)


def site_url(environ=None):
    """SITE_URL when set; else the address `make run` serves (its HOST and PORT), so every
    link the portal writes (emails, feeds, "View on site") opens the running server."""
    environ = os.environ if environ is None else environ
    if environ.get("SITE_URL", "").strip():
        return environ["SITE_URL"].strip().rstrip("/")
    host = environ.get("HOST", "").strip() or "127.0.0.1"
    if host in LISTEN_ANYWHERE:
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = environ.get("PORT", "").strip() or "8000"
    return f"http://{host}:{port}"
