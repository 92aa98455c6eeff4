"""Submitting a consultation and registering the patient with Dr. Green.

A submission is stored first, in its own transaction, and only then is the patient
registered: when Dr. Green is unreachable the answers are safe and registration is
retried in the background (:mod:`kyc.tasks`) with backoff until it succeeds or staff
are asked to look (``PatientProfile.needs_attention``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import Enum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from integrations.drgreen.errors import DrGreenError, NotConfigured, Unavailable
from integrations.drgreen.patients import register_patient
from integrations.email import send_tenant_email
from integrations.events import emit_event
from sites.audit import record_audit
from sites.urls_helpers import tenant_absolute_url

from . import forms as steps
from .medical_record import client_registration
from .models import ConsultationDraft, ConsultationSubmission, KycStatus, PatientProfile

logger = logging.getLogger("budstack.kyc")


class Registration(Enum):
    DONE = "done"  # registered now or before
    RETRYING = "retrying"  # Dr. Green unreachable: retried in the background
    NEEDS_ATTENTION = "needs_attention"  # refused or given up: staff will look


def latest_submission(user) -> ConsultationSubmission | None:
    return ConsultationSubmission.objects.filter(user=user).order_by("-version").first()


def submit_consultation(
    user, *, tenant, page, answers: dict[str, Any] | None = None, request: Any = None
) -> ConsultationSubmission:
    """Store the answers (the draft's by default) as the patient's next immutable version.

    Every step is validated again first (``ConsultationInvalid`` names the first bad
    step), so a tampered draft or post never becomes a submission.
    """
    if answers is None:
        draft = ConsultationDraft.objects.filter(user=user).first()
        answers = draft.answers if draft else {}
    validated = steps.validate_all(answers, tenant=tenant, page=page, user=user)
    with transaction.atomic():
        profile, _ = PatientProfile.objects.select_for_update().get_or_create(user=user, tenant=tenant)
        version = (ConsultationSubmission.objects.filter(user=user).aggregate(v=Max("version"))["v"] or 0) + 1
        submission = ConsultationSubmission(user=user, tenant=tenant, version=version)
        submission.answers = validated
        submission.save()
        profile.submitted_at = timezone.now()
        profile.reminders_sent = 0
        profile.save(update_fields=["submitted_at", "reminders_sent", "updated_at"])
        if profile.kyc_status == KycStatus.REJECTED:
            from .status import apply_supplier_kyc

            apply_supplier_kyc(
                profile, is_kyc_verified=False, admin_approval="PENDING", source="submission", request=request
            )
        ConsultationDraft.objects.filter(user=user).delete()
        record_audit(
            "kyc.consultation_submitted",
            actor=user,
            target=submission,
            request=request,
            tenant=tenant,
            data={"version": version},
        )
        emit_event(tenant, "consultation.submitted", {"patient_id": user.pk, "version": version})
    return submission


def register_with_supplier(profile: PatientProfile) -> Registration:
    """One attempt to register ``profile``'s patient; schedules the next one on failure."""
    if profile.drgreen_client_id:
        return Registration.DONE
    submission = latest_submission(profile.user)
    if submission is None:
        return Registration.NEEDS_ATTENTION
    registration = client_registration(profile.user.email, submission.answers)
    try:
        result = register_patient(profile, registration)
    except (Unavailable, NotConfigured) as error:
        return _failed(profile, error, retry=True)
    except DrGreenError as error:  # refused: a conflict or a validation error needs a person
        return _failed(profile, error, retry=False)
    profile.registration_attempts += 1
    profile.registration_error = ""
    profile.next_registration_at = None
    profile.needs_attention = False
    profile.next_poll_at = timezone.now()
    profile.save(
        update_fields=[
            "registration_attempts",
            "registration_error",
            "next_registration_at",
            "needs_attention",
            "next_poll_at",
            "updated_at",
        ]
    )
    record_audit(
        "kyc.registered_with_supplier",
        target=profile,
        tenant=profile.tenant,
        data={"client_id": result.client.id, "kyc_link": bool(result.kyc_link)},
    )
    emit_event(
        profile.tenant, "patient.registered", {"patient_id": profile.user_id, "client_id": result.client.id}
    )
    return Registration.DONE


def _failed(profile: PatientProfile, error: Exception, *, retry: bool) -> Registration:
    profile.registration_attempts += 1
    profile.registration_error = str(error)[:255]
    give_up = not retry or profile.registration_attempts >= settings.KYC_REGISTRATION_MAX_ATTEMPTS
    if give_up:
        profile.needs_attention = True
        profile.next_registration_at = None
    else:
        delay = settings.KYC_REGISTRATION_RETRY_SECONDS * 2 ** (profile.registration_attempts - 1)
        profile.next_registration_at = timezone.now() + timedelta(seconds=delay)
    profile.save(
        update_fields=[
            "registration_attempts",
            "registration_error",
            "next_registration_at",
            "needs_attention",
            "updated_at",
        ]
    )
    logger.warning(
        "Dr. Green registration of patient %s failed (%s): %s", profile.user_id, type(error).__name__, error
    )
    if give_up:
        record_audit(
            "kyc.registration_needs_attention",
            target=profile,
            tenant=profile.tenant,
            data={"attempts": profile.registration_attempts, "error": type(error).__name__},
        )
        return Registration.NEEDS_ATTENTION
    from .tasks import schedule_registration_retry

    schedule_registration_retry(profile)
    return Registration.RETRYING


def send_received_email(profile: PatientProfile, outcome: Registration) -> None:
    tenant = profile.tenant
    context = {
        "user": profile.user,
        "profile": profile,
        "outcome": outcome.value,
        "kyc_link": profile.kyc_link,
        "status_url": tenant_absolute_url(tenant, "/consultation/success/"),
    }
    send_tenant_email(tenant, "consultation_received", profile.user.email, context)
