"""One attempt of one delivery: POST it signed, log it, then retry, finish or give up.

The HTTP call happens outside any database transaction (a slow receiver must not hold
a connection and row locks for up to ``WEBHOOKS_TIMEOUT``). The attempt is then
recorded under a row lock; ``expected_attempts`` makes a task that runs twice (Celery
redelivers unacknowledged tasks) or a stale task after a manual redelivery do nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

import httpx

from sites.audit import record_audit
from sites.context import tenant_scope

from . import ssrf
from .dispatch import enqueue
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, body_bytes, sign

if TYPE_CHECKING:
    from sites.models import Tenant

logger = logging.getLogger("budstack.webhooks")

EXCERPT_BYTES = 1000
USER_AGENT = "BudStack-Webhooks/1"


@dataclass
class Outcome:
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, secret: str, delivery: WebhookDelivery) -> Outcome:
    """POST the delivery's payload with the CONTRACT.md headers; never raises."""
    started = time.monotonic()
    outcome = Outcome()
    try:
        ssrf.check_url(url)
        body = body_bytes(delivery.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.delivery_id),
            SIGNATURE_HEADER: sign(secret, body),
        }
        with (
            httpx.Client(timeout=settings.WEBHOOKS_TIMEOUT, follow_redirects=False) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            outcome.status_code = response.status_code
            chunks = b""
            for chunk in response.iter_bytes():
                chunks += chunk
                if len(chunks) >= EXCERPT_BYTES:
                    break
            outcome.excerpt = chunks[:EXCERPT_BYTES].decode("utf-8", errors="replace")
    except ssrf.UnsafeTarget as exc:
        outcome.error = f"Refused: {exc}"
    except httpx.TimeoutException:
        outcome.error = f"Timed out after {settings.WEBHOOKS_TIMEOUT:g}s"
    except httpx.HTTPError as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"[:500]
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    if outcome.status_code is not None and not outcome.success and not outcome.error:
        outcome.error = f"HTTP {outcome.status_code}"
    return outcome


def attempt_delivery(tenant: Tenant, delivery_pk: int, expected_attempts: int) -> str:
    """Run one attempt; returns what happened (for logs and tests)."""
    with tenant_scope(tenant):
        delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_pk).first()
        if (
            delivery is None
            or delivery.status != WebhookDelivery.Status.PENDING
            or delivery.attempt_count != expected_attempts
        ):
            return "skipped"
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return "endpoint-inactive"
        url, secret = endpoint.url, endpoint.secret
        started_at = timezone.now()

    outcome = post(url, secret, delivery)

    with tenant_scope(tenant):
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_pk)
        if delivery.status != WebhookDelivery.Status.PENDING or delivery.attempt_count != expected_attempts:
            return "skipped"
        delivery.attempt_count = F("attempt_count") + 1
        WebhookAttempt.objects.create(
            tenant=tenant,
            delivery=delivery,
            number=expected_attempts + 1,
            started_at=started_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
            success=outcome.success,
        )
        delivery.last_status_code = outcome.status_code
        result = _succeeded(delivery) if outcome.success else _failed(tenant, delivery, expected_attempts + 1)
        delivery.save()
    return result


def _succeeded(delivery: WebhookDelivery) -> str:
    delivery.status = WebhookDelivery.Status.SUCCEEDED
    delivery.delivered_at = timezone.now()
    delivery.next_attempt_at = None
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, consecutive_failures__gt=0).update(
        consecutive_failures=0
    )
    return "succeeded"


def _failed(tenant: Tenant, delivery: WebhookDelivery, attempts: int) -> str:
    schedule = list(settings.WEBHOOKS_RETRY_SCHEDULE)
    if delivery.retries_used < len(schedule):
        wait = int(schedule[delivery.retries_used])
        delivery.retries_used += 1
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        transaction.on_commit(partial(enqueue, tenant.pk, delivery.pk, attempts, wait))
        return "retrying"
    delivery.status = WebhookDelivery.Status.FAILED
    delivery.next_attempt_at = None
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER:
        disable_endpoint(tenant, endpoint)
        return "failed-endpoint-disabled"
    return "failed"


def disable_endpoint(tenant: Tenant, endpoint: WebhookEndpoint) -> None:
    """Switch a failing endpoint off, note it in the audit trail, email the tenant's admins."""
    endpoint.is_active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed deliveries in a row"
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    record_audit(
        "webhook.endpoint_disabled",
        target=endpoint,
        tenant=tenant,
        data={"url": endpoint.url, "reason": endpoint.disabled_reason},
    )
    transaction.on_commit(partial(_email_admins, tenant, endpoint.pk))


def _email_admins(tenant: Tenant, endpoint_pk: int) -> None:
    from integrations.email import send_tenant_email
    from sites.models import Role, User

    with tenant_scope(tenant):
        endpoint = WebhookEndpoint.objects.get(pk=endpoint_pk)
        admins = list(
            User.objects.filter(tenant=tenant, role=Role.TENANT_ADMIN, is_active=True).values_list(
                "email", flat=True
            )
        )
    if not admins:
        logger.warning(
            "webhook endpoint %s disabled; tenant %s has no admin to tell", endpoint_pk, tenant.slug
        )
        return
    admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "webhooks:deliveries", args=[endpoint.pk]
    )
    try:
        send_tenant_email(tenant, "webhook_disabled", admins, {"endpoint": endpoint, "admin_url": admin_url})
    except Exception:
        # The endpoint is disabled either way; a mail outage must not fail the task.
        logger.exception("could not email %s's admins about webhook endpoint %s", tenant.slug, endpoint_pk)
