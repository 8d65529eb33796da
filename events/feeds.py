"""Serving ICS feeds: one build per change, validators apart from bodies, 304s for free.

What the shared cache holds, every key prefixed with the database's identity (so two
databases sharing one Redis never serve each other's feeds):

- the feed version, a counter that signals bump on every change of what a feed reads
  (events/signals.py), immediately and again after the transaction commits;
- per feed, its validators {stamp, etag, last_modified}: the stamp is the feed version plus
  today's date (feeds are built as of the start of today in London);
- bodies, gzipped, under their own key named by their ETag (identical personal feeds share
  one); a 304 reads only the validators, never a body;
- per event and audience, its VEVENT fragment under a fingerprint of what the fragment is
  made of, so after one change a rebuild makes only that event's fragment again;
- a build lock per feed: when the validators are stale, the one request that takes the lock
  is answered with the previous version and rebuilds after its response has been sent; the
  others are served the previous version meanwhile. With no previous version (cold cache)
  the lock holder builds at once and the others wait for it.

The public feed's validators are also kept in each process for LOCAL_VALIDATOR_SECONDS, so
most of its polls cost no round trip at all. A body is streamed into gzip and SHA-256 as it
is written, never held whole; each process keeps the bodies it last served (and their plain
form, for clients without gzip) in a small in-memory store bounded by LOCAL_BODY_BYTES.
When the cache fails, feeds are built straight from the database, uncached.

Writes that bypass model signals (raw SQL) must call bump_feed_version().
"""

import collections
import datetime as dt
import functools
import gzip
import hashlib
import logging
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from events import ics
from wmasn.changes import database_identity

logger = logging.getLogger(__name__)

FEED_CACHE_SECONDS = 60 * 60 * 24 * 2
FRAGMENT_CACHE_SECONDS = 60 * 60 * 24 * 7
# Longer than any build; a lock left by a dead worker frees itself after this.
LOCK_SECONDS = 120
# Without a previous version, the other pollers wait this long for the lock holder's build.
WAIT_FOR_BUILD_SECONDS = 30
WAIT_POLL_SECONDS = 0.05
FRAGMENT_CHUNK = 500
LOCAL_BODY_BYTES = 32 * 1024 * 1024
# The public feed's current validators are also kept in each process this long, so most of
# its requests need no cache round trip; another process's change reaches this one within
# it (and this process's own changes at once). Personal feeds always ask the cache, whose
# link checks must be exact.
LOCAL_VALIDATOR_SECONDS = 1.0
_local_validators = {}
CONTENT_TYPE = "text/calendar; charset=utf-8"
GZIP_SUFFIX = "-gz"
GZIP_LEVEL = 6
# A fragment's cached copy is valid for one version of the code that writes it.
FRAGMENT_FORMAT = hashlib.blake2b(
    Path(ics.__file__).read_bytes() + icalendar.__version__.encode(), digest_size=6
).hexdigest()
# What a VEVENT fragment is made of, besides the audience and SITE_URL. Event.updated_at
# moves on every save and on QuerySet.update() (wmasn.changes), and a venue's save touches
# its events' updated_at; the venue's and organiser's own fields are read here too.
FRAGMENT_INPUTS = (
    "pk",
    "updated_at",
    "sequence",
    "venue__name",
    "venue__address",
    "venue__town",
    "venue__postcode",
    "venue__access_notes",
    "organiser__updated_at",
    "organiser__name",
    "working_group__name",
)

# Public feeds may sit in a proxy for five minutes; a personal feed never in a shared one.
PUBLIC_CACHE_CONTROL = "max-age=300, public"
PRIVATE_CACHE_CONTROL = "no-cache, private"


# --- keys and a cache that may fail ---------------------------------------------------------


def cache_key(*parts, identity=None):
    return ":".join(["events", identity or database_identity(), *map(str, parts)])


def version_key(identity=None):
    return cache_key("feed-version", identity=identity)


def access_generation_key(identity=None):
    return cache_key("feed-access", identity=identity)


def _meta_key(name):
    return cache_key("feed", name)


def _body_key(etag):
    return cache_key("feed-body", etag.strip('"'))


def _lock_key(name):
    return cache_key("feed-lock", name)


def builds_key():
    """A counter of feed builds, for the bench and for operations."""
    return cache_key("feed-builds")


class FeedBusy(Exception):
    """Another worker is still making the first version of this feed."""


class CacheDown(Exception):
    """The shared cache did not answer: callers fall back to the database."""


def _cache(method, *args, **kwargs):
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any cache failure means: go without it
        logger.warning("Feed cache %s failed: %s", method, error.__class__.__name__)
        raise CacheDown from error


def _quiet(method, *args, **kwargs):
    """A cache write whose failure only costs a later rebuild."""
    try:
        return _cache(method, *args, **kwargs)
    except CacheDown:
        return None


# --- versions -------------------------------------------------------------------------------


def _bump(key):
    try:
        try:
            cache.incr(key)
        except ValueError:
            # A missing counter restarts from the clock, never from a number an older
            # entry may still carry.
            cache.set(key, time.time_ns(), None)
    except Exception as error:  # noqa: BLE001
        logger.error("Could not bump %s: %s", key, error.__class__.__name__)


def _bump_now_and_on_commit(key):
    # Now, so this process sees the change at once; after commit, so a request that read
    # the old rows between the two cannot keep its build under the new version.
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def bump_feed_version(identity=None):
    _local_validators.clear()
    _bump_now_and_on_commit(version_key(identity))


def bump_access_generation(identity=None):
    """Every cached personal-feed check is re-made from the database on its next use."""
    _bump_now_and_on_commit(access_generation_key(identity))


def _current(found, key):
    value = found.get(key)
    if value is None:
        _cache("add", key, time.time_ns(), None)
        value = _cache("get", key)
        if value is None:
            raise CacheDown
    return value


def feed_as_of(now=None):
    """The instant feeds are built as of: the start of today in London."""
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


# --- building -------------------------------------------------------------------------------


class Built:
    """A body streamed into gzip and SHA-256: only the gzipped bytes are kept."""

    def __init__(self):
        self._zip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        self._sha = hashlib.sha256()
        self._parts = []
        self.size = 0
        self.gzipped = None
        self.etag = None

    def write(self, chunk):
        self._sha.update(chunk)
        self.size += len(chunk)
        compressed = self._zip.compress(chunk)
        if compressed:
            self._parts.append(compressed)

    def finish(self):
        self._parts.append(self._zip.flush())
        self.gzipped = b"".join(self._parts)
        self._parts = None
        self.etag = '"' + self._sha.hexdigest() + '"'
        return self


def _fingerprint_prefix(members):
    return f"{FRAGMENT_FORMAT}|{int(members)}|{settings.SITE_URL}|"


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def vevent_fragments(queryset, *, members, use_cache=True):
    """Each event's VEVENT fragment, in the queryset's order: from the cache when the
    event's fingerprint is known, else built (in one query per chunk) and cached."""
    from events.models import Event

    prefix = _fingerprint_prefix(members)
    rows = queryset.values_list(*FRAGMENT_INPUTS).iterator(chunk_size=FRAGMENT_CHUNK)
    for chunk in _chunks(rows, FRAGMENT_CHUNK):
        keys = [
            cache_key("vevent", hashlib.blake2b((prefix + repr(row)).encode()).hexdigest()[:32])
            for row in chunk
        ]
        found = {}
        if use_cache:
            try:
                found = _cache("get_many", keys)
            except CacheDown:
                use_cache = False
        missing = [row[0] for row, key in zip(chunk, keys, strict=True) if key not in found]
        if missing:
            events = Event.objects.select_related("venue", "organiser", "working_group").in_bulk(
                missing
            )
            made = {}
            for row, key in zip(chunk, keys, strict=True):
                if key not in found and row[0] in events:
                    made[key] = found[key] = ics.vevent_fragment(events[row[0]], members=members)
            if use_cache and made:
                _quiet("set_many", made, FRAGMENT_CACHE_SECONDS)
        for key in keys:
            fragment = found.get(key)
            if fragment is not None:
                yield fragment


@dataclass
class FeedKind:
    """What a feed is: its events (a function of the day), audience and calendar name."""

    name: str
    events: Callable
    members: bool
    title: str
    description: str
    filename: str
    private: bool

    def build(self, as_of, *, use_cache=True):
        events = self.events(as_of)
        built = Built()
        ics.write_calendar(
            built.write,
            vevent_fragments(events, members=self.members, use_cache=use_cache),
            years=ics.feed_years(events),
            name=self.title,
            description=self.description,
        )
        return built.finish()


def public_kind():
    return FeedKind(
        "public",
        lambda as_of: ics.public_feed_events(now=as_of),
        members=False,
        title=ics.PUBLIC_FEED_NAME,
        description=ics.PUBLIC_FEED_DESCRIPTION,
        filename="wmasn.ics",
        private=False,
    )


def personal_kind(user_id, token_hash):
    from network.models import User

    user = User(pk=user_id)
    return FeedKind(
        f"token-{token_hash}",
        lambda as_of: ics.personal_feed_events(user, now=as_of),
        members=True,
        title=ics.PERSONAL_FEED_NAME,
        description=ics.PERSONAL_FEED_DESCRIPTION,
        filename="wmasn-members.ics",
        private=True,
    )


# --- bodies kept in this process ------------------------------------------------------------


class LocalBodies:
    """The gzipped bodies (and plain forms) this process served last, bounded in bytes."""

    def __init__(self, budget):
        self.budget = budget
        self._items = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, etag, *, plain):
        with self._lock:
            item = self._items.get(etag)
            if item is None:
                return None
            self._items.move_to_end(etag)
            return item[1] if plain else item[0]

    def put(self, etag, gzipped, plain=None):
        size = len(gzipped) + (len(plain) if plain is not None else 0)
        if size > self.budget:
            return
        with self._lock:
            old = self._items.pop(etag, None)
            if old is not None:
                self._bytes -= len(old[0]) + (len(old[1]) if old[1] is not None else 0)
            self._items[etag] = (gzipped, plain)
            self._bytes += size
            while self._bytes > self.budget:
                _, (gz, pl) = self._items.popitem(last=False)
                self._bytes -= len(gz) + (len(pl) if pl is not None else 0)

    def clear(self):
        with self._lock:
            self._items.clear()
            self._bytes = 0


local_bodies = LocalBodies(LOCAL_BODY_BYTES)


# --- the feed a request gets ----------------------------------------------------------------


class Feed:
    """Validators of one version of a feed, and its body on demand."""

    def __init__(self, etag, last_modified, *, gzipped=None):
        self.etag = etag
        self.last_modified = last_modified
        self._gzipped = gzipped
        self.after_response = None

    def body(self, *, gzipped):
        found = local_bodies.get(self.etag, plain=not gzipped)
        if found is not None:
            return found
        gz = self._gzipped or local_bodies.get(self.etag, plain=False)
        if gz is None:
            gz = _cache("get", _body_key(self.etag))
            if gz is None:
                return None
        plain = None if gzipped else gzip.decompress(gz)
        local_bodies.put(self.etag, gz, plain)
        return gz if gzipped else plain


def _store(kind, built, stamp, previous):
    if previous and previous["etag"] == built.etag:
        last_modified = previous["last_modified"]
    else:
        last_modified = int(time.time())
        if previous:
            # HTTP dates have whole seconds: two bodies in one second must still differ.
            last_modified = max(last_modified, previous["last_modified"] + 1)
    meta = {"stamp": stamp, "etag": built.etag, "last_modified": last_modified}
    # The body first, so validators never name a body that is not there.
    _quiet("set", _body_key(built.etag), built.gzipped, FEED_CACHE_SECONDS)
    _quiet("set", _meta_key(kind.name), meta, FEED_CACHE_SECONDS)
    local_bodies.put(built.etag, built.gzipped)
    _count_build()
    return meta


def _count_build():
    try:
        try:
            cache.incr(builds_key())
        except ValueError:
            cache.set(builds_key(), 1, None)
    except Exception as error:  # noqa: BLE001 - a lost count costs nothing
        logger.debug("Could not count a feed build: %s", error.__class__.__name__)


def _release(kind, token):
    try:
        if _cache("get", _lock_key(kind.name)) == token:
            _cache("delete", _lock_key(kind.name))
    except CacheDown:
        pass


def _build_and_store(kind, as_of, stamp, previous, token):
    try:
        return _store(kind, kind.build(as_of), stamp, previous)
    finally:
        _release(kind, token)


def _build_uncached(kind, as_of):
    built = kind.build(as_of, use_cache=False)
    local_bodies.put(built.etag, built.gzipped)
    return Feed(built.etag, int(time.time()), gzipped=built.gzipped)


def current_feed(kind, *, found=None, now=None):
    """The version of this feed to serve now (see the module docstring for the rules)."""
    as_of = feed_as_of(now)
    meta_key = _meta_key(kind.name)
    local = None if kind.private else _local_validators.get(meta_key)
    if local is not None and local[0] > time.monotonic() and local[1] == as_of:
        return Feed(local[2]["etag"], local[2]["last_modified"])
    try:
        if found is None:
            found = _cache("get_many", [version_key(), meta_key])
        stamp = f"{_current(found, version_key())}:{as_of.date().isoformat()}"
    except CacheDown:
        return _build_uncached(kind, as_of)
    meta = found.get(meta_key)
    if meta is not None and meta["stamp"] == stamp:
        if not kind.private and LOCAL_VALIDATOR_SECONDS:
            expires = time.monotonic() + LOCAL_VALIDATOR_SECONDS
            _local_validators[meta_key] = (expires, as_of, meta)
        return Feed(meta["etag"], meta["last_modified"])
    previous = meta
    token = uuid.uuid4().hex
    try:
        locked = _cache("add", _lock_key(kind.name), token, LOCK_SECONDS)
    except CacheDown:
        return _build_uncached(kind, as_of)
    if previous is not None and _previous_body_available(previous):
        feed = Feed(previous["etag"], previous["last_modified"])
        if locked:
            feed.after_response = lambda: _build_and_store(kind, as_of, stamp, previous, token)
        return feed
    if locked:
        meta = _build_and_store(kind, as_of, stamp, previous, token)
        return Feed(meta["etag"], meta["last_modified"])
    meta = _wait_for_build(meta_key, stamp)
    if meta is None:
        # Building it here too would be the stampede the lock prevents: come back later.
        raise FeedBusy
    return Feed(meta["etag"], meta["last_modified"])


def _previous_body_available(previous):
    if local_bodies.get(previous["etag"], plain=False) is not None:
        return True
    try:
        return _cache("has_key", _body_key(previous["etag"]))
    except CacheDown:
        return False


def _wait_for_build(meta_key, stamp):
    deadline = time.monotonic() + WAIT_FOR_BUILD_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_POLL_SECONDS)
        try:
            meta = _cache("get", meta_key)
        except CacheDown:
            return None
        if meta is not None and meta["stamp"] == stamp:
            return meta
    return None


# --- responses ------------------------------------------------------------------------------


class FeedResponse(HttpResponse):
    """A feed response that may rebuild the feed once it has been sent (in close())."""

    after_response = None

    def close(self):
        try:
            if self.after_response is not None:
                after, self.after_response = self.after_response, None
                try:
                    after()
                except Exception:
                    logger.exception("Rebuilding a feed after its response failed")
        finally:
            super().close()


def _client_has(request, etag, last_modified):
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tags = parse_etags(if_none_match)
        return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and last_modified <= since


def accepts_gzip(request):
    return "gzip" in request.headers.get("Accept-Encoding", "")


def feed_response(request, kind, feed):
    """The feed's body, or a 304 when the client's copy is current (without reading it)."""
    use_gzip = accepts_gzip(request)
    etag = feed.etag[:-1] + GZIP_SUFFIX + '"' if use_gzip else feed.etag
    if _client_has(request, etag, feed.last_modified):
        response = FeedResponse(status=304)
        del response["Content-Type"]
    else:
        try:
            body = feed.body(gzipped=use_gzip)
        except CacheDown:
            body = None
        if body is None:
            # Evicted between the validators and the body: build it here, uncached.
            fresh = _build_uncached(kind, feed_as_of())
            feed.after_response = None
            return feed_response(request, kind, fresh)
        response = FeedResponse(body, content_type=CONTENT_TYPE)
        response["Content-Length"] = str(len(body))
        response["Content-Disposition"] = f'inline; filename="{kind.filename}"'
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(feed.last_modified)
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL if kind.private else PUBLIC_CACHE_CONTROL
    response["Vary"] = "Accept-Encoding"
    response.after_response = feed.after_response
    return response


def busy_response():
    response = HttpResponse("The calendar is being prepared: try again shortly.", status=503)
    response["Retry-After"] = str(WAIT_FOR_BUILD_SECONDS)
    response["Content-Type"] = "text/plain; charset=utf-8"
    return response


def serve_public_feed(request):
    kind = public_kind()
    try:
        return feed_response(request, kind, current_feed(kind))
    except FeedBusy:
        return busy_response()


def calendar_response(
    request, body, *, etag=None, last_modified=None, filename, private, attachment=False
):
    """An ICS response with validators; a 304 when the client's copy is current."""
    from django.utils.cache import get_conditional_response

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


# --- personal feeds: the token and membership checks from the cache -------------------------

# A cached check is kept this long at most; any change to tokens, memberships, users or
# agencies makes every cached check stale at once (the access generation).
ACCESS_RECORD_SECONDS = 60 * 60
# How often a personal feed fetch is recorded; calendar apps may poll every few minutes.
FETCH_RECORD_INTERVAL_SECONDS = 60
LAST_CLIENT_MAX_LENGTH = 255
_recorded = {}


@functools.lru_cache(maxsize=8)
def _keys_fingerprint(secret_key, fallbacks):
    material = "\n".join([secret_key, *fallbacks]).encode()
    return hashlib.sha256(material).hexdigest()[:16]


def _access_key(token_hash):
    # Links are signed with SECRET_KEY (and its fallbacks): a rotation must not let a check
    # cached under the old keys answer for the new ones.
    fingerprint = _keys_fingerprint(
        settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    )
    return cache_key("feed-token", fingerprint, token_hash)


def _access_from_cache(found, token_hash):
    record = found.get(_access_key(token_hash))
    generation = found.get(access_generation_key())
    if record is not None and generation is not None and record["generation"] == generation:
        return record["user_id"], record["token_id"]
    return None


def _access_from_database(raw_token, token_hash, found):
    """The checks of the database; remembered under the generation read before them, so
    a change made while they ran leaves the record stale rather than wrong."""
    from events.models import CalendarToken

    generation = None
    if found is not None:
        try:
            generation = _current(found, access_generation_key())
        except CacheDown:
            generation = None
    token = CalendarToken.objects.find(raw_token)
    if token is None:
        return None
    user = token.user
    if not (user.is_active and user.sees_member_details):
        return None
    if generation is not None:
        record = {"generation": generation, "user_id": user.pk, "token_id": token.pk}
        _quiet("set", _access_key(token_hash), record, ACCESS_RECORD_SECONDS)
    return user.pk, token.pk


def personal_feed_access(raw_token, found=None):
    """(user id, token id) when this link is live and its owner sees member details."""
    from events.models import hash_calendar_token

    if not raw_token or len(raw_token) > 128:
        return None
    token_hash = hash_calendar_token(raw_token)
    access = _access_from_cache(found, token_hash) if found is not None else None
    return access or _access_from_database(raw_token, token_hash, found)


def _record_fetch(token_id, token_hash, request):
    """Note when and by which client the feed was fetched, at most once a minute."""
    from events.models import CalendarToken

    now = time.time()
    last = _recorded.get(token_hash)
    if last is not None and now - last < FETCH_RECORD_INTERVAL_SECONDS:
        return
    if len(_recorded) > 100_000:
        _recorded.clear()
    _recorded[token_hash] = now
    try:
        due = _cache("add", cache_key("feed-fetch", token_id), 1, FETCH_RECORD_INTERVAL_SECONDS)
    except CacheDown:
        due = True
    if due:
        client = request.headers.get("User-Agent", "")[:LAST_CLIENT_MAX_LENGTH]
        CalendarToken.objects.filter(pk=token_id).update(
            last_fetched_at=timezone.now(), last_client=client
        )


def serve_personal_feed(request, raw_token):
    """A member's personal feed, or None (a 404) once the link or membership ends."""
    from events.models import hash_calendar_token

    if not raw_token or len(raw_token) > 128:
        return None
    token_hash = hash_calendar_token(raw_token)
    name = f"token-{token_hash}"
    try:
        found = _cache(
            "get_many",
            [_access_key(token_hash), access_generation_key(), version_key(), _meta_key(name)],
        )
    except CacheDown:
        found = None
    access = personal_feed_access(raw_token, found)
    if access is None:
        return None
    user_id, token_id = access
    kind = personal_kind(user_id, token_hash)
    try:
        feed = current_feed(kind, found=found)
    except FeedBusy:
        return busy_response()
    _record_fetch(token_id, token_hash, request)
    return feed_response(request, kind, feed)
