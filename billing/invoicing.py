"""Monthly invoices: issue one per tenant and month, mark overdue, record payments.

Issuing is idempotent: the (tenant, period_start) unique constraint means a task that
runs twice, or on two workers at once, leaves exactly one invoice per month.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from billing.models import Invoice
from sites.audit import record_audit
from sites.context import tenant_scope
from sites.models import Tenant

logger = logging.getLogger("budstack.billing")


def month_of(day: date) -> tuple[date, date]:
    """First and last day of ``day``'s calendar month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def invoice_number(tenant: Tenant, period_start: date) -> str:
    return f"BS-{period_start:%Y%m}-{tenant.pk:05d}"


def issue_invoice(tenant: Tenant, period_start: date) -> Invoice | None:
    """The tenant's invoice for the month starting ``period_start``, made if missing.

    Returns None for a tenant without a plan (nothing to bill).
    """
    if tenant.plan is None:
        return None
    period_start, period_end = month_of(period_start)
    with tenant_scope(tenant):
        existing = Invoice.objects.filter(period_start=period_start).first()
        if existing is not None:
            return existing
        now = timezone.now()
        plan = tenant.plan
        try:
            with transaction.atomic():
                return Invoice.objects.create(
                    tenant=tenant,
                    number=invoice_number(tenant, period_start),
                    period_start=period_start,
                    period_end=period_end,
                    plan=plan,
                    plan_name=plan.name,
                    amount=plan.monthly_price,
                    currency=plan.currency,
                    issued_at=now,
                    due_at=now + timedelta(days=settings.BILLING_DUE_DAYS),
                )
        except IntegrityError:
            # Another worker issued it between our look-up and our insert.
            return Invoice.objects.get(period_start=period_start)


def billable_tenants() -> list[Tenant]:
    """Active tenants with a plan (call in the platform scope)."""
    return list(Tenant.objects.filter(status=Tenant.Status.ACTIVE, plan__isnull=False).select_related("plan"))


def mark_paid(
    invoice: Invoice, *, actor=None, request: HttpRequest | None = None, reference: str = ""
) -> bool:
    """Record a payment; False when the invoice was not open (paid or void already)."""
    if not invoice.is_open:
        return False
    with transaction.atomic():
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = timezone.now()
        invoice.payment_reference = reference[:100]
        invoice.save(update_fields=["status", "paid_at", "payment_reference"])
        record_audit("invoice.paid", actor=actor, target=invoice, request=request, tenant=invoice.tenant,
                     data={"number": invoice.number, "reference": invoice.payment_reference})  # fmt: skip
    return True


def void(invoice: Invoice, *, actor=None, request: HttpRequest | None = None) -> bool:
    """Cancel an open invoice; False when it was not open."""
    if not invoice.is_open:
        return False
    with transaction.atomic():
        invoice.status = Invoice.Status.VOID
        invoice.save(update_fields=["status"])
        record_audit("invoice.voided", actor=actor, target=invoice, request=request, tenant=invoice.tenant,
                     data={"number": invoice.number})  # fmt: skip
    return True
