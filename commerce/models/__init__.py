"""Commerce models: products and the catalog page, carts, orders and their timeline."""

from commerce.models.cart import CartItem
from commerce.models.orders import Order, OrderEvent, OrderLine, OrderStatus, SupplierState
from commerce.models.products import CatalogPage, Product, ProductQuerySet

__all__ = [
    "CartItem",
    "CatalogPage",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderStatus",
    "Product",
    "ProductQuerySet",
    "SupplierState",
]

# The traceability ledger lives in its own package; importing it here keeps its models
# in the commerce app.
from commerce.traceability.models import Batch, BatchEvent  # noqa: E402

__all__ += ["Batch", "BatchEvent"]
