"""A circuit breaker whose state lives in the Django cache, shared by every worker.

When Dr. Green is down, each storefront request that needs it would otherwise wait for
its own timeouts. After ``threshold`` consecutive failed attempts the breaker *opens*:
calls fail at once with :class:`CircuitOpen` for ``cooldown`` seconds. Then it lets
exactly one trial request through (*half-open*; the slot is taken with an atomic
``cache.add``, so only one worker probes); a success closes it, a failure opens it for
another cool-down. With Redis as the cache, all web workers and task workers see the
same state; with the local-memory cache each process has its own.

The state is keyed by base URL and API key: one tenant's revoked key does not cut off
the others, and a staging host is tracked apart from production.

If the cache itself fails, the breaker lets calls through (logged): losing the breaker
must not take the integration down with it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger("budstack.drgreen")


@dataclass(frozen=True)
class BreakerState:
    failures: int
    open_until: float | None

    @property
    def is_open(self) -> bool:
        return self.open_until is not None and time.time() < self.open_until


class CircuitBreaker:
    def __init__(
        self, name: str, *, threshold: int = 5, cooldown: float = 30.0, failure_window: float = 600.0
    ):
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        digest = hashlib.sha256(name.encode()).hexdigest()[:24]
        self.prefix = f"drgreen:breaker:{digest}"
        self.threshold = threshold
        self.cooldown = cooldown
        self.failure_window = failure_window  # failures older than this do not add up

    @classmethod
    def for_endpoint(cls, base_url: str, api_key: str, **options) -> CircuitBreaker:
        return cls(f"{base_url.rstrip('/')}|{api_key}", **options)

    @property
    def _failures_key(self) -> str:
        return f"{self.prefix}:failures"

    @property
    def _open_key(self) -> str:
        return f"{self.prefix}:open_until"

    @property
    def _probe_key(self) -> str:
        return f"{self.prefix}:probe"

    def state(self) -> BreakerState:
        try:
            values = cache.get_many([self._failures_key, self._open_key])
        except Exception:  # see the module docstring
            logger.warning("Dr. Green breaker: cache unavailable, letting calls through", exc_info=True)
            return BreakerState(0, None)
        return BreakerState(int(values.get(self._failures_key) or 0), values.get(self._open_key))

    def allow(self) -> tuple[bool, float]:
        """``(True, 0)`` if a request may be sent, else ``(False, seconds until a retry)``."""
        try:
            open_until = cache.get(self._open_key)
            if open_until is None:
                return True, 0.0
            remaining = open_until - time.time()
            if remaining > 0:
                return False, remaining
            # Half-open: one caller (in any worker) gets the trial request.
            if cache.add(self._probe_key, 1, timeout=max(self.cooldown, 1)):
                return True, 0.0
            return False, self.cooldown
        except Exception:
            logger.warning("Dr. Green breaker: cache unavailable, letting calls through", exc_info=True)
            return True, 0.0

    def record_success(self) -> None:
        try:
            values = cache.get_many([self._failures_key, self._open_key])
            if values:
                if values.get(self._open_key) is not None:
                    logger.info("Dr. Green breaker %s closed", self.prefix)
                cache.delete_many([self._failures_key, self._open_key, self._probe_key])
        except Exception:
            logger.warning("Dr. Green breaker: cache unavailable", exc_info=True)

    def record_failure(self) -> None:
        try:
            failures = self._increment_failures()
            half_open = cache.get(self._open_key) is not None
            if half_open or failures >= self.threshold:
                # The open marker outlives the cool-down so that the next caller knows
                # to send a single trial request rather than a flood.
                cache.set(self._open_key, time.time() + self.cooldown, timeout=None)
                cache.delete(self._probe_key)
                logger.warning(
                    "Dr. Green breaker %s open for %.1fs after %d consecutive failures",
                    self.prefix,
                    self.cooldown,
                    failures,
                )
        except Exception:
            logger.warning("Dr. Green breaker: cache unavailable", exc_info=True)

    def _increment_failures(self) -> int:
        timeout = max(int(self.failure_window), 1)
        if cache.add(self._failures_key, 1, timeout=timeout):
            return 1
        try:
            return cache.incr(self._failures_key)
        except ValueError:  # expired between add and incr
            cache.set(self._failures_key, 1, timeout=timeout)
            return 1

    def reset(self) -> None:
        cache.delete_many([self._failures_key, self._open_key, self._probe_key])
