"""Invoices: issued once per tenant and month, overdue once with one reminder, shown only
to the tenant's admins and super admins, paid by hand with an audit entry; MRR."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

import pytest

from billing.metrics import mrr, mrr_by_currency
from billing.models import Invoice
from billing.tasks import issue_invoices, mark_overdue
from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Role, Tenant

pytestmark = pytest.mark.django_db


def _invoices() -> list[tuple[str, str, str]]:
    with platform_scope("test"):
        return sorted(Invoice.objects.values_list("tenant__slug", "plan_name", "status"))


@pytest.fixture
def billed(tenant_a, tenant_b, make_tenant, on_plan):
    """alpha on Professional, bravo on Starter, charlie without a plan, delta suspended."""
    on_plan(tenant_a, "professional")
    on_plan(tenant_b, "starter")
    make_tenant("charlie", "Charlie Care")
    delta = on_plan(make_tenant("delta", "Delta Dispensary"), "starter")
    with platform_scope("test"):
        Tenant.objects.filter(pk=delta.pk).update(status=Tenant.Status.SUSPENDED)
    return tenant_a, tenant_b


def test_monthly_invoices_are_issued_once_per_tenant_and_period(billed):
    assert issue_invoices() == 2
    assert issue_invoices() == 0
    assert _invoices() == [("alpha", "Professional", "pending"), ("bravo", "Starter", "pending")]
    with tenant_scope(billed[0]):
        invoice = Invoice.objects.get()
    today = timezone.localdate()
    assert invoice.period_start == today.replace(day=1) and invoice.period_end.month == today.month
    assert invoice.amount == Decimal("699.00") and invoice.number.startswith(f"BS-{today:%Y%m}-")
    assert invoice.due_at - invoice.issued_at == timedelta(days=14)


def test_overdue_invoices_are_marked_and_their_admins_reminded_once(billed, make_user):
    alpha, _bravo = billed
    make_user(alpha, Role.EDITOR)  # staff, but not an admin: no reminder
    issue_invoices()
    with platform_scope("test"):
        Invoice.objects.filter(tenant=alpha).update(due_at=timezone.now() - timedelta(days=1))
    mail.outbox.clear()

    assert mark_overdue() == 1
    assert mark_overdue() == 0
    assert _invoices() == [("alpha", "Professional", "overdue"), ("bravo", "Starter", "pending")]
    assert len(mail.outbox) == 1
    reminder = mail.outbox[0]
    assert reminder.to == ["owner@alpha.example"]
    assert "is overdue" in reminder.subject and "699.00 USD" in reminder.body
    assert "Pay by bank transfer" in reminder.body and "Reference: BS-" in reminder.body


def test_the_invoice_page_is_for_the_tenants_admins_and_super_admins_only(client, billed, make_user):
    from tests.admin_world import log_in

    alpha, bravo = billed
    issue_invoices()
    with tenant_scope(alpha):
        invoice = Invoice.objects.get()
    url = f"/admin/billing/invoices/{invoice.pk}/"
    for outsider in (make_user(bravo, Role.TENANT_ADMIN), make_user(alpha, Role.EDITOR)):
        log_in(client, outsider)
        assert client.get(url).status_code == 404
        assert client.post(f"{url}mark-paid/").status_code == 404
        client.logout()

    log_in(client, make_user(alpha, Role.TENANT_ADMIN, email="boss@alpha.example"))
    own = client.get(url)
    assert own.status_code == 200
    page = own.content.decode()
    assert invoice.number in page and "Alpha Dispensary" in page and "699.00 USD" in page
    assert "Mark paid" not in page
    assert client.post(f"{url}mark-paid/").status_code == 404
    listing = client.get("/admin/invoices/").content.decode()
    assert invoice.number in listing and "Bravo" not in listing
    client.logout()

    log_in(client, make_user(None, Role.SUPER_ADMIN))
    dashboard = client.get("/admin/").content.decode()
    assert (
        "Monthly recurring revenue" in dashboard
        and "998.00 USD" in dashboard.replace(",", "")
        and "2 pending" in dashboard
    )
    assert "Mark paid" in client.get(url).content.decode()
    assert client.post(f"{url}mark-paid/", {"reference": "BANK-42"}).status_code == 302
    assert _invoices()[0] == ("alpha", "Professional", "paid")
    with tenant_scope(alpha):
        entries = list(AuditLogEntry.objects.filter(action="invoice.paid").values_list("data", flat=True))
    assert entries == [{"number": invoice.number, "reference": "BANK-42"}]
    assert "Bravo Clinic" in client.get("/admin/invoices/").content.decode()


def test_mrr_sums_the_plans_of_active_tenants(billed):
    assert mrr() == Decimal("998.00")
    assert mrr_by_currency() == {"USD": Decimal("998.00")}
    assert mrr("EUR") == Decimal("0")


def test_create_tenant_takes_a_plan(db):
    call_command(
        "create_tenant", "--slug", "echo", "--name", "Echo", "--country", "GB", "--admin-email", "o@echo.example",
        "--plan", "starter",
    )  # fmt: skip
    with platform_scope("test"):
        assert Tenant.objects.get(slug="echo").plan.slug == "starter"
