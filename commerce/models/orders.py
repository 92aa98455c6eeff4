"""Orders, their lines and their timeline of status changes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from sites.models import TenantScopedModel


class OrderStatus(models.TextChoices):
    """The order statuses of CONTRACT.md; the allowed moves are in commerce.order_status."""

    PENDING = "PENDING", "Pending"
    CONFIRMED = "CONFIRMED", "Confirmed"
    PAID = "PAID", "Paid"
    SHIPPED = "SHIPPED", "Shipped"
    DELIVERED = "DELIVERED", "Delivered"
    CANCELLED = "CANCELLED", "Cancelled"
    REFUNDED = "REFUNDED", "Refunded"


class SupplierState(models.TextChoices):
    """Where mirroring the order to Dr. Green stands (commerce.supplier)."""

    NOT_CONNECTED = "NOT_CONNECTED", "Not connected"
    QUEUED = "QUEUED", "Queued"
    RETRYING = "RETRYING", "Failed, retrying"
    FAILED = "FAILED", "Failed, gave up"
    PLACED = "PLACED", "Placed with supplier"
    CLOSED = "CLOSED", "Closed"


class Order(TenantScopedModel):
    # Records, not content: no page or snippet links to them, so Wagtail's reference index
    # (a look-up and two savepoint blocks on every save) has nothing to learn from them.
    wagtail_reference_index_ignore = True

    reference = models.CharField(max_length=20, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="orders", editable=False
    )
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    flower_grams = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0"))
    email = models.EmailField(blank=True)
    delivery_name = models.CharField(max_length=200)
    delivery_line1 = models.CharField("address line 1", max_length=200)
    delivery_line2 = models.CharField("address line 2", max_length=200, blank=True)
    delivery_city = models.CharField("town or city", max_length=100)
    delivery_postcode = models.CharField("postcode", max_length=20)
    delivery_country = models.CharField("country", max_length=2)
    idempotency_key = models.CharField(max_length=128, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The mirror of this order at Dr. Green (commerce.supplier).
    supplier_state = models.CharField(
        max_length=16, choices=SupplierState.choices, default=SupplierState.NOT_CONNECTED
    )
    supplier_order_id = models.CharField(max_length=64, blank=True)
    supplier_invoice_number = models.CharField(max_length=64, blank=True)
    supplier_order_status = models.CharField(max_length=32, blank=True)
    supplier_payment_status = models.CharField(max_length=32, blank=True)
    supplier_approval = models.CharField(max_length=32, blank=True)
    supplier_attempts = models.PositiveSmallIntegerField(default=0)
    supplier_error = models.TextField(blank=True)
    supplier_next_attempt_at = models.DateTimeField(null=True, blank=True)
    supplier_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], name="order_reference_unique_per_tenant"),
            models.UniqueConstraint(
                fields=["tenant", "user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "created_at"])]

    def __str__(self) -> str:
        return f"Order {self.reference}"

    @property
    def delivery_address(self) -> str:
        parts = [self.delivery_line1, self.delivery_line2, self.delivery_city, self.delivery_postcode]
        return ", ".join(p for p in [*parts, self.delivery_country] if p)


class OrderLine(TenantScopedModel):
    wagtail_reference_index_ignore = True  # a record, not content: see above

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "commerce.Product", null=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    product_name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    drgreen_strain_id = models.CharField(max_length=64, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    flower_grams = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0"))
    supplier_grams = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0"))
    # The batch the units come from: its public ledger page is the patient's proof of
    # origin, and delivery appends a "dispensed" event to it.
    batch = models.ForeignKey(
        "commerce.Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"


class OrderEvent(TenantScopedModel):
    """One step of an order's timeline: who moved it from what to what, and when."""

    wagtail_reference_index_ignore = True  # a record, not content: see above

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
