"""Plan limits: the one place order creation asks whether a tenant may take another order.

Plans do not exist yet; until the platform work gives tenants a plan with a
``max_orders_per_month``, every tenant is unlimited. When it does, only this module
changes: callers already handle :class:`PlanLimitReached`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


class PlanLimitReached(Exception):
    pass


def max_orders_per_month(tenant) -> int | None:
    """The tenant's plan limit, or None for no limit (the default until plans exist)."""
    plan = getattr(tenant, "plan", None)
    limit = getattr(plan, "max_orders_per_month", None)
    return limit if isinstance(limit, int) and limit >= 0 else None


def check_order_limit(tenant) -> None:
    """Raise :class:`PlanLimitReached` when ``tenant`` has used its orders for the last 30 days."""
    limit = max_orders_per_month(tenant)
    if limit is None:
        return
    from commerce.models import Order

    placed = Order.all_tenants.filter(
        tenant=tenant, created_at__gte=timezone.now() - timedelta(days=30)
    ).count()
    if placed >= limit:
        raise PlanLimitReached(
            f"{tenant.name} cannot take more orders this month (plan limit {limit}); "
            "please contact the dispensary."
        )
