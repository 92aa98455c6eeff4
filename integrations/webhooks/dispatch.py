"""From an event to deliveries: what :func:`integrations.events.emit_event` does."""

from __future__ import annotations

import json
import logging
import uuid
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from sites.context import tenant_scope

from .models import WebhookDelivery, WebhookEndpoint
from .signing import body_bytes

if TYPE_CHECKING:
    from sites.models import Tenant

logger = logging.getLogger("budstack.webhooks")


def build_payload(tenant: Tenant, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """``{"id", "event", "created_at", "tenant", "data"}``, normalised to plain JSON."""
    payload = {
        "id": f"evt_{uuid.uuid4().hex}",
        "event": event,
        "created_at": timezone.now().isoformat(),
        "tenant": tenant.slug,
        "data": data,
    }
    # Through the encoder once, so datetimes, decimals and UUIDs are stored as sent.
    return json.loads(body_bytes(payload))


def queue_event(tenant: Tenant, event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery per active endpoint of ``tenant`` subscribed to ``event``.

    The rows are written in the caller's transaction; the Celery tasks are only sent
    once it commits, so a rolled-back action announces nothing and the request that
    caused the event never waits for a receiver.
    """
    payload = build_payload(tenant, event, data)
    with tenant_scope(tenant):
        endpoints = [
            e for e in WebhookEndpoint.objects.filter(tenant=tenant, is_active=True) if e.wants(event)
        ]
        deliveries = [
            WebhookDelivery.objects.create(
                tenant=tenant,
                endpoint=endpoint,
                event_id=payload["id"],
                event=event,
                payload=payload,
                next_attempt_at=timezone.now(),
            )
            for endpoint in endpoints
        ]
    for delivery in deliveries:
        transaction.on_commit(partial(enqueue, tenant.pk, delivery.pk, 0))
    return deliveries


def enqueue(tenant_id: int, delivery_pk: int, expected_attempts: int, countdown: int | None = None) -> None:
    """Send the delivery task; a broker outage is logged, not raised into the request.

    A delivery whose task never reached the broker stays pending, and the periodic
    ``requeue_stale_deliveries`` task picks it up.
    """
    from .tasks import deliver_webhook

    try:
        deliver_webhook.apply_async((tenant_id, delivery_pk, expected_attempts), countdown=countdown)
    except Exception:
        logger.exception("could not enqueue webhook delivery %s", delivery_pk)
