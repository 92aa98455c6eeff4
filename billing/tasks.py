"""Billing on the beat schedule: issue the month's invoices, chase overdue ones."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from celery import shared_task

from billing.emails import send_platform_email
from billing.invoicing import billable_tenants, issue_invoice
from billing.models import Invoice
from billing.providers import get_provider
from sites.context import platform_scope, tenant_scope
from sites.models import Role, Tenant, User

logger = logging.getLogger("budstack.billing")


@shared_task(name="billing.issue_invoices", ignore_result=True, queue="default")
def issue_invoices() -> int:
    """Issue this month's invoice to every active tenant with a plan; returns how many are new.

    Runs daily rather than on the 1st only, so a missed run catches up; the unique
    (tenant, period_start) constraint makes every run after the first a no-op.
    """
    today = timezone.localdate()
    with platform_scope("billing: issue monthly invoices"):
        tenants = billable_tenants()
        before = Invoice.objects.filter(period_start=today.replace(day=1)).count()
    for tenant in tenants:
        issue_invoice(tenant, today)
    with platform_scope("billing: count issued invoices"):
        issued = Invoice.objects.filter(period_start=today.replace(day=1)).count() - before
    logger.info("billing: %s invoice(s) issued for %s", issued, today.strftime("%Y-%m"))
    return issued


def invoice_url(invoice: Invoice) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("billing_invoice_print", args=[invoice.pk])


def remind_overdue(tenant: Tenant, invoice_id: int) -> bool:
    """Mark one invoice overdue and email the tenant's admins, once per invoice."""
    with tenant_scope(tenant), transaction.atomic():
        # The update is the claim: a second run (or worker) finds nothing to update.
        claimed = Invoice.objects.filter(
            pk=invoice_id, status__in=[Invoice.Status.PENDING, Invoice.Status.OVERDUE], reminder_sent_at=None
        ).update(status=Invoice.Status.OVERDUE, reminder_sent_at=timezone.now())
        if not claimed:
            Invoice.objects.filter(pk=invoice_id, status=Invoice.Status.PENDING).update(
                status=Invoice.Status.OVERDUE
            )
            return False
        invoice = Invoice.objects.get(pk=invoice_id)
        admins = list(
            User.objects.filter(tenant=tenant, role=Role.TENANT_ADMIN, is_active=True).values_list(
                "email", flat=True
            )
        )
        context = {
            "invoice": invoice,
            "tenant": tenant,
            "payment": get_provider().create_payment(invoice),
            "invoice_url": invoice_url(invoice),
        }
        send_platform_email("invoice_overdue", admins, context)
    return True


@shared_task(name="billing.mark_overdue", ignore_result=True, queue="default")
def mark_overdue() -> int:
    """Pending invoices past their due date become overdue; their tenants' admins are told."""
    now = timezone.now()
    with platform_scope("billing: find overdue invoices"):
        due = list(
            Invoice.objects.filter(status=Invoice.Status.PENDING, due_at__lt=now).values_list(
                "tenant_id", "pk"
            )
        )
        tenants = Tenant.objects.in_bulk({tenant_id for tenant_id, _ in due})
    reminded = 0
    for tenant_id, invoice_id in due:
        reminded += remind_overdue(tenants[tenant_id], invoice_id)
    return reminded
