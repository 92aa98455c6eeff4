"""The cart: in the session for visitors, in the database for signed-in patients.

A visitor's session cart is keyed by tenant (one browser can visit two dispensaries
under ``/store/<slug>/``). When the visitor signs in as a patient of the tenant, the
session cart is merged into the persisted one on the next cart access. Lines only ever
show products the shopper may buy (``commerce.catalog``); prices come from the product
rows at the moment of display, and totals are Decimal sums computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest

from commerce.catalog import products_for_request
from commerce.models import CartItem, Product

SESSION_KEY = "budstack_cart"
MAX_QUANTITY = 99


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return (self.product.price * self.quantity).quantize(Decimal("0.01"))

    @property
    def flower_grams(self) -> Decimal:
        return self.product.flower_equivalent_grams * self.quantity


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]
    dropped: int = 0  # lines no longer sellable here (gated, unpublished) and left out

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def currency(self) -> str:
        return self.lines[0].product.currency if self.lines else ""

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def flower_grams(self) -> Decimal:
        return sum((line.flower_grams for line in self.lines), Decimal("0"))

    def items(self) -> list[tuple[int, int]]:
        return [(line.product.pk, line.quantity) for line in self.lines]

    def __bool__(self) -> bool:
        return bool(self.lines)


def _persisted(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and getattr(user, "tenant_id", None) == request.tenant.pk


def _session_lines(request: HttpRequest) -> dict[str, int]:
    carts = request.session.get(SESSION_KEY, {})
    return dict(carts.get(str(request.tenant.pk), {}))


def _save_session_lines(request: HttpRequest, lines: dict[str, int]) -> None:
    stored = request.session.get(SESSION_KEY, {})
    carts = dict(stored)
    if lines:
        carts[str(request.tenant.pk)] = lines
    else:
        carts.pop(str(request.tenant.pk), None)
    # Assigning marks the session modified, and a modified session is written back at the
    # end of the request: emptying a cart that the session never held must not cost that.
    if carts != stored:
        request.session[SESSION_KEY] = carts


def merge_session_cart(request: HttpRequest) -> None:
    """Move a visitor's session cart into the signed-in patient's persisted cart."""
    lines = _session_lines(request)
    if not lines or not _persisted(request):
        return  # the usual case, on every cart read: no savepoint for nothing to merge
    with transaction.atomic():
        for product_id, quantity in lines.items():
            product = Product.objects.filter(pk=product_id).first()
            if product is None:
                continue
            item, created = CartItem.objects.get_or_create(
                user=request.user, product=product, defaults={"quantity": quantity}
            )
            if not created:
                item.quantity = min(item.quantity + quantity, MAX_QUANTITY)
                item.save(update_fields=["quantity"])
        _save_session_lines(request, {})


def get_cart(request: HttpRequest) -> Cart:
    if _persisted(request):
        merge_session_cart(request)
        raw = {item.product_id: item.quantity for item in CartItem.objects.filter(user=request.user)}
    else:
        raw = {int(pid): qty for pid, qty in _session_lines(request).items()}
    products = {p.pk: p for p in products_for_request(request).filter(pk__in=raw)}
    lines = tuple(CartLine(products[pid], qty) for pid, qty in raw.items() if pid in products)
    return Cart(lines=lines, dropped=len(raw) - len(lines))


def set_quantity(request: HttpRequest, product: Product, quantity: int, *, add: bool = False) -> int:
    """Set (or add to) the quantity of ``product``; 0 removes it. Returns the new quantity."""
    if _persisted(request):
        merge_session_cart(request)
        item = CartItem.objects.filter(user=request.user, product=product).first()
        current = item.quantity if item else 0
    else:
        lines = _session_lines(request)
        current = int(lines.get(str(product.pk), 0))
    new = min(current + quantity if add else quantity, MAX_QUANTITY)
    if _persisted(request):
        if new <= 0:
            CartItem.objects.filter(user=request.user, product=product).delete()
        elif item:
            CartItem.objects.filter(pk=item.pk).update(quantity=new)
        else:
            CartItem.objects.create(user=request.user, product=product, quantity=new)
    else:
        if new <= 0:
            lines.pop(str(product.pk), None)
        else:
            lines[str(product.pk)] = new
        _save_session_lines(request, lines)
    return max(new, 0)


def clear(request: HttpRequest) -> None:
    if _persisted(request):
        CartItem.objects.filter(user=request.user).delete()
    _save_session_lines(request, {})


__all__ = ["Cart", "CartLine", "clear", "get_cart", "merge_session_cart", "set_quantity"]
