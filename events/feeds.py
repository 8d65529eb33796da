"""The calendar feeds: what each one holds, how its body is built, who may fetch a personal one.

A feed is served from events/feed_cache.py: current on the first request after any change,
built once per change. A body is streamed into gzip and SHA-256 as it is written, never held
whole, and kept gzipped; the ETag is that of the plain body.

Each event's VEVENT is cached per audience under a hash of what it is made from: every column
of the event's row and of the rows of FRAGMENT_RELATIONS (read in one query, and the only
rows building a fragment reads), the settings it reads and the code that writes it. So after
one change a rebuild makes that event's fragment again and no other, whatever changed and
however it was written.

When the cache keeps nothing (Redis away), feeds are built straight from the database. When
the database is down, a feed is answered with its last stored version, if any.
"""

import datetime as dt
import functools
import hashlib
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from events import feed_cache, ics, times, visibility
from events.feed_cache import CacheDown, Feed
from wmasn import links
from wmasn.changes import database_identity

logger = logging.getLogger(__name__)

FRAGMENT_CACHE_SECONDS = 60 * 60 * 24 * 7
FRAGMENT_CHUNK = 500
GZIP_LEVEL = 6
# The rows a VEVENT is made from besides the event's own (a test checks that building one
# from an event loaded with these makes no query).
FRAGMENT_RELATIONS = ("venue", "organiser", "working_group")
# A cached fragment is valid for one version of the code that writes it.
FRAGMENT_CODE = hashlib.blake2b(
    b"".join(Path(module.__file__).read_bytes() for module in (ics, times, visibility, links))
    + icalendar.__version__.encode(),
    digest_size=6,
).hexdigest()


def feed_as_of(now=None):
    """The instant feeds are built as of: the start of today in London."""
    today = (now or timezone.now()).astimezone(ics.LONDON).date()
    return dt.datetime.combine(today, dt.time.min, tzinfo=ics.LONDON)


@functools.lru_cache(maxsize=8)
def _basis(day, made_with):
    return hashlib.blake2b(f"{day}|{made_with}".encode(), digest_size=8).hexdigest()


# --- fragments ------------------------------------------------------------------------------


def _fields(model):
    return [field.attname for field in model._meta.concrete_fields]


@functools.cache
def _relations():
    from events.models import Event

    return [
        (name, Event._meta.get_field(name).related_model._meta.concrete_fields)
        for name in FRAGMENT_RELATIONS
    ]


@functools.cache
def fragment_columns():
    """Every column of the rows a VEVENT is made from, for values_list()."""
    from events.models import Event

    columns = _fields(Event)
    for name, fields in _relations():
        columns += [f"{name}__{field.attname}" for field in fields]
    return columns


def fragment_row(event):
    """The values of fragment_columns() for an event loaded with FRAGMENT_RELATIONS."""
    from events.models import Event

    row = [getattr(event, name) for name in _fields(Event)]
    for name, fields in _relations():
        related = getattr(event, name)
        row += [None if related is None else getattr(related, f.attname) for f in fields]
    return tuple(row)


def made_with():
    """What a feed is made with besides the rows: the code that writes it and the settings
    it reads (SITE_URL in links, DEFAULT_FROM_EMAIL as ORGANIZER, TIME_ZONE for dates)."""
    return "|".join(
        [FRAGMENT_CODE, settings.SITE_URL, settings.DEFAULT_FROM_EMAIL, settings.TIME_ZONE]
    )


def fragment_key(row, *, members, basis):
    material = f"{basis}|{int(members)}|{row!r}"
    digest = hashlib.blake2b(material.encode(), digest_size=16).hexdigest()
    return feed_cache.cache_key("vevent", digest)


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
    """Each event's VEVENT fragment, in the queryset's order: cached ones from the cache,
    the others built (one query per chunk) and cached under the rows they were built from."""
    from events.models import Event

    basis = made_with()
    rows = queryset.values_list(*fragment_columns()).iterator(chunk_size=FRAGMENT_CHUNK)
    for chunk in _chunks(rows, FRAGMENT_CHUNK):
        keys = [fragment_key(row, members=members, basis=basis) for row in chunk]
        found = cache.get_many(keys) if use_cache else {}
        missing = [row[0] for row, key in zip(chunk, keys, strict=True) if key not in found]
        if missing:
            events = Event.objects.select_related(*FRAGMENT_RELATIONS).in_bulk(missing)
            made = {}
            for row, key in zip(chunk, keys, strict=True):
                event = events.get(row[0])
                if key in found or event is None:
                    continue
                found[key] = ics.vevent_fragment(event, members=members)
                made[fragment_key(fragment_row(event), members=members, basis=basis)] = found[key]
            if use_cache and made:
                cache.set_many(made, FRAGMENT_CACHE_SECONDS)
        for key in keys:
            if key in found:
                yield found[key]


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


# --- the current version of a feed ----------------------------------------------------------


def current_feed(kind, *, found=None, now=None):
    """The feed as of the latest change: from the cache, or built now (once, however many
    requests ask at the same time)."""
    as_of = feed_as_of(now)
    # A feed is current for one day (it is built as of today) and one code and settings.
    basis = _basis(as_of.date(), made_with())
    identity = database_identity()
    name = feed_cache.validators_key(kind.name, identity)
    version_key = feed_cache.version_key(identity)
    try:
        if found is None:
            found = cache.get_many([version_key, name])
        version = feed_cache.current(found, version_key)
    except CacheDown:
        built = kind.build(as_of, use_cache=False)
        return Feed(built.etag, int(time.time()), built.gzipped)
    previous = found.get(name)
    if feed_cache.is_current(previous, version, basis):
        return feed_cache.feed_of(previous)
    try:
        return feed_cache.build_once(
            kind.name, lambda: kind.build(as_of), version=version, basis=basis, previous=previous
        )
    except DatabaseError:
        if previous is None or feed_cache.feed_of(previous).body() is None:
            raise
        # The database is down: the last version stored is the best answer there is.
        logger.warning("Feed %s served from its last version: the database is down", kind.name)
        return feed_cache.feed_of(previous)


def body(kind, feed):
    """The feed's gzipped body; built again if the cache has just lost it."""
    gzipped = feed.body()
    if gzipped is None:
        built = kind.build(feed_as_of())
        cache.set(feed_cache.body_key(built.etag), built.gzipped, feed_cache.FEED_SECONDS)
        gzipped = built.gzipped
    return gzipped


# --- personal feeds: the link check, from the cache while nothing changed -------------------

# A cached check is kept this long at most; any change to tokens, memberships, users or
# agencies makes every cached check stale at once (the access version).
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
    return feed_cache.cache_key("feed-token", fingerprint, token_hash)


def personal_feed_access(raw_token, token_hash, found):
    """(user id, token id) when this link is live and its owner sees member details. A check
    made from the database is kept under the access version read before it, so a change made
    while it ran leaves it stale rather than wrong."""
    from events.models import CalendarToken

    try:
        access_version = feed_cache.current(found, feed_cache.access_version_key())
    except CacheDown:
        access_version = None
    record = found.get(_access_key(token_hash))
    if (
        record is not None
        and access_version is not None
        and record.get("version") == access_version
    ):
        return record["user_id"], record["token_id"]
    token = CalendarToken.objects.find(raw_token)
    if token is None or not (token.user.is_active and token.user.sees_member_details):
        return None
    if access_version is not None:
        record = {"version": access_version, "user_id": token.user_id, "token_id": token.pk}
        cache.set(_access_key(token_hash), record, ACCESS_RECORD_SECONDS)
    return token.user_id, token.pk


def _record_fetch(token_id, token_hash, user_agent):
    """Note when and by which client the feed was fetched, at most once a minute a worker."""
    from events.models import CalendarToken

    now = time.time()
    last = _recorded.get(token_hash)
    if last is not None and now - last < FETCH_RECORD_INTERVAL_SECONDS:
        return
    if len(_recorded) > 100_000:
        _recorded.clear()
    _recorded[token_hash] = now
    CalendarToken.objects.filter(pk=token_id).update(
        last_fetched_at=timezone.now(), last_client=user_agent[:LAST_CLIENT_MAX_LENGTH]
    )


def personal_feed(raw_token, *, user_agent=""):
    """(kind, feed) of a member's personal feed, or None once the link or membership ends.
    The link check and the feed's validators come in one cache round trip."""
    from events.models import hash_calendar_token

    if not raw_token or len(raw_token) > 128:
        return None
    token_hash = hash_calendar_token(raw_token)
    identity = database_identity()
    found = cache.get_many(
        [
            _access_key(token_hash),
            feed_cache.access_version_key(identity),
            feed_cache.version_key(identity),
            feed_cache.validators_key(f"token-{token_hash}", identity),
        ]
    )
    access = personal_feed_access(raw_token, token_hash, found)
    if access is None:
        return None
    user_id, token_id = access
    kind = personal_kind(user_id, token_hash)
    feed = current_feed(kind, found=found)
    _record_fetch(token_id, token_hash, user_agent)
    return kind, feed
