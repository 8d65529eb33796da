"""System checks of this project's own settings, run by `manage.py check --deploy`."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 (names, not a bind)


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """Production's SITE_URL is an https address: every email link, calendar feed and the
    admin's "View on site" is built on it, and a default would send people to 127.0.0.1."""
    parts = urlsplit(settings.SITE_URL or "")
    if parts.scheme == "https" and parts.hostname and parts.hostname not in LOCAL_HOSTS:
        return []
    return [
        Error(
            f"SITE_URL is {settings.SITE_URL!r}: production needs the portal's public https "
            "address, e.g. SITE_URL=https://portal.example.org.",
            hint='Every link in emails, the calendar feeds and the admin\'s "View on site" '
            "is built on SITE_URL. Set it in the environment (docs/deployment.md).",
            id="wmasn.E001",
        )
    ]
