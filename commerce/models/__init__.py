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
