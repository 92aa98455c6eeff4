"""Record actions in the tenant's audit trail (``AuditLogEntry``).

One function for every feature: KYC decisions, views of decrypted answers, order
transitions, erasures, webhook changes. Call it inside the tenant's scope (a request or
a tenant task); it writes in the same transaction as the action it records, so an action
that rolls back leaves no trail entry claiming it happened.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from sites.context import get_current_tenant, in_platform_scope
from sites.models.audit import AuditLogEntry


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _actor_label(actor) -> str:
    if actor is None:
        return ""
    # A patient's email is personal data that an erasure must be able to remove; the
    # trail keeps only the account number for patients.
    if getattr(actor, "role", None) == "PATIENT":
        return f"patient #{actor.pk}"
    return (getattr(actor, "email", "") or str(actor))[:255]


def record_audit(
    action: str,
    *,
    actor=None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    tenant=None,
) -> AuditLogEntry:
    """Append one entry: ``action`` is dotted (``kyc.answers_viewed``, ``order.status_changed``)."""
    tenant = tenant or get_current_tenant() or getattr(request, "tenant", None)
    if tenant is None and not in_platform_scope():
        raise ValueError(
            "record_audit() needs a tenant: pass one, call it inside tenant_scope(), "
            "or record a platform action inside platform_scope()."
        )
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    entry = AuditLogEntry(
        tenant=tenant,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
        ip_address=_client_ip(request),
    )
    entry.save()
    return entry
