"""Serving ICS feeds: a cache keyed by a cheap feed version, strong ETags, conditional GET.

A feed request costs one aggregate query (count and latest change of the events the feed
would carry) plus, only when that state is new, one query to build the body. A 304 never
builds anything. The cache key also holds a version number bumped by signals on every save
or delete of the models a feed reads (events/signals.py), so a change reaches the feed on
the next request even when it leaves count and latest change as they were.
"""

import hashlib
import time

from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

FEED_VERSION_KEY = "events:feed-version"
FEED_CACHE_SECONDS = 60 * 60 * 24
CONTENT_TYPE = "text/calendar; charset=utf-8"


def feed_version():
    # A missing counter (cache flushed or evicted) restarts from the clock, never from a
    # number an older cached body may still be stored under.
    return cache.get_or_set(FEED_VERSION_KEY, lambda: time.time_ns(), None)


def bump_feed_version():
    try:
        cache.incr(FEED_VERSION_KEY)
    except ValueError:
        cache.set(FEED_VERSION_KEY, time.time_ns(), None)


def feed_state(queryset):
    """A short fingerprint of what a feed would contain, from one aggregate query."""
    state = queryset.order_by().aggregate(
        count=Count("pk"),
        changed=Max("updated_at"),
        organisers_changed=Max("organiser__updated_at"),
    )
    return "{count}:{changed}:{organisers}".format(
        count=state["count"],
        changed=state["changed"].timestamp() if state["changed"] else "-",
        organisers=(
            state["organisers_changed"].timestamp() if state["organisers_changed"] else "-"
        ),
    )


def cached_feed(name, queryset, build):
    """The feed `name` as {body, etag, last_modified}, built only when its state is new.

    Last-Modified is when this exact body was first served: a body that changes (even by
    an event leaving the feed, which no updated_at records) always gets a later one.
    """
    key = f"events:feed:{name}:{feed_version()}:{feed_state(queryset)}"
    entry = cache.get(key)
    if entry is not None:
        return entry
    body = build()
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'
    latest_key = f"events:feed-latest:{name}"
    latest = cache.get(latest_key)
    if latest and latest["etag"] == etag:
        last_modified = latest["last_modified"]
    else:
        last_modified = int(time.time())
        if latest:
            # HTTP dates have whole seconds: two bodies in one second must still differ.
            last_modified = max(last_modified, latest["last_modified"] + 1)
    entry = {"body": body, "etag": etag, "last_modified": last_modified}
    cache.set(key, entry, FEED_CACHE_SECONDS)
    cache.set(latest_key, {"etag": etag, "last_modified": last_modified}, None)
    return entry


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
