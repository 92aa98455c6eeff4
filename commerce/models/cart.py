"""A logged-in patient's cart, kept in the database (visitors keep theirs in the session)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from sites.models import TenantScopedModel


class CartItem(TenantScopedModel):
    # Records, not content: no page or snippet links to them, so Wagtail's reference index
    # (a look-up and two savepoint blocks on every save) has nothing to learn from them.
    wagtail_reference_index_ignore = True

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey("commerce.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="cart_item_one_line_per_product"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"
