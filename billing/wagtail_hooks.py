"""Admin registry of billing: plans, tenant plans, invoices, the dashboard usage panel."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from billing import admin_views
from billing.models import Invoice, Plan
from billing.viewsets import InvoiceViewSet, PlanViewSet
from sites.admin_permissions import SuperAdminOnlyPolicy, TenantRolePolicy
from sites.admin_scoping import is_unrestricted, staff_tenant
from sites.models import Role

register_permission_policy(Plan, SuperAdminOnlyPolicy(Plan))
# Invoices are issued by the platform: nobody adds or edits them in a form; payments
# and voiding are their own audited actions (billing.admin_views).
register_permission_policy(Invoice, TenantRolePolicy(Invoice, {Role.TENANT_ADMIN: {"view"}}, {"view"}))


@hooks.register("register_admin_viewset")
def register_plan_viewset() -> PlanViewSet:
    return PlanViewSet("plans")


@hooks.register("register_admin_viewset")
def register_invoice_viewset() -> InvoiceViewSet:
    return InvoiceViewSet("invoices")


@hooks.register("register_admin_urls")
def billing_urls() -> list:
    return [
        path("billing/tenants/", admin_views.tenant_plans, name="billing_tenant_plans"),
        path("billing/tenants/<int:tenant_id>/plan/", admin_views.tenant_plan, name="billing_tenant_plan"),
        path("billing/invoices/<int:pk>/", admin_views.invoice_print, name="billing_invoice_print"),
        path(
            "billing/invoices/<int:pk>/mark-paid/",
            admin_views.invoice_mark_paid,
            name="billing_invoice_mark_paid",
        ),
        path("billing/invoices/<int:pk>/void/", admin_views.invoice_void, name="billing_invoice_void"),
    ]


class SuperAdminMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return is_unrestricted(request.user)


@hooks.register("register_settings_menu_item")
def tenant_plans_menu_item() -> MenuItem:
    return SuperAdminMenuItem("Tenant plans", reverse("billing_tenant_plans"), icon_name="tag", order=610)


@hooks.register("construct_homepage_panels")
def plan_usage_panel(request: HttpRequest, panels: list) -> None:
    if is_unrestricted(request.user):
        panels.append(admin_views.RevenuePanel())
        return
    tenant = staff_tenant(request.user)
    if tenant is not None and request.user.role == Role.TENANT_ADMIN:
        panels.append(admin_views.PlanUsagePanel(tenant))
