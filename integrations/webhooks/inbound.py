"""Inbound events from Dr. Green (or the relay in front of it): verify, dedupe, route.

The relay POSTs ``{"id", "type", "created", "apiKey", "data"}`` signed with
``X-DrGreen-Signature: t=<unix>,v1=<hex HMAC-SHA256(DRGREEN_WEBHOOK_SECRET, "<t>.<raw body>")>``
(``integrations.drgreen.signing``, the same code the fake server signs with). We refuse
a wrong signature or a timestamp more than ``DRGREEN_WEBHOOK_TOLERANCE`` seconds away
(401, nothing changes), then record the event id once (:class:`InboundEvent`, unique)
so a duplicate delivery is acknowledged and ignored.

``apiKey`` is the fingerprint of the dispensary's Dr. Green API key (first 16 hex of
its SHA-256): it names the tenant whose key it is, or, for the platform's shared
``DRGREEN_API_KEY``, the tenant whose patient has the event's client id.

Features register what to do per event type in their ``AppConfig.ready``::

    from integrations.webhooks.inbound import register_inbound_handler
    register_inbound_handler("order.status_changed", apply_order_status)

A handler gets an :class:`InboundWebhookEvent` and runs inside the tenant's scope and
the request's transaction: if it raises, nothing of the event is kept and the sender
is told to retry (503). Raise :class:`IgnoreEvent` to acknowledge without acting. The KYC
app handles client events (``kyc.inbound``), commerce the order events; an event nobody
handles is acknowledged and recorded as ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction

from integrations.drgreen.signing import verify_webhook_signature
from sites.context import platform_scope, tenant_scope

from .models import InboundEvent

if TYPE_CHECKING:
    from kyc.models import PatientProfile
    from sites.models import Tenant

logger = logging.getLogger("budstack.webhooks")

SIGNATURE_HEADER = "X-DrGreen-Signature"


@dataclass(frozen=True)
class InboundWebhookEvent:
    id: str
    type: str
    created: int
    api_key_fingerprint: str
    data: dict[str, Any]
    tenant: Tenant | None = None
    client_id: str = ""
    patient: PatientProfile | None = field(default=None, compare=False)


Handler = Callable[[InboundWebhookEvent], Any]
_handlers: dict[str, list[Handler]] = {}


class IgnoreEvent(Exception):
    """Raised by a handler: the event is acknowledged and recorded as ignored."""


class InboundError(Exception):
    """A refused request: HTTP status, error code and message for the error envelope."""

    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def register_inbound_handler(event_type: str, handler: Handler) -> None:
    """Call ``handler(event)`` for every verified, first-seen event of ``event_type``."""
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def unregister_inbound_handler(event_type: str, handler: Handler) -> None:
    if handler in _handlers.get(event_type, []):
        _handlers[event_type].remove(handler)


def handlers_for(event_type: str) -> list[Handler]:
    return list(_handlers.get(event_type) or [])


def api_key_fingerprint(api_key: str) -> str:
    """How an event names a Dr. Green API key (the fake server uses the same recipe)."""
    return hashlib.sha256(api_key.strip().encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------
# Verification and parsing
# ---------------------------------------------------------------------------


def verify(body: bytes, header: str | None, *, now: float | None = None) -> None:
    secret = settings.DRGREEN_WEBHOOK_SECRET
    if not secret:
        raise InboundError(503, "WEBHOOK_NOT_CONFIGURED", "Inbound Dr. Green webhooks are not configured.")
    if not header:
        raise InboundError(401, "INVALID_SIGNATURE", f"Missing {SIGNATURE_HEADER} header.")
    tolerance = settings.DRGREEN_WEBHOOK_TOLERANCE
    now = time.time() if now is None else now
    if verify_webhook_signature(secret, header, body, tolerance=tolerance, now=now):
        return
    # A right signature over an old timestamp is a replay; say so (it helps clock debugging).
    if verify_webhook_signature(secret, header, body, tolerance=10**12, now=now):
        raise InboundError(401, "STALE_TIMESTAMP", f"Timestamp is more than {tolerance} seconds off.")
    raise InboundError(401, "INVALID_SIGNATURE", "Signature does not match.")


def parse(body: bytes) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InboundError(400, "VALIDATION_ERROR", "Body is not valid JSON.") from None
    if not isinstance(event, dict):
        raise InboundError(400, "VALIDATION_ERROR", "Body must be a JSON object.")
    errors = {}
    for name, kind in (("id", str), ("type", str), ("apiKey", str), ("data", dict)):
        if not isinstance(event.get(name), kind) or (kind is str and not event[name].strip()):
            errors[name] = f"required, a {'string' if kind is str else 'object'}"
    if isinstance(event.get("id"), str) and len(event["id"]) > 100:
        errors["id"] = "at most 100 characters"
    if errors:
        raise InboundError(400, "VALIDATION_ERROR", "Invalid event.", errors)
    return event


def client_id_of(event_type: str, data: dict[str, Any]) -> str:
    if event_type.startswith("client."):
        client = data.get("client")
        value = client.get("id") if isinstance(client, dict) else None
    elif event_type.startswith("order."):
        order = data.get("order")
        value = order.get("clientId") if isinstance(order, dict) else None
    else:
        value = data.get("clientId")
    return value if isinstance(value, str) else ""


def resolve_tenant(fingerprint: str, client_id: str) -> Tenant | None:
    """The tenant an event belongs to (see the module docstring), or None."""
    from integrations.models import DrGreenCredentials
    from kyc.models import PatientProfile
    from sites.models import Tenant

    with platform_scope("inbound Dr. Green webhook: which tenant"):
        credentials = list(DrGreenCredentials.objects.values_list("tenant_id", "api_key"))
        own = [tenant_id for tenant_id, key in credentials if api_key_fingerprint(key) == fingerprint]
        if own:
            return Tenant.objects.select_related("site").get(pk=own[0])
        platform_key = settings.DRGREEN_API_KEY
        if not (platform_key and client_id and api_key_fingerprint(platform_key) == fingerprint):
            return None
        with_own_key = [tenant_id for tenant_id, _ in credentials]
        tenant_ids = set(
            PatientProfile.objects.filter(drgreen_client_id=client_id)
            .exclude(tenant_id__in=with_own_key)
            .values_list("tenant_id", flat=True)
        )
        if len(tenant_ids) != 1:
            return None
        return Tenant.objects.select_related("site").get(pk=tenant_ids.pop())


# ---------------------------------------------------------------------------
# Processing
# ---------------------------------------------------------------------------


def process(body: bytes, signature: str | None) -> dict[str, Any]:
    """Verify and handle one request body; returns ``{"status": ..., "event": ...}``.

    Raises :class:`InboundError` for refused requests; any other exception means a
    handler failed and nothing was kept.
    """
    verify(body, signature)
    raw = parse(body)
    event_id, event_type = raw["id"].strip(), raw["type"].strip()
    fingerprint, data = raw["apiKey"].strip(), raw["data"]
    client_id = client_id_of(event_type, data)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = InboundEvent.objects.create(
                    event_id=event_id,
                    event_type=event_type[:64],
                    api_key_fingerprint=fingerprint[:64],
                    payload=raw,
                    status=InboundEvent.Status.IGNORED,
                )
        except IntegrityError:
            return {"status": "duplicate", "event": event_id}
        tenant = resolve_tenant(fingerprint, client_id)
        status, detail = _dispatch(event_id, event_type, raw, fingerprint, data, client_id, tenant)
        record.tenant_slug = tenant.slug if tenant else ""
        record.status, record.detail = status, detail[:500]
        record.save(update_fields=["tenant_slug", "status", "detail"])
    logger.info("inbound event %s (%s): %s %s", event_id, event_type, status, detail)
    return {"status": status, "event": event_id}


def _dispatch(event_id, event_type, raw, fingerprint, data, client_id, tenant) -> tuple[str, str]:
    if tenant is None:
        return InboundEvent.Status.IGNORED, "no tenant uses this API key"
    handlers = handlers_for(event_type)
    if not handlers:
        return InboundEvent.Status.IGNORED, f"no handler for {event_type}"
    from kyc.models import PatientProfile

    with tenant_scope(tenant):
        patient = PatientProfile.objects.filter(drgreen_client_id=client_id).first() if client_id else None
        event = InboundWebhookEvent(
            id=event_id,
            type=event_type,
            created=raw.get("created") if isinstance(raw.get("created"), int) else 0,
            api_key_fingerprint=fingerprint,
            data=data,
            tenant=tenant,
            client_id=client_id,
            patient=patient,
        )
        try:
            with transaction.atomic():
                for handler in handlers:
                    handler(event)
        except IgnoreEvent as exc:
            return InboundEvent.Status.IGNORED, str(exc) or "ignored by handler"
    return InboundEvent.Status.PROCESSED, ""
