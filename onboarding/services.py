"""Onboarding: submit an application, approve it (provisioning) or reject it.

Views, the admin and the API only validate and call these; each runs in one
transaction, writes one audit entry and sends its mail once the transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from integrations.email import send_platform_email
from onboarding.models import TenantApplication
from sites.audit import record_audit
from sites.context import platform_scope
from sites.models import Tenant, User
from sites.provisioning import ProvisioningError, TenantSpec, provision_tenant
from sites.validators import validate_tenant_slug

logger = logging.getLogger(__name__)

SLUG_TAKEN = "That address is already taken; choose another."


class ApplicationError(Exception):
    """An action that cannot be done to this application now (already decided, slug taken)."""


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be applied for, or None when it is free (form, API, live check)."""
    slug = (slug or "").strip().lower()
    try:
        validate_tenant_slug(slug)
    except ValidationError as error:
        return " ".join(error.messages)
    with platform_scope("onboarding: is the slug free"):
        taken = (
            Tenant.objects.filter(slug=slug).exists()
            or TenantApplication.objects.filter(slug=slug, status=TenantApplication.Status.PENDING).exists()
        )
    return SLUG_TAKEN if taken else None


def _client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def super_admin_emails() -> list[str]:
    with platform_scope("onboarding: notify super admins"):
        return list(User.objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True))


def submit_application(fields: dict, request: HttpRequest | None = None) -> TenantApplication:
    """Store a validated application; ``ApplicationError`` if its slug was taken meanwhile."""
    if problem := slug_problem(fields["slug"]):
        raise ApplicationError(problem)
    try:
        with platform_scope("onboarding: application submitted"), transaction.atomic():
            application = TenantApplication.objects.create(
                **{**fields, "slug": fields["slug"].strip().lower()}, ip_address=_client_ip(request)
            )
            record_audit(
                "onboarding.submitted",
                target=application,
                request=request,
                data={"slug": application.slug, "business_name": application.business_name},
            )
            context = {"application": application}
            send_platform_email("onboarding_received", application.contact_email, context)
            send_platform_email("onboarding_new_application", super_admin_emails(), context)
    except IntegrityError as error:
        # Another application for the same slug won the race (the partial unique index).
        raise ApplicationError(SLUG_TAKEN) from error
    return application


@dataclass(frozen=True)
class Approval:
    tenant: Tenant
    set_password_url: str


def _locked_pending(application_id: int) -> TenantApplication:
    application = TenantApplication.objects.select_for_update().get(pk=application_id)
    if not application.is_pending:
        raise ApplicationError(f"This application was already {application.get_status_display().lower()}.")
    return application


def approve(application_id: int, *, actor: User, request: HttpRequest | None = None) -> Approval:
    """Provision the tenant, give it the chosen plan, and mail its admin a set-password link.

    All or nothing: a slug taken meanwhile, or a contact email that already has a staff
    account, leaves no tenant, no pages and the application pending.
    """
    with platform_scope(f"onboarding: approve application {application_id}"), transaction.atomic():
        application = _locked_pending(application_id)
        spec = TenantSpec(
            slug=application.slug,
            name=application.business_name,
            country_code=application.country_code,
            theme=application.theme.slug,
            admin_email=application.contact_email,
        )
        try:
            with transaction.atomic():
                result = provision_tenant(spec)
        except ProvisioningError as error:
            raise ApplicationError(" ".join(m for msgs in error.errors.values() for m in msgs)) from error
        except IntegrityError as error:
            raise ApplicationError(SLUG_TAKEN) from error
        tenant = result.tenant
        tenant.plan = application.plan
        tenant.save(update_fields=["plan", "updated_at"])
        application.status = TenantApplication.Status.APPROVED
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.provisioned_tenant = tenant
        application.save()
        record_audit(
            "onboarding.approved",
            actor=actor,
            target=application,
            request=request,
            tenant=tenant,
            data={"slug": tenant.slug, "plan": application.plan.slug},
        )
    logger.info("application %s approved: tenant %s", application.pk, tenant.slug)
    return Approval(tenant=tenant, set_password_url=result.set_password_url)


def reject(application_id: int, reason: str, *, actor: User, request: HttpRequest | None = None) -> None:
    """Refuse the application with a reason the applicant is emailed; the slug is free again."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Give the applicant a reason.")
    with platform_scope(f"onboarding: reject application {application_id}"), transaction.atomic():
        application = _locked_pending(application_id)
        application.status = TenantApplication.Status.REJECTED
        application.rejection_reason = reason
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.save()
        record_audit(
            "onboarding.rejected",
            actor=actor,
            target=application,
            request=request,
            data={"slug": application.slug, "reason": reason},
        )
        send_platform_email("onboarding_rejected", application.contact_email, {"application": application})
