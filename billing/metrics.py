"""Monthly recurring revenue, for the platform dashboards."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from sites.models import Tenant


def mrr_by_currency() -> dict[str, Decimal]:
    """Sum of the plan prices of active tenants with a plan, per plan currency."""
    rows = (
        Tenant.objects.filter(status=Tenant.Status.ACTIVE, plan__isnull=False)
        .values("plan__currency")
        .annotate(total=Sum("plan__monthly_price"))
        .order_by("plan__currency")
    )
    return {row["plan__currency"]: row["total"] for row in rows}


def mrr(currency: str | None = None) -> Decimal:
    """MRR in ``currency``; without one, the sum over all currencies (plans share one today)."""
    totals = mrr_by_currency()
    if currency is not None:
        return totals.get(currency, Decimal("0"))
    return sum(totals.values(), Decimal("0"))
