"""Which order status may follow which: the one table every transition goes through."""

from __future__ import annotations

from commerce.models import OrderStatus

S = OrderStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.PAID, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

# Moving into these puts the order's units back on the shelf: nothing was shipped.
RETURNS_STOCK: frozenset[str] = frozenset({S.CANCELLED})
# The order no longer needs its supplier mirror polled.
CLOSED: frozenset[str] = frozenset({S.DELIVERED, S.CANCELLED, S.REFUNDED})


class InvalidTransition(ValueError):
    def __init__(self, current: str, target: str):
        self.current, self.target = current, target
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none (final status)"
        super().__init__(f"An order that is {current} cannot become {target}; allowed: {allowed}.")


def allowed_next(status: str) -> list[str]:
    """Statuses an order in ``status`` may move to, in the contract's order."""
    return [s for s in OrderStatus.values if s in TRANSITIONS.get(status, ())]


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(current, target)
