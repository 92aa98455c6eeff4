"""Plan limits: what a tenant uses, what its plan allows, and the refusal when it is full.

One module for every limit, so that each place where a limit bites (staff accounts,
patient signups, orders, products, uploads) asks the same question the same way::

    check_limit(tenant, "products")            # raises PlanLimitReached when full
    check_limit(tenant, "storage_mb", adding=size_in_mb)

A tenant without a plan, or a plan limit left empty, is unlimited. Usage is counted
with one query per limit (COUNT or SUM), never by loading rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from sites.limits import PlanLimitReached

__all__ = ["LIMITS", "PlanLimitReached", "Limit", "check_limit", "exceeded_limits", "limit_of", "usage"]

MB = 1024 * 1024
ORDER_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Limit:
    key: str
    field: str  # on billing.Plan
    label: str  # "staff users"
    unit: str = ""


LIMITS: dict[str, Limit] = {
    limit.key: limit
    for limit in (
        Limit("staff_users", "max_staff_users", "staff users"),
        Limit("patients", "max_patients", "patients"),
        Limit("orders", "max_orders_per_month", "orders per month"),
        Limit("products", "max_products", "products"),
        Limit("storage_mb", "max_storage_mb", "storage", "MB"),
    )
}


def limit_of(tenant, key: str, plan=None) -> int | None:
    """The limit ``key`` of ``plan`` (default: the tenant's), None when unlimited."""
    plan = plan if plan is not None else getattr(tenant, "plan", None)
    value = getattr(plan, LIMITS[key].field, None) if plan is not None else None
    return value if isinstance(value, int) and value >= 0 else None


def count_staff_users(tenant) -> int:
    from sites.models import STAFF_ROLES, User

    return User.all_tenants.filter(tenant=tenant, role__in=STAFF_ROLES, is_active=True).count()


def count_patients(tenant) -> int:
    from sites.models import Role, User

    return User.all_tenants.filter(tenant=tenant, role=Role.PATIENT).count()


def count_orders(tenant) -> int:
    """Orders of the last 30 days: the window ``max_orders_per_month`` is measured over."""
    from commerce.models import Order

    return Order.all_tenants.filter(tenant=tenant, created_at__gte=timezone.now() - ORDER_WINDOW).count()


def count_products(tenant) -> int:
    from commerce.models import Product

    return Product.all_tenants.filter(tenant=tenant).count()


def storage_bytes(tenant) -> int:
    """Sum of the sizes of the tenant's images and documents (renditions not counted)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    total = 0
    for model in (get_image_model(), get_document_model()):
        total += model.all_tenants.filter(tenant=tenant).aggregate(size=Coalesce(Sum("file_size"), 0))["size"]
    return total


def storage_mb(tenant) -> Decimal:
    return (Decimal(storage_bytes(tenant)) / MB).quantize(Decimal("0.1"))


COUNTERS = {
    "staff_users": count_staff_users,
    "patients": count_patients,
    "orders": count_orders,
    "products": count_products,
    "storage_mb": storage_mb,
}


def usage(tenant) -> dict[str, int | Decimal]:
    """Current usage of every limit (five queries, six with storage's two tables)."""
    return {key: counter(tenant) for key, counter in COUNTERS.items()}


def describe(tenant, key: str, limit: int, used, plan=None) -> str:
    spec = LIMITS[key]
    plan = plan if plan is not None else tenant.plan
    unit = f" {spec.unit}" if spec.unit else ""
    allowance = f"{limit}{unit} of {spec.label}" if spec.unit else f"{limit} {spec.label}"
    # Patients read the order refusal at checkout: they cannot upgrade anything.
    advice = "Please contact the dispensary." if key == "orders" else "Upgrade the plan to add more."
    return (
        f"Plan limit reached: the {plan.name} plan of {tenant.name} allows {allowance} "
        f"and {used}{unit} are in use. {advice}"
    )


def check_limit(tenant, key: str, adding: int | Decimal = 1) -> None:
    """Raise :class:`PlanLimitReached` when ``adding`` more of ``key`` would pass the limit."""
    limit = limit_of(tenant, key)
    if limit is None:
        return
    used = COUNTERS[key](tenant)
    if used + adding > limit:
        raise PlanLimitReached(
            describe(tenant, key, limit, used), limit_key=key, limit=limit, used=used, plan=tenant.plan
        )


def exceeded_limits(tenant, plan) -> list[str]:
    """What ``tenant`` uses beyond ``plan``'s limits, one sentence per limit (empty: fits)."""
    if plan is None:
        return []
    problems = []
    for key, spec in LIMITS.items():
        limit = limit_of(tenant, key, plan)
        if limit is None:
            continue
        used = COUNTERS[key](tenant)
        if used > limit:
            unit = f" {spec.unit}" if spec.unit else ""
            problems.append(f"{spec.label}: {used}{unit} in use, the {plan.name} plan allows {limit}{unit}")
    return problems


def patients_full_message(tenant, refusal: PlanLimitReached) -> str:
    """What a person signing up is told when the dispensary's plan has no room left."""
    return (
        f"{tenant.name} cannot register new patients at the moment: its {refusal.plan.name} plan "
        f"allows {refusal.limit} patients. Please contact the dispensary."
    )
