"""Django's Redis cache: failing soft when Redis is unreachable, never failing open, and
reusing one client per connection pool.

Failing soft: the cache is an optimisation, never a dependency. When Redis cannot be reached
(a refused or dropped connection, a timeout), every read is a miss, every write a no-op and
`incr` raises ValueError as for a missing key. Each failure is logged (at most once every
LOG_EVERY_SECONDS per kind of operation, so an outage under load does not flood the logs).
After a failure the backend does not try Redis again for RETRY_AFTER_SECONDS, then
reconnects by itself: redis-py's pool opens a new connection on the next command. Writes
dropped while Redis was away are reported once it answers again through the `writes_lost`
signal, so that data cached under counters (the feeds) can be invalidated.

Only an unreachable Redis counts as "down". Any other error Redis answers with (a wrong type,
"value is not an integer", out of memory) is a bug in the portal: it is logged at ERROR with
its traceback and raised, and the backend carries on using Redis. Before this rule, one member
saving a pledge stored a float under a counter, the next `incr` failed, and every worker that
saw it stopped enforcing rate limits for a second (issue 24, docs/security.md).

Never failing open: login rate limits (allauth's `allauth:rl:` keys and their locks) and the
"this TOTP code was used" markers are the cache's only security duty. They are kept in the
GUARDS cache, the database cache (table `wmasn_cache`, `manage.py createcachetable`), whether
Redis answers or not: one store, so a Redis outage, its start or its end, neither resets a
count nor forgets a used code, and people still log in while Redis is away. Their cost is a
few small queries per log-in, next to a password hash of a few hundred milliseconds. Without
a GUARDS cache (tests building this backend alone) they live in Redis and are refused while
it is unreachable. If the GUARDS cache fails, `add` answers False: a rate-limit lock is not
taken (allauth answers 429) and a TOTP code counts as used (the code is refused), and
`guards_unavailable()` tells the pages to say why. Nothing answers 5xx for it.

Client reuse: Django builds a new redis.Redis object on every cache call (about 0.2 ms each,
measured with cProfile on the feed's 304 path); the client is thread-safe and its pool is
shared anyway.
"""

import functools
import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal

logger = logging.getLogger("wmasn.cache")

RETRY_AFTER_SECONDS = 1.0
LOG_EVERY_SECONDS = 10.0
# Keys that must never fail open: allauth's rate-limit counters and their locks, and
# allauth.mfa's markers of used TOTP codes (allauth/mfa/totp/internal/auth.py).
GUARDED_PREFIXES = ("allauth:rl:", "allauth.mfa.totp.used?")
# How long the pages say "sign-in checks are unavailable" after they could not be kept.
GUARDS_UNAVAILABLE_SECONDS = 10.0

# Sent once Redis answers again after writes were dropped while it was unreachable.
writes_lost = Signal()


def is_guarded(key):
    return key.startswith(GUARDED_PREFIXES)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class CacheUnavailable(Exception):
    """Redis is inside its back-off window after a failure: not worth a round trip."""


def _first_key(args):
    key = args[0] if args else ""
    if isinstance(key, dict):  # set_many
        key = next(iter(key), "")
    elif isinstance(key, list | tuple):  # get_many, delete_many
        key = key[0] if key else ""
    return key if isinstance(key, str) else ""


def _fail_soft(name, *, fallback, write):
    """Wrap RedisCache.<name>: a guarded key goes to the GUARDS cache; when Redis is
    unreachable, log and return fallback(args, kwargs); any other Redis error is a bug,
    logged and raised."""
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        key = _first_key(args)
        guarded = is_guarded(key)
        if guarded and self._guards_alias:
            return self._guarded(name, key, args, kwargs)
        try:
            self._check_available()
            result = method(self, *args, **kwargs)
        except self._unreachable as error:
            self._failed(name, error, write=write, key=key)
            if guarded:
                return self._refuse(name, key)
            return fallback(args, kwargs)
        except self._redis_error:
            logger.exception(
                "Redis refused %s on %r: a bug in the portal, not an outage.", name, key
            )
            raise
        self._answered()
        return result

    return wrapper


def _default(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


def _missing_key(args, kwargs):
    raise ValueError(f"Key {_first_key(args)!r} not found (cache unavailable).")


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        import redis

        self._unreachable = (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
            OSError,
            CacheUnavailable,
        )
        self._redis_error = redis.exceptions.RedisError
        # The cache alias that keeps rate limits and used TOTP codes (never Redis).
        self._guards_alias = params.get("GUARDS")
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._lost_writes = False
        self._last_logged = {}
        self._guards_failed_at = None

    def _check_available(self):
        if self._down_until and time.monotonic() < self._down_until:
            raise CacheUnavailable("waiting before retrying Redis")

    def _guarded(self, name, key, args, kwargs):
        """A rate-limit or TOTP key, in the GUARDS cache; if that fails, refuse."""
        try:
            return getattr(caches[self._guards_alias], name)(*args, **kwargs)
        except Exception:
            logger.exception("The %s cache does not answer.", self._guards_alias)
            return self._refuse(name, key)

    def _refuse(self, name, key):
        """Nowhere to count: add() refuses (no lock, a code counts as used); others raise."""
        self._guards_failed_at = time.monotonic()
        logger.error("Rate limits and TOTP checks cannot be kept: %s on %r refused.", name, key)
        if name == "add":
            return False
        raise CacheUnavailable(f"{name} on a guarded key: no cache answers")

    def guards_unavailable(self):
        """True shortly after rate limits and TOTP checks could not be kept anywhere."""
        failed_at = self._guards_failed_at
        return failed_at is not None and time.monotonic() - failed_at < GUARDS_UNAVAILABLE_SECONDS

    def _failed(self, name, error, *, write, key):
        guarded = is_guarded(key)
        with self._lock:
            self._lost_writes = self._lost_writes or (write and not guarded)
            if isinstance(error, CacheUnavailable):
                return  # logged when Redis itself failed
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        now = time.monotonic()
        if now - self._last_logged.get(name, -LOG_EVERY_SECONDS) < LOG_EVERY_SECONDS:
            return
        self._last_logged[name] = now
        logger.warning(
            "Cache unavailable (%s: %s): %s treated as a %s.",
            error.__class__.__name__,
            error,
            name,
            "no-op" if write else "miss",
        )

    def _answered(self):
        if not self._down_until:
            return
        with self._lock:
            lost, self._lost_writes, self._down_until = self._lost_writes, False, 0.0
        logger.warning("Cache answers again%s.", "; writes made while it was away were lost" * lost)
        if lost:
            writes_lost.send(sender=self.__class__, cache=self)

    get = _fail_soft("get", fallback=_default, write=False)
    get_many = _fail_soft("get_many", fallback=lambda args, kwargs: {}, write=False)
    has_key = _fail_soft("has_key", fallback=lambda args, kwargs: False, write=False)
    # add reports success for an ordinary key (a lock on it fails open: nothing depends on
    # it for safety); a guarded key is kept in the GUARDS cache instead (_guarded).
    add = _fail_soft("add", fallback=lambda args, kwargs: True, write=True)
    set = _fail_soft("set", fallback=lambda args, kwargs: None, write=True)
    set_many = _fail_soft("set_many", fallback=lambda args, kwargs: [], write=True)
    touch = _fail_soft("touch", fallback=lambda args, kwargs: False, write=True)
    delete = _fail_soft("delete", fallback=lambda args, kwargs: False, write=True)
    delete_many = _fail_soft("delete_many", fallback=lambda args, kwargs: None, write=True)
    incr = _fail_soft("incr", fallback=_missing_key, write=True)
    clear = _fail_soft("clear", fallback=lambda args, kwargs: False, write=True)


def guards_unavailable():
    """Whether the default cache recently could not keep rate limits and TOTP checks."""
    check = getattr(caches["default"], "guards_unavailable", None)
    return bool(check and check())


def create_cache_tables(sender, using="default", verbosity=1, **kwargs):
    """post_migrate: make the database cache's table, which rate limits and TOTP checks need
    (`createcachetable` is idempotent), so that a deploy that migrates cannot forget it."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))
