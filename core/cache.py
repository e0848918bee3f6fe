"""Django's Redis cache, keeping one Redis client per connection pool.

Django's `RedisCache` makes a new `redis.Redis` client for every cache call, and each new client
builds its table of response callbacks (about 170 entries): a dashboard makes a dozen cache
calls (the session, reference data, its fragments). A client is a thread-safe wrapper around its
pool, so one client per pool serves every call. Django keeps one cache object per thread.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):  # noqa: ARG002 - Django's signature
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))  # pools live as long as this object
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
