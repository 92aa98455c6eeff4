"""Patients' data rights: export everything held about them, and erasure.

Other apps add their own data through the registries, e.g. commerce::

    from kyc.data_rights import register_exporter, register_eraser
    register_exporter(lambda user: {"orders": [...]})   # merged into the export
    register_eraser(anonymise_orders)                    # fn(user) during erasure

Erasure removes the consultation answers and drafts, anonymises the account (orders
that must be kept for compliance stay, anonymised by their app's eraser) and records
the erasure in the audit trail without the erased data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from sites.audit import record_audit

from .models import ConsultationDraft, ConsultationSubmission, PatientProfile

Exporter = Callable[[Any], dict[str, Any]]
Eraser = Callable[[Any], None]
_EXPORTERS: list[Exporter] = []
_ERASERS: list[Eraser] = []


def register_exporter(fn: Exporter) -> Exporter:
    """``fn(user) -> dict``: its keys are merged into the patient's export."""
    if fn not in _EXPORTERS:
        _EXPORTERS.append(fn)
    return fn


def register_eraser(fn: Eraser) -> Eraser:
    """``fn(user)``: erase or anonymise the app's data of ``user`` (in the erasure's transaction)."""
    if fn not in _ERASERS:
        _ERASERS.append(fn)
    return fn


def export_patient_data(user) -> dict[str, Any]:
    profile = PatientProfile.objects.filter(user=user).first()
    draft = ConsultationDraft.objects.filter(user=user).first()
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
        },
        "verification": None,
        "consultations": [
            {"version": s.version, "submitted_at": s.submitted_at.isoformat(), "answers": s.answers}
            for s in ConsultationSubmission.objects.filter(user=user).order_by("version")
        ],
        "consultation_draft": draft.answers if draft else None,
        "orders": [],
    }
    if profile is not None:
        data["verification"] = {
            "status": profile.kyc_status,
            "identity_verified": profile.kyc_verified,
            "rejection_reason": profile.rejection_reason,
            "supplier_client_id": profile.drgreen_client_id,
            "kyc_link": profile.kyc_link,
            "monthly_allowance_grams": str(profile.monthly_allowance_grams)
            if profile.monthly_allowance_grams is not None
            else None,
            "submitted_at": profile.submitted_at.isoformat() if profile.submitted_at else None,
        }
    for exporter in _EXPORTERS:
        data.update(exporter(user))
    return data


@transaction.atomic
def erase_patient(user, *, request: Any = None) -> None:
    """Erase ``user``'s answers and personal data; the account can no longer sign in."""
    tenant = user.tenant
    submissions = ConsultationSubmission.objects.filter(user=user).count()
    ConsultationSubmission.objects.filter(user=user).delete()
    ConsultationDraft.objects.filter(user=user).delete()
    PatientProfile.objects.filter(user=user).update(
        kyc_link="", rejection_reason="", registration_error="", monthly_allowance_grams=None
    )
    for eraser in _ERASERS:
        eraser(user)
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.session_epoch = (user.session_epoch or 0) + 1
    user.save()
    record_audit(
        "kyc.patient_erased",
        actor=user,
        target=user,
        request=request,
        tenant=tenant,
        data={"submissions_erased": submissions, "erasers": len(_ERASERS)},
    )
