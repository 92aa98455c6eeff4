"""Mirroring placed orders to Dr. Green and following their status there.

For a tenant connected to Dr. Green, each placed order that contains supplier products is
sent after commit (a tenant task): the patient's server-side cart is emptied, filled with
the order's quantities in grams, and turned into a supplier order. The supplier's order
id, invoice number and approval/payment/shipping status are kept on the order.

A failure is never dropped: the order records the error and the next attempt time
(exponential backoff), staff see both in the order admin, and the periodic poll retries
what is due. After ``MAX_ATTEMPTS`` the order is marked FAILED for staff to handle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from integrations.webhooks.inbound import InboundWebhookEvent

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from commerce.models import Order, OrderStatus, SupplierState
from commerce.order_status import CLOSED, TRANSITIONS
from integrations.drgreen.credentials import client_for_tenant
from integrations.drgreen.errors import DrGreenError
from integrations.drgreen.types import Order as SupplierOrder

logger = logging.getLogger("budstack.commerce.supplier")

MAX_ATTEMPTS = 6
BASE_DELAY = timedelta(minutes=1)


def is_connected(tenant) -> bool:
    """The tenant has its own, enabled Dr. Green credentials."""
    from integrations.models import DrGreenCredentials

    return DrGreenCredentials.objects.filter(tenant=tenant, enabled=True).exists()


def enqueue_mirror(tenant, order: Order) -> None:
    from commerce.tasks import mirror_order
    from sites.tasks import enqueue_for_tenant

    enqueue_for_tenant(mirror_order, tenant, order.pk)


def backoff(attempts: int) -> timedelta:
    return BASE_DELAY * (2 ** max(attempts - 1, 0))


def _fail(order: Order, message: str, *, final: bool = False) -> None:
    order.supplier_attempts += 1
    order.supplier_error = message[:2000]
    if final or order.supplier_attempts >= MAX_ATTEMPTS:
        order.supplier_state = SupplierState.FAILED
        order.supplier_next_attempt_at = None
    else:
        order.supplier_state = SupplierState.RETRYING
        order.supplier_next_attempt_at = timezone.now() + backoff(order.supplier_attempts)
    order.save(
        update_fields=[
            "supplier_attempts",
            "supplier_error",
            "supplier_state",
            "supplier_next_attempt_at",
            "updated_at",
        ]
    )
    logger.warning("supplier mirror of %s failed (%s): %s", order.reference, order.supplier_state, message)


def mirror_order(tenant, order_id: int) -> Order:
    """Send one order to Dr. Green (idempotent: an order already placed there is left alone)."""
    from kyc.models import PatientProfile

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.supplier_order_id or order.supplier_state not in (
            SupplierState.QUEUED,
            SupplierState.RETRYING,
        ):
            return order
        lines = [line for line in order.lines.all() if line.drgreen_strain_id]
        if not lines:
            order.supplier_state = SupplierState.NOT_CONNECTED
            order.save(update_fields=["supplier_state", "updated_at"])
            return order
        profile = PatientProfile.objects.filter(user_id=order.user_id).first()
        client_id = profile.drgreen_client_id if profile else ""
        if not client_id:
            _fail(
                order, "The patient has no Dr. Green client record yet (consultation not synced).", final=True
            )
            return order
        try:
            with client_for_tenant(tenant) as client:
                remote = _adopt_existing(client, client_id, order) if order.supplier_attempts else None
                if remote is None:
                    patient = client.get_client(client_id)
                    if not patient.cart_id:
                        raise DrGreenError("the supplier has no cart for this patient")
                    client.remove_from_cart(patient.cart_id)  # start from an empty supplier cart
                    client.add_to_cart(
                        patient.cart_id, [(line.drgreen_strain_id, line.supplier_grams) for line in lines]
                    )
                    remote = client.create_order(client_id)
        except DrGreenError as exc:
            _fail(order, str(exc))
            return order
        order.supplier_order_id = remote.id
        order.supplier_state = SupplierState.PLACED
        order.supplier_error = ""
        order.supplier_next_attempt_at = None
        order.save(
            update_fields=[
                "supplier_order_id",
                "supplier_state",
                "supplier_error",
                "supplier_next_attempt_at",
            ]
        )
    return apply_supplier_status(order, remote)


def _adopt_existing(client, client_id: str, order: Order) -> SupplierOrder | None:
    """After a failed attempt the supplier may have created the order anyway: find it."""
    taken = set(Order.objects.exclude(supplier_order_id="").values_list("supplier_order_id", flat=True))
    for remote in client.list_orders(client_id, take=50, order_by="desc").items:
        if remote.id not in taken and (remote.created_at is None or remote.created_at >= order.created_at):
            return remote
    return None


def _local_targets(order: Order, remote: SupplierOrder) -> list[str]:
    """The local statuses the supplier's state implies, in the order they happen."""
    if remote.admin_approval == "REJECTED":
        return [OrderStatus.CANCELLED]
    targets = []
    if remote.admin_approval == "VERIFIED":
        targets.append(OrderStatus.CONFIRMED)
    if remote.payment_status == "PAID":
        targets.append(OrderStatus.PAID)
    if remote.order_status in ("SHIPPED", "DELIVERED"):
        targets.append(OrderStatus.SHIPPED)
    if remote.order_status == "DELIVERED":
        targets.append(OrderStatus.DELIVERED)
    return targets


def apply_supplier_status(order: Order, remote: SupplierOrder) -> Order:
    """Record the supplier's view of ``order`` and move it forward to match."""
    from commerce.orders import transition

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        order.supplier_invoice_number = remote.invoice_number or order.supplier_invoice_number
        order.supplier_order_status = remote.order_status
        order.supplier_payment_status = remote.payment_status
        order.supplier_approval = remote.admin_approval
        order.supplier_synced_at = timezone.now()
        order.save()
        for target in _local_targets(order, remote):
            if target in TRANSITIONS.get(order.status, ()):
                order = transition(order, target, source="supplier", note=f"Dr. Green order {remote.id}")
        if order.status in CLOSED and order.supplier_state == SupplierState.PLACED:
            order.supplier_state = SupplierState.CLOSED
            order.save(update_fields=["supplier_state"])
    return order


def poll_open_orders(tenant) -> dict[str, int]:
    """Retry due mirrors and refresh every open supplier order of ``tenant``."""
    summary = {"retried": 0, "polled": 0, "changed": 0, "errors": 0}
    now = timezone.now()
    due = Order.objects.filter(supplier_state=SupplierState.RETRYING, supplier_next_attempt_at__lte=now)
    for order_id in due.values_list("pk", flat=True):
        summary["retried"] += 1
        mirror_order(tenant, order_id)
    open_orders = Order.objects.filter(supplier_state=SupplierState.PLACED).exclude(status__in=CLOSED)
    orders = list(open_orders)
    if not orders:
        return summary
    try:
        client = client_for_tenant(tenant)
    except DrGreenError as exc:
        logger.warning("cannot poll supplier orders of %s: %s", tenant.slug, exc)
        summary["errors"] += 1
        return summary
    with client:
        for order in orders:
            summary["polled"] += 1
            try:
                remote = client.get_order(order.supplier_order_id)
            except DrGreenError as exc:
                summary["errors"] += 1
                logger.warning("polling supplier order %s failed: %s", order.supplier_order_id, exc)
                continue
            before = order.status
            if apply_supplier_status(order, remote).status != before:
                summary["changed"] += 1
    return summary


def handle_inbound_order_status(event: InboundWebhookEvent) -> None:
    """Inbound Dr. Green relay event for an order: re-read it and apply (never trust the body)."""
    payload = event.data.get("order") if isinstance(event.data.get("order"), dict) else event.data
    supplier_id = str(payload.get("orderId") or payload.get("id") or "")
    order = Order.objects.filter(supplier_order_id=supplier_id).first() if supplier_id else None
    if order is None:
        from integrations.webhooks.inbound import IgnoreEvent

        raise IgnoreEvent(f"no order with Dr. Green id {supplier_id!r}")
    with client_for_tenant(event.tenant) as client:
        apply_supplier_status(order, client.get_order(supplier_id))
