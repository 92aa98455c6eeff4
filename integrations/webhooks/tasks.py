"""Celery tasks of the webhooks: one attempt per task run, and a sweeper for lost tasks."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from celery import shared_task

from sites.context import platform_scope
from sites.models import Tenant

from .delivery import attempt_delivery
from .dispatch import enqueue
from .models import WebhookDelivery

# A pending delivery this late for its attempt lost its task (broker restart, outage
# when it was enqueued); the sweeper sends it again. Later than any worker's ETA slack.
STALE_AFTER = timedelta(minutes=10)


@shared_task(name="integrations.webhooks.deliver", acks_late=True, ignore_result=True)
def deliver_webhook(tenant_id: int, delivery_pk: int, expected_attempts: int) -> str:
    """Try a delivery once. Retries are new tasks with a countdown from the schedule, not
    Celery ``retry()``, so that each wait and each attempt is recorded on the delivery."""
    tenant = Tenant.objects.select_related("site").get(pk=tenant_id)
    return attempt_delivery(tenant, delivery_pk, expected_attempts)


@shared_task(name="integrations.webhooks.requeue_stale", ignore_result=True)
def requeue_stale_deliveries() -> int:
    cutoff = timezone.now() - STALE_AFTER
    with platform_scope("webhooks: requeue deliveries whose task was lost"):
        stale = list(
            WebhookDelivery.objects.filter(
                status=WebhookDelivery.Status.PENDING, next_attempt_at__lt=cutoff
            ).values_list("tenant_id", "pk", "attempt_count")[:500]
        )
    for tenant_id, pk, attempts in stale:
        enqueue(tenant_id, pk, attempts)
    return len(stale)
