"""A worker-local layer in front of Redis for keys under a tenant's content version.

A key made by :func:`pages.caching.tenant_key` names one version of the tenant's
content, so its value never changes: new content gets a new version and thus new keys.
A worker may therefore keep what it read in its own memory and answer the next request
without a round trip to Redis (each costs Python CPU in redis-py plus the wait; a page
needed about ten). Only the version itself is still read from Redis once per request,
and that read is what keeps every worker's copy current after a publish.

Entries are bounded (least recently used go first) and expire like their Redis twins,
so updates that bypass the version (``QuerySet.update``) stay bounded in time too.
Values other than strings are kept pickled, so each request gets its own copy to use.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache

MAX_ENTRIES = 512
# A value read from Redis is kept this long here (its remaining Redis lifetime is unknown).
LOCAL_SECONDS = 60

_MISSING = object()


class VersionedCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def _local(self, key: str) -> Any:
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                return _MISSING
            expires, data = item
            if expires < time.monotonic():
                del self._entries[key]
                return _MISSING
            self._entries.move_to_end(key)
        return data if isinstance(data, str) else pickle.loads(data)  # noqa: S301 - pickled by us

    def _remember(self, key: str, value: Any, seconds: float) -> None:
        data = value if isinstance(value, str) else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, data)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def get(self, key: str, default: Any = None) -> Any:
        value = self._local(key)
        if value is not _MISSING:
            return value
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            return default
        self._remember(key, value, LOCAL_SECONDS)
        return value

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        found, missing = {}, []
        for key in keys:
            value = self._local(key)
            if value is _MISSING:
                missing.append(key)
            else:
                found[key] = value
        if missing:
            for key, value in cache.get_many(missing).items():
                self._remember(key, value, LOCAL_SECONDS)
                found[key] = value
        return found

    def get_or_set(self, key: str, compute: Callable[[], Any], timeout: int) -> Any:
        """The cached value, or ``compute()``'s, stored (``None`` is a value like any other)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.set(key, value, timeout)
        return value

    def set(self, key: str, value: Any, timeout: int) -> None:
        cache.set(key, value, timeout)
        self._remember(key, value, min(timeout, LOCAL_SECONDS))

    def clear(self) -> None:
        """Forget this worker's copies (tests clear the shared cache between cases)."""
        with self._lock:
            self._entries.clear()


versioned_cache = VersionedCache()
