"""Background KYC work: registration retries, polling Dr. Green, reminders.

Dr. Green sends no webhooks, so ``kyc.poll_pending`` (beat) fans out one
``kyc.poll_tenant`` per tenant with patients still pending; each patient is asked again
after a growing pause when the supplier fails, so an outage is not hammered and no
patient stays "pending" because nobody looked.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from celery import shared_task

from integrations.drgreen.credentials import client_for_tenant
from integrations.drgreen.errors import DrGreenError, NotConfigured
from integrations.email import send_tenant_email
from sites.context import platform_scope
from sites.models import Tenant
from sites.tasks import enqueue_for_tenant, tenant_task
from sites.urls_helpers import tenant_absolute_url

from .models import KycStatus, PatientProfile

logger = logging.getLogger("budstack.kyc")
REMINDER_DAYS = (2, 7)


def schedule_registration_retry(profile: PatientProfile) -> None:
    """Queue the next registration attempt at ``profile.next_registration_at``.

    Without a broker (tasks run eagerly in development) the countdown would be ignored and
    the request would wait through every attempt, so the beat sweep picks it up instead.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    delay = max(0, (profile.next_registration_at - timezone.now()).total_seconds())
    tenant_id, profile_id = profile.tenant_id, profile.pk
    from django.db import transaction

    transaction.on_commit(lambda: retry_registration.apply_async((tenant_id, profile_id), countdown=delay))


@tenant_task(name="kyc.retry_registration", ignore_result=True, queue="default")
def retry_registration(tenant: Tenant, profile_id: int) -> str:
    from .services import register_with_supplier

    profile = PatientProfile.objects.select_related("user", "tenant").filter(pk=profile_id).first()
    if profile is None or profile.drgreen_client_id or profile.needs_attention:
        return "skipped"
    return register_with_supplier(profile).value


def _backoff(failures: int) -> timedelta:
    return timedelta(seconds=min(settings.KYC_POLL_INTERVAL_SECONDS * 2**failures, 24 * 3600))


@tenant_task(name="kyc.poll_tenant", ignore_result=True, queue="default")
def poll_tenant(tenant: Tenant) -> dict[str, int]:
    """Ask Dr. Green about every due patient of ``tenant`` who is not yet verified."""
    from .services import register_with_supplier
    from .status import apply_supplier_kyc

    now = timezone.now()
    counts = {"checked": 0, "changed": 0, "failed": 0, "registered": 0}
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    pending = Q(kyc_status=KycStatus.PENDING) | Q(kyc_status=KycStatus.VERIFIED, kyc_verified=False)
    # Registrations that failed while the supplier was away and whose retry is due.
    for profile in PatientProfile.objects.select_related("user", "tenant").filter(
        drgreen_client_id="", needs_attention=False, submitted_at__isnull=False, next_registration_at__lte=now
    ):
        if register_with_supplier(profile).value == "done":
            counts["registered"] += 1
    profiles = list(
        PatientProfile.objects.select_related("user", "tenant")
        .exclude(drgreen_client_id="")
        .filter(pending, due)
    )
    if not profiles:
        return counts
    try:
        client = client_for_tenant(tenant)
    except NotConfigured:
        return counts
    with client:
        for profile in profiles:
            counts["checked"] += 1
            try:
                patient = client.get_client(profile.drgreen_client_id)
            except DrGreenError as error:
                counts["failed"] += 1
                profile.poll_failures += 1
                profile.next_poll_at = now + _backoff(profile.poll_failures)
                profile.save(update_fields=["poll_failures", "next_poll_at", "updated_at"])
                logger.warning("polling Dr. Green for patient %s failed: %s", profile.user_id, error)
                continue
            profile.poll_failures = 0
            profile.next_poll_at = now + _backoff(0)
            profile.save(update_fields=["poll_failures", "next_poll_at", "updated_at"])
            if apply_supplier_kyc(
                profile,
                is_kyc_verified=patient.is_kyc_verified,
                admin_approval=patient.admin_approval,
                source="poll",
            ):
                counts["changed"] += 1
    return counts


@shared_task(name="kyc.poll_pending", ignore_result=True)
def poll_pending() -> int:
    """Beat: one poll per tenant that has unverified or unregistered patients."""
    with platform_scope("kyc: find tenants with pending patients"):
        tenant_ids = set(
            PatientProfile.all_tenants.filter(submitted_at__isnull=False)
            .filter(Q(kyc_status=KycStatus.PENDING) | Q(kyc_verified=False))
            .exclude(kyc_status=KycStatus.REJECTED)
            .values_list("tenant_id", flat=True)
        )
        tenants = list(Tenant.objects.filter(pk__in=tenant_ids, status=Tenant.Status.ACTIVE))
    for tenant in tenants:
        enqueue_for_tenant(poll_tenant, tenant)
    return len(tenants)


@tenant_task(name="kyc.send_reminders_for_tenant", ignore_result=True, queue="default")
def send_reminders_for_tenant(tenant: Tenant) -> int:
    """Remind patients who submitted but have not finished KYC, after 2 and after 7 days."""
    now, sent = timezone.now(), 0
    for number, days in enumerate(REMINDER_DAYS, start=1):
        profiles = PatientProfile.objects.select_related("user").filter(
            kyc_status=KycStatus.PENDING,
            kyc_verified=False,
            reminders_sent=number - 1,
            submitted_at__lte=now - timedelta(days=days),
        )
        for profile in profiles:
            context = {
                "profile": profile,
                "days": days,
                "kyc_link": profile.kyc_link,
                "status_url": tenant_absolute_url(tenant, "/consultation/success/"),
            }
            send_tenant_email(tenant, "kyc_reminder", profile.user.email, context)
            PatientProfile.objects.filter(pk=profile.pk).update(reminders_sent=number)
            sent += 1
    return sent


@shared_task(name="kyc.send_reminders", ignore_result=True)
def send_reminders() -> int:
    with platform_scope("kyc: find tenants with patients to remind"):
        tenant_ids = set(
            PatientProfile.all_tenants.filter(
                kyc_status=KycStatus.PENDING, kyc_verified=False, reminders_sent__lt=2
            )
            .exclude(submitted_at=None)
            .values_list("tenant_id", flat=True)
        )
        tenants = list(Tenant.objects.filter(pk__in=tenant_ids, status=Tenant.Status.ACTIVE))
    for tenant in tenants:
        enqueue_for_tenant(send_reminders_for_tenant, tenant)
    return len(tenants)
