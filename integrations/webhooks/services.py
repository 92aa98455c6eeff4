"""Managing a tenant's webhook endpoints: the admin and the REST API both call these.

Every function runs for one tenant (it enters the tenant's scope itself), validates
with :class:`django.core.exceptions.ValidationError` (field name -> messages), records
changes in the audit trail and never returns or logs a secret except the one time
:func:`create_endpoint` hands it back.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from billing.entitlements import require as require_feature
from integrations.events import EVENTS
from sites.audit import record_audit
from sites.context import tenant_scope

from . import ssrf
from .dispatch import enqueue
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from sites.models import Tenant

SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker, not a secret


MAX_URL_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 200


class RedeliveryRefused(Exception):
    """The delivery cannot be sent again now (its endpoint is switched off)."""


def generate_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def clean_url(url: str) -> str:
    url = (url or "").strip() if isinstance(url, str) else ""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError({"url": [f"At most {MAX_URL_LENGTH} characters."]})
    try:
        URLValidator(schemes=["http", "https"])(url)
        ssrf.check_url(url)
    except ssrf.UnsafeTarget as exc:
        raise ValidationError({"url": [str(exc)]}) from exc
    except ValidationError as exc:
        raise ValidationError({"url": ["Enter a valid http:// or https:// URL."]}) from exc
    return url


def clean_description(description: str | None) -> str:
    description = (description or "").strip() if isinstance(description, str | None) else None
    if description is None or len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError({"description": [f"Text of at most {MAX_DESCRIPTION_LENGTH} characters."]})
    return description


def clean_events(events: Iterable[str] | None) -> list[str]:
    if isinstance(events, str) or not isinstance(events, Iterable | None):
        raise ValidationError({"events": ["Give a list of event names."]})
    items = list(events or [])
    if not all(isinstance(event, str) for event in items):
        raise ValidationError({"events": ["Give a list of event names."]})
    chosen = list(dict.fromkeys(items))
    unknown = [e for e in chosen if e not in EVENTS]
    if unknown:
        raise ValidationError({"events": [f"Unknown events: {', '.join(map(str, unknown))}."]})
    if not chosen:
        raise ValidationError({"events": ["Choose at least one event."]})
    return [e for e in EVENTS if e in chosen]  # stable, documented order


def _audit(action: str, endpoint: WebhookEndpoint, tenant: Tenant, actor, request, data: dict) -> None:
    record_audit(action, actor=actor, target=endpoint, data=data, request=request, tenant=tenant)


def list_endpoints(tenant: Tenant) -> list[WebhookEndpoint]:
    with tenant_scope(tenant):
        return list(WebhookEndpoint.objects.filter(tenant=tenant))


def get_endpoint(tenant: Tenant, pk: Any) -> WebhookEndpoint:
    """The tenant's endpoint; ``WebhookEndpoint.DoesNotExist`` for another tenant's."""
    with tenant_scope(tenant):
        return WebhookEndpoint.objects.get(tenant=tenant, pk=pk)


def create_endpoint(
    tenant: Tenant,
    *,
    url: str,
    events: Iterable[str],
    description: str = "",
    is_active: bool = True,
    actor=None,
    request: HttpRequest | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Make an endpoint; returns it and its secret, which is never shown again.

    Raises :class:`billing.entitlements.FeatureUnavailable` when the plan has no webhooks.
    """
    require_feature(tenant, "webhooks")
    errors: dict[str, list[str]] = {}
    try:
        url = clean_url(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        events = clean_events(events)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        description = clean_description(description)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    secret = generate_secret()
    with tenant_scope(tenant):
        endpoint = WebhookEndpoint(
            tenant=tenant, url=url, events=events, description=description, is_active=bool(is_active)
        )
        endpoint.secret = secret
        endpoint.save()
        _audit("webhook.endpoint_created", endpoint, tenant, actor, request, {"url": url, "events": events})
    return endpoint, secret


def update_endpoint(
    tenant: Tenant,
    endpoint: WebhookEndpoint | Any,
    *,
    actor=None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> WebhookEndpoint:
    """Change ``url``, ``events``, ``description`` and/or ``is_active``.

    Switching a disabled endpoint back on forgets its run of failures.
    """
    allowed = {"url", "events", "description", "is_active"}
    if unknown := set(changes) - allowed:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    if "url" in changes:
        changes["url"] = clean_url(changes["url"])
    if "events" in changes:
        changes["events"] = clean_events(changes["events"])
    if "description" in changes:
        changes["description"] = clean_description(changes["description"])
    if "is_active" in changes:
        changes["is_active"] = bool(changes["is_active"])
    with tenant_scope(tenant):
        pk = endpoint.pk if isinstance(endpoint, WebhookEndpoint) else endpoint
        current = WebhookEndpoint.objects.select_for_update().get(tenant=tenant, pk=pk)
        before = {name: getattr(current, name) for name in changes}
        for name, value in changes.items():
            setattr(current, name, value)
        if changes.get("is_active") and not before.get("is_active", True):
            current.consecutive_failures = 0
            current.disabled_at = None
            current.disabled_reason = ""
        current.save()
        diff = {
            name: {"from": before[name], "to": changes[name]}
            for name in changes
            if before[name] != changes[name]
        }
        if diff:
            _audit("webhook.endpoint_updated", current, tenant, actor, request, diff)
    return current


def delete_endpoint(
    tenant: Tenant, endpoint: WebhookEndpoint | Any, *, actor=None, request: HttpRequest | None = None
) -> None:
    with tenant_scope(tenant):
        pk = endpoint.pk if isinstance(endpoint, WebhookEndpoint) else endpoint
        current = WebhookEndpoint.objects.get(tenant=tenant, pk=pk)
        _audit("webhook.endpoint_deleted", current, tenant, actor, request, {"url": current.url})
        current.delete()


def list_deliveries(tenant: Tenant, endpoint: WebhookEndpoint | Any) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, with their attempts prefetched.

    Evaluate the queryset inside the tenant's scope (a request or a tenant task is one).
    """
    pk = endpoint.pk if isinstance(endpoint, WebhookEndpoint) else endpoint
    return WebhookDelivery.objects.filter(tenant=tenant, endpoint_id=pk).prefetch_related(
        Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("-number"))
    )


def redeliver(
    tenant: Tenant,
    endpoint: WebhookEndpoint | Any,
    delivery_pk: Any,
    *,
    actor=None,
    request: HttpRequest | None = None,
) -> WebhookDelivery:
    """Send a delivery again now, same event and delivery id, with a fresh retry schedule."""
    endpoint_pk = endpoint.pk if isinstance(endpoint, WebhookEndpoint) else endpoint
    with tenant_scope(tenant):
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .get(tenant=tenant, endpoint_id=endpoint_pk, pk=delivery_pk)
        )
        if not delivery.endpoint.is_active:
            raise RedeliveryRefused("The endpoint is switched off: turn it back on first.")
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.retries_used = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "retries_used", "next_attempt_at"])
        record_audit(
            "webhook.redelivered",
            actor=actor,
            target=delivery,
            request=request,
            tenant=tenant,
            data={"event": delivery.event, "event_id": delivery.event_id, "endpoint": endpoint_pk},
        )
        transaction.on_commit(partial(enqueue, tenant.pk, delivery.pk, delivery.attempt_count))
    return delivery
