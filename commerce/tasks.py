"""Background work of commerce: catalog sync, supplier order mirroring and polling."""

from __future__ import annotations

import logging

from celery import shared_task

from sites.context import platform_scope
from sites.tasks import tenant_task

logger = logging.getLogger("budstack.commerce")


def connected_tenant_ids() -> list[int]:
    """Tenants with their own, enabled Dr. Green credentials (a platform-wide question)."""
    from integrations.models import DrGreenCredentials

    with platform_scope("commerce: which tenants are connected to Dr. Green"):
        return list(DrGreenCredentials.objects.filter(enabled=True).values_list("tenant_id", flat=True))


@tenant_task(name="commerce.sync_drgreen_tenant", queue="default")
def sync_drgreen_tenant(tenant) -> str:
    from commerce.drgreen_sync import sync_tenant

    summary = str(sync_tenant(tenant))
    logger.info("Dr. Green sync %s", summary)
    return summary


@shared_task(name="commerce.sync_drgreen", queue="default")
def sync_drgreen() -> int:
    """Hourly: one sync task per connected tenant."""
    ids = connected_tenant_ids()
    for tenant_id in ids:
        sync_drgreen_tenant.delay(tenant_id)
    return len(ids)


@tenant_task(name="commerce.mirror_order", queue="default")
def mirror_order(tenant, order_id: int) -> str:
    from commerce.supplier import mirror_order as mirror

    return mirror(tenant, order_id).supplier_state


@tenant_task(name="commerce.send_order_confirmation", queue="default")
def send_order_confirmation(tenant, order_id: int) -> None:
    """The patient's order confirmation (queued by ``commerce.orders`` once the order commits)."""
    from commerce.models import Order
    from integrations.email import send_tenant_email

    try:
        order = Order.objects.prefetch_related("lines").get(pk=order_id)
        send_tenant_email(
            tenant, "order_confirmation", order.email, {"order": order, "lines": list(order.lines.all())}
        )
    except Exception:
        # The order stands; in eager mode (development) a mail outage must not turn the
        # checkout into an error page.
        logger.exception("order confirmation email for order %s failed", order_id)


@tenant_task(name="commerce.poll_supplier_orders_tenant", queue="default")
def poll_supplier_orders_tenant(tenant) -> dict:
    from commerce.supplier import poll_open_orders

    return poll_open_orders(tenant)


@shared_task(name="commerce.poll_supplier_orders", queue="default")
def poll_supplier_orders() -> int:
    """Every few minutes: retry due mirrors and refresh open supplier orders, per tenant."""
    ids = connected_tenant_ids()
    for tenant_id in ids:
        poll_supplier_orders_tenant.delay(tenant_id)
    return len(ids)
