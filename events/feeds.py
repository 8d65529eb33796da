"""Serving ICS feeds: built once per change, served from the shared cache, 304s for free.

A feed's content is a function of the data and of the day (feeds are built "as of" the start
of today in London, so events leave the window at midnight). The cache holds, per feed, a
single entry {stamp, etag, last_modified, gzipped body}. The stamp
is the feed version, a counter in the shared cache that signals bump on every save or delete
of what a feed reads (events/signals.py), plus today's date. So:

- a conditional request that gets a 304 costs one cache round trip and never builds the body;
- a full response for unchanged data costs the same one round trip and no database query;
- a change reaches every feed on the next request, on every worker and app server.

Bodies are stored gzipped (about 7% of their size, so a personal feed per member stays cheap
to keep) and sent as they are to clients that accept gzip, which every calendar app does;
others get them decompressed. Each encoding has its own strong ETag.

Writes that bypass model signals (QuerySet.update(), raw SQL) must call bump_feed_version().
"""

import datetime as dt
import gzip
import hashlib
import re
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

FEED_VERSION_KEY = "events:feed-version"
FEED_CACHE_SECONDS = 60 * 60 * 24 * 2
CONTENT_TYPE = "text/calendar; charset=utf-8"
GZIP_SUFFIX = "-gz"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def bump_feed_version():
    try:
        cache.incr(FEED_VERSION_KEY)
    except ValueError:
        cache.set(FEED_VERSION_KEY, time.time_ns(), None)


def feed_as_of(now=None):
    """The instant feeds are built as of: the start of today in London."""
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def _entry_key(name):
    return f"events:feed:{name}"


class FeedEntry:
    """A feed's validators and gzipped body, from the shared cache or built when stale."""

    def __init__(self, name, build, now=None):
        self.name = name
        self._build = build
        self.as_of = feed_as_of(now)
        entry_key = _entry_key(name)
        found = cache.get_many([FEED_VERSION_KEY, entry_key])
        version = found.get(FEED_VERSION_KEY)
        if version is None:
            # A missing counter (cache flushed or evicted) restarts from the clock, never
            # from a number an older entry may still carry.
            version = time.time_ns()
            cache.add(FEED_VERSION_KEY, version, None)
            version = cache.get(FEED_VERSION_KEY, version)
        self.stamp = f"{version}:{self.as_of.date().isoformat()}"
        self._previous = found.get(entry_key)
        self.body = None
        self.gzipped = None
        if self._previous and self._previous["stamp"] == self.stamp:
            self.etag = self._previous["etag"]
            self.last_modified = self._previous["last_modified"]
            self.gzipped = self._previous["gzipped"]
        else:
            self._rebuild()

    def _rebuild(self):
        self.body = self._build(self.as_of)
        # mtime=0 keeps the gzip bytes identical for identical bodies.
        self.gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        self.etag = '"' + hashlib.sha256(self.body).hexdigest() + '"'
        previous = self._previous
        if previous and previous["etag"] == self.etag:
            self.last_modified = previous["last_modified"]
        else:
            self.last_modified = int(time.time())
            if previous:
                # HTTP dates have whole seconds: two bodies in one second must still differ.
                self.last_modified = max(self.last_modified, previous["last_modified"] + 1)
        entry = {
            "stamp": self.stamp,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "gzipped": self.gzipped,
        }
        cache.set(_entry_key(self.name), entry, FEED_CACHE_SECONDS)
        self._previous = entry

    def load_body(self):
        if self.body is None:
            self.body = gzip.decompress(self.gzipped)
        return self.body


def feed_response(request, entry, *, filename, private):
    """The cached feed, or a 304 when the client's copy is current (without loading it)."""
    use_gzip = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    etag = entry.etag[:-1] + GZIP_SUFFIX + '"' if use_gzip else entry.etag
    headers = _validator_headers(etag, entry.last_modified, filename, private)
    not_modified = get_conditional_response(request, etag=etag, last_modified=entry.last_modified)
    if not_modified is None:
        body = entry.gzipped if use_gzip else entry.load_body()
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    else:
        response = not_modified
        headers.pop("Content-Disposition")
    for name, value in headers.items():
        response[name] = value
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


# Public feeds may sit in a proxy for five minutes; a personal feed never in a shared one.
PUBLIC_CACHE_CONTROL = "max-age=300, public"
PRIVATE_CACHE_CONTROL = "no-cache, private"


def _validator_headers(etag, last_modified, filename, private):
    return {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": PRIVATE_CACHE_CONTROL if private else PUBLIC_CACHE_CONTROL,
    }


def calendar_response(
    request, body, *, etag=None, last_modified=None, filename, private, attachment=False
):
    """An ICS response with validators; a 304 when the client's copy is current."""
    etag = etag or '"' + hashlib.sha256(body).hexdigest() + '"'
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if private:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
