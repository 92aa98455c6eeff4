"""Patients at Dr. Green: registration, remembering what the supplier tells us."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .client import DrGreenClient
from .credentials import client_for_tenant
from .types import ClientRegistration, Registration

if TYPE_CHECKING:
    from kyc.models import PatientProfile


def register_patient(
    profile: PatientProfile, registration: ClientRegistration, *, client: DrGreenClient | None = None
) -> Registration:
    """Register ``profile``'s patient with Dr. Green; store the client id and any KYC link.

    The supplier emails the KYC link; deployments that also return it get it stored so
    the storefront can show it. Raises the client's errors (``Conflict`` when the email
    or phone number is already registered with this tenant's key) and stores nothing then.
    """
    own_client = client is None
    client = client or client_for_tenant(profile.tenant)
    try:
        result = client.register_client(registration)
    finally:
        if own_client:
            client.close()
    profile.drgreen_client_id = result.client.id
    fields = ["drgreen_client_id", "updated_at"]
    if result.kyc_link:
        profile.kyc_link = result.kyc_link
        fields.append("kyc_link")
    profile.save(update_fields=fields)
    return result
