"""What the patient's /account/ page shows of commerce."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commerce.allowance import allowance_for
from commerce.models import Order


def account_orders_context(request: HttpRequest) -> dict[str, Any]:
    """Context for ``commerce/includes/account_orders.html``: own orders and allowance."""
    orders = Order.objects.filter(user=request.user).prefetch_related("lines__batch", "events")[:50]
    return {"orders": orders, "allowance": allowance_for(request.user)}
