"""A patient's orders for the GDPR export and erasure (kyc.data_rights registry).

Erasure anonymises rather than deletes: the sale, its lines and totals stay for the
dispensary's legal records (regulated medicine), but nothing identifies the patient.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from commerce.models import CartItem, Order, OrderEvent


def export_patient_orders(user) -> list[dict[str, Any]]:
    orders = Order.objects.filter(user=user).prefetch_related("lines", "events")
    return [
        {
            "reference": order.reference,
            "status": order.status,
            "created_at": order.created_at.isoformat(),
            "currency": order.currency,
            "total": str(order.total),
            "flower_grams": str(order.flower_grams),
            "delivery": {
                "name": order.delivery_name,
                "line1": order.delivery_line1,
                "line2": order.delivery_line2,
                "city": order.delivery_city,
                "postcode": order.delivery_postcode,
                "country": order.delivery_country,
            },
            "lines": [
                {
                    "sku": line.sku,
                    "name": line.product_name,
                    "quantity": line.quantity,
                    "total": str(line.line_total),
                }
                for line in order.lines.all()
            ],
            "timeline": [
                {"at": event.created_at.isoformat(), "from": event.from_status, "to": event.to_status}
                for event in order.events.all()
            ],
        }
        for order in orders
    ]


@transaction.atomic
def anonymise_patient_orders(user) -> int:
    """Strip the patient from their orders; returns how many orders were anonymised."""
    orders = Order.objects.filter(user=user)
    OrderEvent.objects.filter(order__in=orders, actor=user).update(actor=None, actor_label="erased patient")
    CartItem.objects.filter(user=user).delete()
    return orders.update(
        user=None,
        email="",
        delivery_name="",
        delivery_line1="",
        delivery_line2="",
        delivery_city="",
        delivery_postcode="",
        idempotency_key="",
    )
