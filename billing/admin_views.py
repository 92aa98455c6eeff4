"""Billing in the admin: plan assignment (super admins), invoice page, payments, usage panel."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from wagtail.admin.ui.components import Component

from billing.invoicing import mark_paid, void
from billing.limits import LIMITS, limit_of, usage
from billing.models import Invoice, Plan
from billing.plans import DowngradeRefused, change_plan
from billing.providers import get_provider
from integrations.email import email_branding
from sites.admin_scoping import is_unrestricted, staff_tenant
from sites.models import Role, Tenant


def _super_admin(request: HttpRequest) -> None:
    # A 404 rather than a 403: tenant staff are not told the page exists.
    if not is_unrestricted(request.user):
        raise Http404("Not found")


class TenantPlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.all(), required=False, empty_label="No plan (no limits)", to_field_name="slug"
    )


def tenant_plans(request: HttpRequest) -> HttpResponse:
    """Super admins: every tenant with its plan and usage against it."""
    _super_admin(request)
    tenants = Tenant.objects.select_related("plan").order_by("name")
    return TemplateResponse(request, "billing/admin/tenant_plans.html", {"tenants": tenants})


def tenant_plan(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """Super admins: put one tenant on a plan; a downgrade below current usage is refused."""
    _super_admin(request)
    tenant = get_object_or_404(Tenant.objects.select_related("plan"), pk=tenant_id)
    form = TenantPlanForm(request.POST or None, initial={"plan": tenant.plan})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = change_plan(tenant, form.cleaned_data["plan"], actor=request.user, request=request)
            except DowngradeRefused as refusal:
                form.add_error("plan", str(refusal))
            else:
                if changed:
                    messages.success(request, f"{tenant.name} is now on {tenant.plan or 'no plan'}.")
                return redirect("billing_tenant_plans")
        status = 400
    context = {"tenant": tenant, "form": form, "rows": usage_rows(tenant)}
    return TemplateResponse(request, "billing/admin/tenant_plan.html", context, status=status)


def _invoice_for(request: HttpRequest, pk: int) -> Invoice:
    """The invoice if the user is a super admin or an admin of its tenant; else 404."""
    user = request.user
    if not (is_unrestricted(user) or (user.role == Role.TENANT_ADMIN and staff_tenant(user) is not None)):
        raise Http404("Not found")
    # The scoped manager (and RLS): a tenant admin's scope holds their tenant's invoices only.
    invoice = Invoice.objects.select_related("tenant", "tenant__plan").filter(pk=pk).first()
    if invoice is None or (not is_unrestricted(user) and invoice.tenant_id != staff_tenant(user).pk):
        raise Http404("Not found")
    return invoice


def invoice_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable, tenant-branded invoice page."""
    invoice = _invoice_for(request, pk)
    context = {
        "invoice": invoice,
        "tenant": invoice.tenant,
        "branding": email_branding(invoice.tenant),
        "payment": get_provider().create_payment(invoice) if invoice.is_open else None,
        "can_manage": is_unrestricted(request.user) and invoice.is_open,
    }
    return TemplateResponse(request, "billing/invoice.html", context)


@require_POST
def invoice_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    _super_admin(request)
    invoice = _invoice_for(request, pk)
    if mark_paid(invoice, actor=request.user, request=request, reference=request.POST.get("reference", "")):
        messages.success(request, f"Invoice {invoice.number} is marked paid.")
    else:
        messages.error(request, f"Invoice {invoice.number} is {invoice.get_status_display().lower()}.")
    return redirect("billing_invoice_print", invoice.pk)


@require_POST
def invoice_void(request: HttpRequest, pk: int) -> HttpResponse:
    _super_admin(request)
    invoice = _invoice_for(request, pk)
    if void(invoice, actor=request.user, request=request):
        messages.success(request, f"Invoice {invoice.number} is void.")
    else:
        messages.error(request, f"Invoice {invoice.number} is {invoice.get_status_display().lower()}.")
    return redirect("billing_invoice_print", invoice.pk)


def usage_rows(tenant: Tenant) -> list[dict]:
    """Usage against each limit, for the dashboard panel and the plan page."""
    used = usage(tenant)
    rows = []
    for key, spec in LIMITS.items():
        limit = limit_of(tenant, key)
        value = used[key]
        percent = min(int(value * 100 / limit), 100) if limit else (100 if limit == 0 else 0)
        rows.append(
            {
                "label": spec.label[:1].upper() + spec.label[1:],
                "used": value,
                "limit": limit,
                "unit": spec.unit,
                "percent": percent,
                "full": limit is not None and value >= limit,
            }
        )
    return rows


class PlanUsagePanel(Component):
    """The tenant admin's dashboard: usage against the plan's limits."""

    name = "plan_usage"
    order = 50

    def __init__(self, tenant: Tenant):
        self.tenant = tenant

    def render_html(self, parent_context=None) -> str:
        context = {"tenant": self.tenant, "plan": self.tenant.plan, "rows": usage_rows(self.tenant)}
        return render_to_string("billing/admin/usage_panel.html", context)


class RevenuePanel(Component):
    """The super admin's dashboard: monthly recurring revenue and open invoices."""

    name = "billing_revenue"
    order = 60

    def render_html(self, parent_context=None) -> str:
        from billing.metrics import mrr_by_currency

        counts = {
            status: Invoice.objects.filter(status=status).count()
            for status in (Invoice.Status.PENDING, Invoice.Status.OVERDUE)
        }
        context = {"mrr": mrr_by_currency(), "pending": counts["pending"], "overdue": counts["overdue"]}
        return render_to_string("billing/admin/revenue_panel.html", context)
