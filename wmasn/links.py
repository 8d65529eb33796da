"""Absolute links for emails and feeds, all built on SITE_URL."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path):
    """The portal's address for a path (`/events/x/`), as emails and feeds need it."""
    return settings.SITE_URL.rstrip("/") + path


def absolute_reverse(viewname, *args, query="", **kwargs):
    """`reverse()` as an absolute URL; `query` is appended as given (`"year=2027"`)."""
    url = absolute_url(reverse(viewname, args=args or None, kwargs=kwargs or None))
    return f"{url}?{query}" if query else url
