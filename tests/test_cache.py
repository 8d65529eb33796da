"""The Redis cache used in production when REDIS_URL is set."""

import os
import time
from unittest import mock

import pytest

from tests.servers import RedisServer, free_port
from wmasn.cache import RETRY_AFTER_SECONDS, SharedRedisCache, writes_lost

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis must answer at {REDIS_URL} in CI.")
        pytest.skip(f"No Redis at {REDIS_URL}.")
    cache = SharedRedisCache(REDIS_URL, {"KEY_PREFIX": "wmasn-test"})
    cache.clear()
    yield cache
    cache.clear()


def test_shared_redis_cache_stores_and_counts(redis_cache):
    redis_cache.set("feed-meta", {"etag": '"abc"'}, 60)
    redis_cache.set("version", 41, None)
    assert redis_cache.get_many(["feed-meta", "version", "missing"]) == {
        "feed-meta": {"etag": '"abc"'},
        "version": 41,
    }
    assert redis_cache.incr("version") == 42
    assert redis_cache.add("version", 1) is False


def test_shared_redis_cache_reuses_its_client(redis_cache):
    client = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b") is client
    assert redis_cache._cache.get_client("c", write=True) is not None


# Failing soft: a Redis that is down is a cache that misses, never an error.


def unreachable_cache():
    # A port nothing listens on: connections are refused at once.
    return SharedRedisCache(f"redis://127.0.0.1:{free_port()}/0", {"KEY_PREFIX": "wmasn-test"})


def test_cache_reads_miss_and_writes_do_nothing_when_redis_is_down(caplog):
    cache = unreachable_cache()
    with caplog.at_level("WARNING", logger="wmasn.cache"):
        assert cache.get("feed", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("a") is False
        assert cache.set("a", 1) is None
        assert cache.set_many({"a": 1}) == []
        assert cache.delete("a") is False
        cache.delete_many(["a"])
        assert cache.get_or_set("a", 5) == 5
    assert "Cache unavailable (ConnectionError" in caplog.text
    assert "get treated as a miss" in caplog.text


def test_cache_add_of_an_ordinary_key_fails_open_and_incr_reads_as_a_missing_key():
    cache = unreachable_cache()
    # Nothing relies on an ordinary key's lock for safety; guarded keys are tested below.
    assert cache.add("lock", True) is True
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_cache_backs_off_after_a_failure_and_logs_once(caplog):
    cache = unreachable_cache()
    with caplog.at_level("WARNING", logger="wmasn.cache"):
        for _ in range(50):
            cache.get("feed")
    assert caplog.text.count("Cache unavailable") == 1
    # Inside the back-off window no connection is even attempted; after it, one is, even
    # though requests kept coming all along.
    attempts = []
    with mock.patch.object(cache._cache, "get", side_effect=lambda *a: attempts.append(a)):
        deadline = time.monotonic() + RETRY_AFTER_SECONDS + 0.2
        while time.monotonic() < deadline and not attempts:
            cache.get("feed")
            time.sleep(0.01)
    assert attempts


@pytest.fixture
def own_redis():
    if not RedisServer.available():
        if os.environ.get("CI"):
            pytest.fail("redis-server must be installed in CI.")
        pytest.skip("redis-server is not installed.")
    server = RedisServer().start()
    yield server
    server.kill()


def test_cache_reconnects_after_redis_restarts_and_reports_lost_writes(own_redis, caplog, db):
    cache = SharedRedisCache(own_redis.url, {"KEY_PREFIX": "wmasn-test"})
    cache.set("version", 1)
    assert cache.get("version") == 1
    lost = []

    def receiver(sender, **kwargs):
        lost.append(sender)

    writes_lost.connect(receiver)
    try:
        with caplog.at_level("WARNING", logger="wmasn.cache"):
            own_redis.kill()
            assert cache.get("version") is None
            cache.set("version", 2)
            assert lost == []
            own_redis.start()
            time.sleep(RETRY_AFTER_SECONDS + 0.1)
            cache.set("version", 3)
            assert cache.get("version") == 3
    finally:
        writes_lost.disconnect(receiver)
    assert "Cache answers again; writes made while it was away were lost" in caplog.text
    assert lost == [SharedRedisCache]


def test_rate_limits_refuse_inside_the_back_off_window_when_no_fallback_answers(caplog):
    cache = unreachable_cache()  # no GUARDS cache configured
    lock = "allauth:rl:allauth.account:login:30/60/ip:192.0.2.1:lock"
    with caplog.at_level("WARNING", logger="wmasn.cache"):
        cache.get("events:feed:public")  # the failure that starts the back-off window
        assert cache.add(lock, True) is False
        assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y") is False
    assert "get treated as a miss" in caplog.text
    assert "Rate limits and TOTP checks cannot be kept" in caplog.text
    assert cache.guards_unavailable()
