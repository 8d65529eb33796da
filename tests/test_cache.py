"""The Redis cache used in production when REDIS_URL is set."""

import os

import pytest

from wmasn.cache import SharedRedisCache

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
