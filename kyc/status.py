"""The single place where a patient's verification changes.

Polling Dr. Green, relayed inbound webhooks and staff decisions in the review queue all
call :func:`apply_supplier_kyc`, so every change is audited, emailed to the patient and
announced as ``kyc.status_changed`` the same way, whoever noticed it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from integrations.email import send_tenant_email
from integrations.events import emit_event
from sites.audit import record_audit
from sites.urls_helpers import tenant_absolute_url

from .models import KycStatus, PatientProfile

SOURCES = ("poll", "webhook", "staff", "submission")


@transaction.atomic
def apply_supplier_kyc(
    profile: PatientProfile,
    *,
    is_kyc_verified: bool,
    admin_approval: str,
    reason: str | None = None,
    actor: Any = None,
    source: str,
    request: Any = None,
) -> bool:
    """Apply a verification result; True when the patient's status changed.

    ``admin_approval`` is ``PENDING`` (no decision: the approval is left as it is),
    ``VERIFIED`` or ``REJECTED``. Identity verification only ever moves forward: a
    supplier answer that has not caught up with a staff confirmation does not undo it.
    A staff rejection is not overturned by the supplier's approval; staff can approve.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    approval = (admin_approval or "PENDING").upper()
    if approval not in KycStatus.values:
        raise ValueError(f"unknown approval {admin_approval!r}")
    profile = PatientProfile.objects.select_for_update().get(pk=profile.pk)
    before = (profile.kyc_status, profile.kyc_verified)

    status = profile.kyc_status
    if approval == KycStatus.REJECTED:
        status = KycStatus.REJECTED
    elif approval == KycStatus.VERIFIED and (source == "staff" or profile.kyc_status != KycStatus.REJECTED):
        status = KycStatus.VERIFIED
    elif approval == KycStatus.PENDING and source in ("staff", "submission"):
        status = KycStatus.PENDING
    verified = profile.kyc_verified or bool(is_kyc_verified)
    if source == "submission":
        verified = profile.kyc_verified

    if (status, verified) == before:
        return False
    profile.kyc_status = status
    profile.kyc_verified = verified
    profile.rejection_reason = (reason or "").strip() if status == KycStatus.REJECTED else ""
    profile.save(update_fields=["kyc_status", "kyc_verified", "rejection_reason", "updated_at"])
    record_audit(
        "kyc.status_changed",
        actor=actor,
        target=profile,
        request=request,
        tenant=profile.tenant,
        data={
            "from": before[0],
            "to": status,
            "kyc_verified": verified,
            "source": source,
            **({"reason": profile.rejection_reason} if profile.rejection_reason else {}),
        },
    )
    emit_event(
        profile.tenant,
        "kyc.status_changed",
        {
            "patient_id": profile.user_id,
            "status": status,
            "kyc_verified": verified,
            "previous_status": before[0],
        },
    )
    notify_status(profile)
    return True


def notify_status(profile: PatientProfile) -> None:
    tenant = profile.tenant
    context = {
        "user": profile.user,
        "profile": profile,
        "status": profile.kyc_status,
        "reason": profile.rejection_reason,
        "shop_url": tenant_absolute_url(tenant, "/products/"),
        "status_url": tenant_absolute_url(tenant, "/consultation/success/"),
    }
    # send_tenant_email hands the message over once the transaction commits.
    send_tenant_email(tenant, "kyc_status", profile.user.email, context)


@transaction.atomic
def set_allowance(profile: PatientProfile, grams: Decimal | None, *, actor: Any, request: Any = None) -> None:
    previous = profile.monthly_allowance_grams
    profile.monthly_allowance_grams = grams
    profile.save(update_fields=["monthly_allowance_grams", "updated_at"])
    record_audit(
        "kyc.allowance_set",
        actor=actor,
        target=profile,
        request=request,
        tenant=profile.tenant,
        data={
            "from": str(previous) if previous is not None else None,
            "to": str(grams) if grams is not None else None,
        },
    )
