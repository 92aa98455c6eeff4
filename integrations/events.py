"""Platform events: the one way features announce that something happened to a tenant.

Features (pages, KYC, orders, products) call :func:`emit_event`; outbound webhook
delivery subscribes here. Events are only sent once the transaction that caused them
commits, so a rolled-back order never announces itself and the request never waits
on a subscriber.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("budstack.events")

EVENTS: tuple[str, ...] = (
    "order.created",
    "order.status_changed",
    "consultation.submitted",
    "kyc.status_changed",
    "patient.registered",
    "product.updated",
    "page.published",
)


class UnknownEvent(ValueError):
    pass


def emit_event(tenant, event: str, data: dict[str, Any]) -> None:
    """Announce ``event`` for ``tenant`` with a JSON-serialisable ``data`` payload.

    Creates one outbound webhook delivery per subscribed, active endpoint of the tenant
    (in the caller's transaction) and sends them from a Celery task after it commits.
    """
    if event not in EVENTS:
        raise UnknownEvent(f"Unknown event {event!r}; known: {', '.join(EVENTS)}")
    from integrations.webhooks.dispatch import queue_event

    deliveries = queue_event(tenant, event, data)
    logger.info(
        "event %s for tenant %s: %d deliveries", event, getattr(tenant, "slug", tenant), len(deliveries)
    )
