"""The shared cache behind the calendar feeds: versions, stored feeds, one build at a time.

Every key names the database (wmasn.changes.database_identity), so two databases sharing one
Redis never read each other's entries. The cache holds:

- two counters, integers moved with cache.incr: the feed version, which every change to what
  a feed shows bumps, and the access version, which every change to who may fetch a personal
  feed bumps (events/signals.py). Each is bumped at once and again after the transaction
  commits, so a build that read the rows between the two is not kept as current;
- per feed, its validators: the feed version and the basis it was built for (the day, the
  code and the settings it was made with), its ETag and Last-Modified; apart from them, its
  gzipped body under its ETag, so a 304 reads the validators only;
- a lock per feed while one request builds it.

Each worker also keeps the gzipped bodies it served last (LOCAL_BODY_BYTES at most): a body is
named by its ETag, the hash of its content, so a copy is never stale, and which body is
current always comes from the shared cache. It saves fetching the body on every 200: half a
megabyte at 10,000 events (docs/performance.md).

A request that finds a feed built for an older version (or another basis) is never answered
with it: it builds the feed itself while holding the lock, or waits up to WAIT_SECONDS for
the request that holds it, then builds it anyway. So one change costs one build however many
calendar apps poll at once, and the first of them already gets the change.
"""

import collections
import logging
import threading
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from wmasn.changes import database_identity

logger = logging.getLogger(__name__)

FEED_SECONDS = 60 * 60 * 24 * 2
# Longer than any build; a lock left by a dead worker frees itself after this.
LOCK_SECONDS = 120
# How long a poller waits for another request's build before making its own.
WAIT_SECONDS = 30
WAIT_POLL_SECONDS = 0.02
LOCAL_BODY_BYTES = 32 * 1024 * 1024


class CacheDown(Exception):
    """The shared cache keeps nothing (Redis unreachable): build from the database."""


def cache_key(*parts, identity=None):
    return ":".join(["events", identity or database_identity(), *map(str, parts)])


def version_key(identity=None):
    return cache_key("feed-version", identity=identity)


def access_version_key(identity=None):
    return cache_key("feed-access", identity=identity)


def validators_key(name, identity=None):
    return cache_key("feed", name, identity=identity)


def body_key(etag):
    return cache_key("feed-body", etag.strip('"'))


def lock_key(name):
    return cache_key("feed-lock", name)


def builds_key():
    """A counter of feed builds, for the bench and for operations."""
    return cache_key("feed-builds")


# --- counters -------------------------------------------------------------------------------


def _bump(key):
    try:
        cache.incr(key)
    except ValueError:
        # Missing (never set, evicted, or the cache is away): restart from the clock, above
        # any number an entry cached under the old counter may carry.
        cache.set(key, time.time_ns(), None)


def _bump_now_and_on_commit(key):
    # Now, so this process sees the change at once; after commit, so that a request that
    # read the old rows between the two cannot keep its build as current.
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def bump_feed_version(identity=None):
    """Every feed is rebuilt on its next request. Writes that bypass model signals (raw SQL)
    must call it."""
    _bump_now_and_on_commit(version_key(identity))


def bump_access_version(identity=None):
    """Every cached personal-link check is made again from the database on its next use."""
    _bump_now_and_on_commit(access_version_key(identity))


def current(found, key):
    """A counter's value from a get_many() answer, started if missing."""
    value = found.get(key)
    if value is None:
        cache.add(key, time.time_ns(), None)
        value = cache.get(key)
        if value is None:
            raise CacheDown
    return value


def count_build():
    try:
        cache.incr(builds_key())
    except ValueError:
        cache.add(builds_key(), 1, None)


# --- stored feeds ---------------------------------------------------------------------------


class LocalBodies:
    """The gzipped bodies this worker served last, by ETag, bounded in bytes."""

    def __init__(self, budget):
        self.budget = budget
        self._bodies = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, etag):
        with self._lock:
            body = self._bodies.get(etag)
            if body is not None:
                self._bodies.move_to_end(etag)
            return body

    def put(self, etag, body):
        if len(body) > self.budget:
            return
        with self._lock:
            if etag in self._bodies:
                return
            self._bodies[etag] = body
            self._bytes += len(body)
            while self._bytes > self.budget:
                _, dropped = self._bodies.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self):
        with self._lock:
            self._bodies.clear()
            self._bytes = 0


local_bodies = LocalBodies(LOCAL_BODY_BYTES)


@dataclass
class Feed:
    """One version of a feed: its validators, and its gzipped body when already in hand."""

    etag: str
    last_modified: int
    gzipped: bytes | None = None

    def body(self):
        """The gzipped body, or None when the cache no longer has it."""
        if self.gzipped is None:
            self.gzipped = local_bodies.get(self.etag) or cache.get(body_key(self.etag))
            if self.gzipped is not None:
                local_bodies.put(self.etag, self.gzipped)
        return self.gzipped


def is_current(validators, version, basis):
    """Built on this basis (day, code and settings), from this feed version or a later one."""
    return (
        validators is not None
        and validators.get("basis") == basis
        and validators.get("version", -1) >= version
    )


def feed_of(validators):
    return Feed(validators["etag"], validators["last_modified"])


def store(name, built, *, version, basis, previous):
    """Keep a new build: the body first, so the validators never name a missing body."""
    last_modified = int(time.time())
    if previous and previous.get("etag") == built.etag:
        last_modified = previous["last_modified"]
    elif previous:
        # HTTP dates have whole seconds: two bodies within one second must still differ.
        last_modified = max(last_modified, previous["last_modified"] + 1)
    validators = {
        "version": version,
        "basis": basis,
        "etag": built.etag,
        "last_modified": last_modified,
    }
    cache.set(body_key(built.etag), built.gzipped, FEED_SECONDS)
    cache.set(validators_key(name), validators, FEED_SECONDS)
    local_bodies.put(built.etag, built.gzipped)
    count_build()
    return Feed(built.etag, last_modified, built.gzipped)


def build_once(name, build, *, version, basis, previous):
    """This feed at `version` or later: built here under the feed's lock, or by the request
    that holds it (waiting at most WAIT_SECONDS, then building here anyway)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        token = uuid.uuid4().hex
        if cache.add(lock_key(name), token, LOCK_SECONDS):
            try:
                # The build this request waited for may have ended just before the lock freed.
                validators = cache.get(validators_key(name))
                if is_current(validators, version, basis):
                    return feed_of(validators)
                return store(name, build(), version=version, basis=basis, previous=previous)
            finally:
                if cache.get(lock_key(name)) == token:
                    cache.delete(lock_key(name))
        if time.monotonic() >= deadline:
            logger.warning("Feed %s: another build took over %s s", name, WAIT_SECONDS)
            return store(name, build(), version=version, basis=basis, previous=previous)
        time.sleep(WAIT_POLL_SECONDS)
        validators = cache.get(validators_key(name))
        if is_current(validators, version, basis):
            return feed_of(validators)
