"""Plan limits as order creation asks for them (kept for its callers).

The limits themselves live in :mod:`billing.limits`; this module keeps the names that
commerce already imports: :class:`PlanLimitReached` and :func:`check_order_limit`.
"""

from __future__ import annotations


class PlanLimitReached(Exception):
    """A tenant's plan does not allow one more of something.

    ``limit_key`` names the limit (``orders``, ``staff_users``...), ``limit`` its value,
    ``used`` the current usage and ``plan`` the tenant's plan; the message says all of it.
    """

    code = "PLAN_LIMIT_REACHED"

    def __init__(
        self, message: str, *, limit_key: str = "", limit: int | None = None, used: int = 0, plan=None
    ):
        super().__init__(message)
        self.limit_key = limit_key
        self.limit = limit
        self.used = used
        self.plan = plan

    @property
    def details(self) -> dict:
        return {
            "limit": self.limit_key,
            "max": self.limit,
            "used": self.used,
            "plan": getattr(self.plan, "slug", None),
        }


def max_orders_per_month(tenant) -> int | None:
    """The tenant's plan limit, or None for no limit (no plan, or an empty limit)."""
    from billing.limits import limit_of

    return limit_of(tenant, "orders")


def check_order_limit(tenant) -> None:
    """Raise :class:`PlanLimitReached` when ``tenant`` has used its orders for the last 30 days."""
    from billing.limits import check_limit

    check_limit(tenant, "orders")
