"""Placing orders and moving them through their statuses.

``place_order`` is the only way an order comes to exist (checkout view, API, tests): it
checks KYC, the plan limit, regional gating and the prescribed allowance, takes stock
with conditional updates and writes the order, its lines and its first timeline entry
in one transaction. An ``idempotency_key`` makes a retried request return the order the
first one created instead of placing a second.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from commerce import stock, tasks
from commerce.allowance import check_allowance
from commerce.catalog import sellable_products
from commerce.models import Batch, Order, OrderEvent, OrderLine, OrderStatus, SupplierState
from commerce.order_status import RETURNS_STOCK, check_transition
from commerce.traceability.chain import record_dispensed
from integrations.events import emit_event
from sites.audit import record_audit
from sites.limits import check_order_limit

logger = logging.getLogger("budstack.commerce")

CENT = Decimal("0.01")


class OrderRefused(Exception):
    """An order that cannot be placed, with a message fit to show the patient."""

    code = "ORDER_REFUSED"


class NotVerified(OrderRefused):
    code = "KYC_NOT_VERIFIED"


class ProductUnavailable(OrderRefused):
    code = "PRODUCT_UNAVAILABLE"


class EmptyOrder(OrderRefused):
    code = "EMPTY_ORDER"


@dataclass(frozen=True)
class DeliveryAddress:
    name: str
    line1: str
    city: str
    postcode: str
    country: str
    line2: str = ""


@dataclass(frozen=True)
class Placement:
    order: Order
    created: bool  # False: an earlier request with the same idempotency key made it


def _reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "BS-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _existing(user, idempotency_key: str) -> Order | None:
    if not idempotency_key:
        return None
    return Order.objects.filter(user=user, idempotency_key=idempotency_key).first()


def place_order(
    tenant,
    user,
    items: Iterable[tuple[int, int]],
    address: DeliveryAddress,
    *,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Placement:
    """Place an order for ``items`` (``(product_id, quantity)`` pairs).

    Raises an :class:`OrderRefused` subclass, :class:`commerce.stock.InsufficientStock`,
    :class:`commerce.allowance.AllowanceExceeded` or :class:`sites.limits.PlanLimitReached`;
    nothing is written when it does.
    """
    idempotency_key = (idempotency_key or "").strip()[:128]
    earlier = _existing(user, idempotency_key)
    if earlier is not None:
        return Placement(earlier, created=False)
    try:
        order = _place(tenant, user, items, address, idempotency_key, request)
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its order.
        earlier = _existing(user, idempotency_key)
        if earlier is None:
            raise
        return Placement(earlier, created=False)
    return Placement(order, created=True)


@transaction.atomic
def _place(tenant, user, items, address: DeliveryAddress, idempotency_key: str, request) -> Order:
    from commerce import supplier
    from kyc.models import PatientProfile

    # Locking the patient's profile serialises one patient's concurrent checkouts, so two
    # orders cannot both fit in the same remaining allowance.
    profile = PatientProfile.objects.select_for_update().filter(user=user).first()
    if profile is None or not profile.is_verified:
        raise NotVerified("Only patients whose consultation has been verified can order.")
    check_order_limit(tenant)

    wanted: dict[int, int] = {}
    for product_id, quantity in items:
        if int(quantity) < 1:
            raise OrderRefused("Quantities must be at least 1.")
        wanted[int(product_id)] = wanted.get(int(product_id), 0) + int(quantity)
    if not wanted:
        raise EmptyOrder("Your cart is empty.")
    products = {p.pk: p for p in sellable_products(tenant, country=address.country).filter(pk__in=wanted)}
    missing = set(wanted) - set(products)
    if missing:
        raise ProductUnavailable(
            "Some products in your cart are not available for delivery to your country; please remove them."
        )
    currencies = {p.currency for p in products.values()}
    if len(currencies) != 1:
        raise OrderRefused("Products priced in different currencies cannot be ordered together.")

    grams = sum((products[pid].flower_equivalent_grams * qty for pid, qty in wanted.items()), Decimal("0"))
    check_allowance(user, grams, profile)  # under the profile's lock, read just above
    # Sold out already: refuse before writing anything or queueing on the product's row lock
    # (in a rush, most refused buyers arrive after the last unit went). The conditional
    # UPDATE below is still what decides when the stock runs out between here and there.
    for pid in sorted(wanted):
        if products[pid].stock < wanted[pid]:
            raise stock.InsufficientStock(products[pid].name, wanted[pid])

    mirror = any(p.drgreen_strain_id for p in products.values()) and supplier.is_connected(tenant)
    subtotal = sum((products[pid].price * qty for pid, qty in wanted.items()), Decimal("0")).quantize(CENT)
    order = Order.objects.create(
        tenant=tenant,
        reference=_reference(),
        user=user,
        currency=currencies.pop(),
        subtotal=subtotal,
        total=subtotal,
        flower_grams=grams,
        email=user.email,
        delivery_name=address.name,
        delivery_line1=address.line1,
        delivery_line2=address.line2,
        delivery_city=address.city,
        delivery_postcode=address.postcode,
        delivery_country=address.country.upper(),
        idempotency_key=idempotency_key,
        supplier_state=SupplierState.QUEUED if mirror else SupplierState.NOT_CONNECTED,
    )
    lines = []
    for pid in sorted(wanted):
        product, quantity = products[pid], wanted[pid]
        line = OrderLine.objects.create(
            tenant=tenant,
            order=order,
            product=product,
            product_name=product.name,
            sku=product.sku,
            drgreen_strain_id=product.drgreen_strain_id,
            unit_price=product.price,
            quantity=quantity,
            line_total=(product.price * quantity).quantize(CENT),
            flower_grams=product.flower_equivalent_grams * quantity,
            supplier_grams=(product.unit_weight_grams or product.flower_equivalent_grams) * quantity,
            batch=current_batch(product),
        )
        lines.append(line)
    OrderEvent.objects.create(
        tenant=tenant, order=order, to_status=OrderStatus.PENDING, actor=user, actor_label=_label(user)
    )
    record_audit(
        "order.created",
        actor=user,
        target=order,
        data={"reference": order.reference, "total": str(order.total), "currency": order.currency},
        request=request,
        tenant=tenant,
    )
    emit_event(tenant, "order.created", order_payload(order, lines))
    # Stock last: its row lock is held until commit, so buyers of the same product queue
    # only for these UPDATEs and the commit, not for the writes above. Rows are locked in
    # one order (by id) so two carts with the same products never deadlock.
    for pid in sorted(wanted):
        stock.take(products[pid], wanted[pid])
    # Rendered and sent by a worker: rendering three templates would otherwise cost every
    # checkout ~20 ms before the patient sees the confirmation. robust: a broker outage
    # must not turn a placed order into an error page (the order stands).
    order_id = order.pk
    transaction.on_commit(lambda: tasks.send_order_confirmation.delay(tenant.pk, order_id), robust=True)
    if order.supplier_state == SupplierState.QUEUED:
        supplier.enqueue_mirror(tenant, order)
    return order


def _label(user) -> str:
    if user is None:
        return "system"
    if getattr(user, "role", None) == "PATIENT":
        return f"patient #{user.pk}"
    return user.email


def order_payload(order: Order, lines: list[OrderLine] | None = None) -> dict:
    """The order as webhooks announce it; ``lines``: its lines when the caller holds them."""
    return {
        "id": order.pk,
        "reference": order.reference,
        "status": order.status,
        "currency": order.currency,
        "total": str(order.total),
        "created_at": order.created_at.isoformat() if order.created_at else None,
        "lines": [
            {
                "sku": line.sku,
                "name": line.product_name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
            }
            for line in (order.lines.all() if lines is None else lines)
        ],
    }


@transaction.atomic
def transition(
    order: Order,
    target: str,
    *,
    actor=None,
    note: str = "",
    request: HttpRequest | None = None,
    source: str = "staff",
) -> Order:
    """Move ``order`` to ``target`` if the table allows it (else :class:`InvalidTransition`)."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    check_transition(locked.status, target)
    previous = locked.status
    if target in RETURNS_STOCK:
        for line in locked.lines.exclude(product=None):
            stock.give_back(line.product_id, line.quantity)
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    label = _label(actor) if actor is not None else source
    OrderEvent.objects.create(
        tenant=locked.tenant,
        order=locked,
        from_status=previous,
        to_status=target,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        note=note[:500],
    )
    record_audit(
        "order.status_changed",
        actor=actor,
        target=locked,
        data={"reference": locked.reference, "from": previous, "to": target, "source": source},
        request=request,
        tenant=locked.tenant,
    )
    emit_event(
        locked.tenant,
        "order.status_changed",
        {**order_payload(locked), "previous_status": previous},
    )
    if target == OrderStatus.DELIVERED:
        _record_dispensed(locked, actor)
    order.status = locked.status
    return locked


def current_batch(product) -> Batch | None:
    """The batch a new order of ``product`` is dispensed from: the most recently produced."""
    return (
        Batch.objects.filter(product=product).order_by(F("produced_on").desc(nulls_last=True), "-pk").first()
    )


def _record_dispensed(order: Order, actor) -> None:
    """Each delivered line leaves a "dispensed" event, by order reference, on its batch's ledger."""
    for line in order.lines.exclude(batch=None).select_related("batch"):
        record_dispensed(line.batch, order_reference=order.reference, quantity=line.quantity, actor=actor)
