"""Serve the public calendar feed the way WhiteNoise serves static files: early.

Calendar apps poll /calendar.ics around the clock. It is the same for everyone and needs no
session, user, CSRF token or messages, so it is answered before those middleware run (which
also keeps `Vary: Cookie` off it, so proxies may cache it). The security headers still apply:
this middleware sits inside SecurityMiddleware, XFrameOptionsMiddleware,
PermissionsPolicyMiddleware and CSPMiddleware.

While the database is down the feed is still served: a feed whose cached copy is current
needs no query, and when it is not (the feed version moved, or the day turned), the last
body this or any other worker served is sent instead of a 503.
"""

import gzip
import time

from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

LAST_GOOD_KEY = "events:public-feed:last-good"
# Stored again at most this often when unchanged, in case the cache lost it.
LAST_GOOD_REFRESH_SECONDS = 600
KEPT_HEADERS = (
    "Content-Type",
    "Content-Encoding",
    "ETag",
    "Last-Modified",
    "Content-Disposition",
    "Cache-Control",
)


class LastGoodFeed:
    """The last public feed served, kept in the shared cache and in this process."""

    def __init__(self):
        self._copy = None
        self._stored_at = None

    def remember(self, response, now):
        if response.status_code != 200 or response.streaming:
            return
        etag = response.get("ETag")
        if (
            self._copy is not None
            and self._copy["headers"].get("ETag") == etag
            and now - self._stored_at < LAST_GOOD_REFRESH_SECONDS
        ):
            return
        headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        self._copy = {"headers": headers, "content": response.content}
        self._stored_at = now
        cache.set(LAST_GOOD_KEY, self._copy, None)

    def response(self, request):
        """The last good feed for this request (a 304 when the client has it), or None."""
        copy = cache.get(LAST_GOOD_KEY) or self._copy
        if copy is None:
            return None
        headers = dict(copy["headers"])
        content = copy["content"]
        accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        if headers.get("Content-Encoding") == "gzip" and not accepts_gzip:
            content = gzip.decompress(content)
            headers.pop("Content-Encoding")
            headers.pop("ETag", None)  # that tag names the gzipped bytes
        last_modified = parse_http_date_safe(headers.get("Last-Modified", ""))
        not_modified = get_conditional_response(
            request, etag=headers.get("ETag"), last_modified=last_modified
        )
        response = not_modified or HttpResponse(content)
        for name, value in headers.items():
            if not_modified is None or name != "Content-Disposition":
                response[name] = value
        patch_vary_headers(response, ["Accept-Encoding"])
        return response


class PublicFeedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._feed_path = None
        self.last_good = LastGoodFeed()

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path_info == self.feed_path:
            from events.views import public_feed_response

            # CommonMiddleware, which would check Host against ALLOWED_HOSTS, comes later.
            request.get_host()
            try:
                response = public_feed_response(request)
            except DatabaseError:
                response = self.last_good.response(request)
                if response is None:
                    raise
                return response
            if request.method == "GET":
                self.last_good.remember(response, now=time.monotonic())
            return response
        return self.get_response(request)

    @property
    def feed_path(self):
        if self._feed_path is None:
            self._feed_path = reverse("events:public-feed")
        return self._feed_path
