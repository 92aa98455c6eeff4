"""Stock moves as conditional UPDATEs, so concurrent orders can never oversell.

``UPDATE ... SET stock = stock - n WHERE id = ... AND stock >= n`` is atomic in
PostgreSQL: of two transactions racing for the last unit, the second waits on the row
lock, re-evaluates the condition against the committed row and updates nothing.
"""

from __future__ import annotations

from django.db.models import F

from commerce.models import Product
from pages.caching import bump_content_version


class InsufficientStock(Exception):
    def __init__(self, product_name: str, wanted: int):
        self.product_name, self.wanted = product_name, wanted
        super().__init__(f"Insufficient stock: not enough “{product_name}” left for {wanted}.")


def take(product: Product, quantity: int) -> None:
    """Decrement ``product``'s stock by ``quantity`` or raise :class:`InsufficientStock`."""
    updated = Product.objects.filter(pk=product.pk, stock__gte=quantity).update(stock=F("stock") - quantity)
    if updated != 1:
        raise InsufficientStock(product.name, quantity)
    if not Product.objects.filter(pk=product.pk, stock__gt=0).exists():
        # Sold out: lists cached for the content version still say "In stock".
        bump_content_version(product.tenant_id)


def give_back(product_id: int, quantity: int) -> None:
    sold_out = Product.objects.filter(pk=product_id, stock=0).values_list("tenant_id", flat=True).first()
    Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity)
    if sold_out is not None:
        bump_content_version(sold_out)  # back in stock
