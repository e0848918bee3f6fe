"""The Redis cache backend (core/cache.py): one client per pool, and it behaves like Django's."""

from django.core.cache import caches

from core.cache import RedisCache


def test_the_cache_reuses_one_client_and_still_reads_and_writes():
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    client = cache._cache.get_client("any", write=True)
    assert cache._cache.get_client("other") is client  # one server: reads and writes share a pool

    cache.set("core-cache-test", {"rows": [1, 2]}, 30)
    assert cache.get("core-cache-test") == {"rows": [1, 2]}
    assert cache.get_many(["core-cache-test", "core-cache-missing"]) == {"core-cache-test": {"rows": [1, 2]}}
    cache.delete("core-cache-test")
    assert cache.get("core-cache-test") is None
