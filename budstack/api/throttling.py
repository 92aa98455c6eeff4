"""Rate limits: per tenant, per user (by role) or per address, and stricter on sign-in.

Fixed windows counted with ``cache.incr`` (atomic on Redis), so every web process
shares one count. Rates come from ``BUDSTACK_API_THROTTLE_RATES`` and are read on each
request, so settings overrides apply at once.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


class WindowThrottle(BaseThrottle):
    scope = ""

    def rate_scope(self, request) -> str:
        return self.scope

    def ident(self, request, view) -> str | None:
        """Who is counted (tenant, user or address); None exempts the request.

        Each concrete throttle below answers this; the base class only counts."""
        raise NotImplementedError(f"{type(self).__name__} must say whom it counts")

    def allow_request(self, request, view) -> bool:
        ident = self.ident(request, view)
        rate = settings.BUDSTACK_API_THROTTLE_RATES.get(self.rate_scope(request))
        if ident is None or not rate:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        key = f"api-throttle:{self.rate_scope(request)}:{ident}:{window}"
        cache.add(key, 0, period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, period + 1)
            count = 1
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float:
        return getattr(self, "_wait", 1.0)


class TenantThrottle(WindowThrottle):
    """All callers of one tenant together: one noisy integration cannot starve the rest."""

    scope = "tenant"

    def ident(self, request, view) -> str | None:
        tenant = getattr(request._request, "tenant", None)
        return f"t{tenant.pk}" if tenant is not None else "platform"


class CallerThrottle(WindowThrottle):
    """Each signed-in user by role (patient or staff); anonymous callers by address."""

    def rate_scope(self, request) -> str:
        user = request.user
        if not user.is_authenticated:
            return "anon"
        return "patient" if user.is_patient else "staff"

    def ident(self, request, view) -> str | None:
        user = request.user
        if user.is_authenticated:
            return f"u{user.pk}"
        tenant = getattr(request._request, "tenant", None)
        return f"{tenant.pk if tenant else 'p'}:{self.get_ident(request)}"


class AuthThrottle(WindowThrottle):
    """Sign-in attempts per address: guessing passwords must be slow. (Per-account
    lockout is django-axes's job, as for every other sign-in.)"""

    scope = "auth"

    def ident(self, request, view) -> str | None:
        return self.get_ident(request)
