"""Relayed Dr. Green client events -> :func:`kyc.status.apply_supplier_kyc`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .status import apply_supplier_kyc

if TYPE_CHECKING:
    from integrations.webhooks.inbound import InboundWebhookEvent

CLIENT_EVENTS = ("client.kyc_verified", "client.approved", "client.rejected", "client.updated")


def handle_client_event(event: InboundWebhookEvent) -> bool:
    """Apply one verified client event; the webhook layer has resolved tenant and patient.

    Events for a client we do not know are acknowledged and ignored: the relay may send
    events of patients registered elsewhere with the same key.
    """
    from integrations.webhooks.inbound import IgnoreEvent

    if event.patient is None:
        raise IgnoreEvent(f"no patient with Dr. Green client id {event.client_id!r}")
    client = event.data.get("client")
    if not isinstance(client, dict):
        raise IgnoreEvent("event has no client object")
    approval = str(client.get("adminApproval") or "PENDING").upper()
    if approval not in ("PENDING", "VERIFIED", "REJECTED"):
        raise IgnoreEvent(f"unknown approval {approval!r}")
    return apply_supplier_kyc(
        event.patient,
        is_kyc_verified=client.get("isKYCVerified") is True,
        admin_approval=approval,
        source="webhook",
    )
