"""Relayed Dr. Green client events -> :func:`kyc.status.apply_supplier_kyc`."""

from __future__ import annotations

from typing import Any

from .models import PatientProfile
from .status import apply_supplier_kyc

CLIENT_EVENTS = ("client.kyc_verified", "client.approved", "client.rejected", "client.updated")


def handle_client_event(tenant: Any, event: dict[str, Any]) -> bool:
    """Apply one event (``{"type", "data": {"client": {...}}}``) in ``tenant``'s scope.

    Events for a client we do not know are ignored (False): the relay may send events of
    patients registered elsewhere with the same key.
    """
    client = ((event.get("data") or {}).get("client")) or {}
    client_id = str(client.get("id") or "")
    if not client_id:
        return False
    profile = (
        PatientProfile.objects.select_related("user", "tenant").filter(drgreen_client_id=client_id).first()
    )
    if profile is None:
        return False
    approval = str(client.get("adminApproval") or "PENDING").upper()
    if approval not in ("PENDING", "VERIFIED", "REJECTED"):
        return False
    return apply_supplier_kyc(
        profile,
        is_kyc_verified=client.get("isKYCVerified") is True,
        admin_approval=approval,
        source="webhook",
    )
