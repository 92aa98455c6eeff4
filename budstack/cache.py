"""A Redis cache that degrades to "no cache" while Redis is unreachable.

The cache holds nothing that cannot be recomputed (tenant resolution, rendered
fragments, rate-limit counters, the Dr. Green breaker), so an outage of Redis must cost
speed, never a storefront error page. Each failed call is answered as a miss and logged;
calls go back to Redis as soon as it answers again.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("budstack.cache")

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _warn(operation: str) -> None:
    logger.warning("cache unavailable during %s; answering as a miss", operation, exc_info=True)


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django builds a new redis.Redis per call (~170 response callbacks registered
        # each time: a millisecond of CPU, several times per page). A client is only a
        # thin, thread-safe wrapper around its connection pool, so one per pool will do.
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        try:
            return super().add(key, value, timeout)
        except UNAVAILABLE:
            _warn("add")
            return False

    def get(self, key: Any, default: Any) -> Any:
        try:
            return super().get(key, default)
        except UNAVAILABLE:
            _warn("get")
            return default

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        try:
            super().set(key, value, timeout)
        except UNAVAILABLE:
            _warn("set")

    def touch(self, key: Any, timeout: Any) -> bool:
        try:
            return super().touch(key, timeout)
        except UNAVAILABLE:
            _warn("touch")
            return False

    def delete(self, key: Any) -> bool:
        try:
            return super().delete(key)
        except UNAVAILABLE:
            _warn("delete")
            return False

    def get_many(self, keys: Any) -> dict:
        try:
            return super().get_many(keys)
        except UNAVAILABLE:
            _warn("get_many")
            return {}

    def has_key(self, key: Any) -> bool:
        try:
            return super().has_key(key)
        except UNAVAILABLE:
            _warn("has_key")
            return False

    def incr(self, key: Any, delta: int) -> int:
        try:
            return super().incr(key, delta)
        except UNAVAILABLE as error:
            _warn("incr")
            # Django's answer for a missing key: callers already handle it.
            raise ValueError("cache unavailable") from error

    def set_many(self, data: dict, timeout: Any) -> None:
        try:
            super().set_many(data, timeout)
        except UNAVAILABLE:
            _warn("set_many")

    def delete_many(self, keys: Any) -> None:
        try:
            super().delete_many(keys)
        except UNAVAILABLE:
            _warn("delete_many")

    def clear(self) -> bool:
        try:
            return super().clear()
        except UNAVAILABLE:
            _warn("clear")
            return False


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
