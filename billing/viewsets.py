"""Plans (super admins) and invoices (super admins: all; tenant admins: their own, read-only)."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.utils.html import format_html

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from billing.models import Invoice, Plan
from sites.admin_scoping import is_unrestricted, staff_tenant
from sites.models import Tenant


class PlanViewSet(ModelViewSet):
    model = Plan
    icon = "tag"
    menu_label = "Plans"
    menu_name = "plans"
    add_to_settings_menu = True
    copy_view_enabled = False
    list_display = ["name", "slug", "monthly_price", "currency", "max_staff_users", "max_patients",
                    "max_orders_per_month", "max_products", "max_storage_mb"]  # fmt: skip
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
                    FieldRowPanel([FieldPanel("monthly_price"), FieldPanel("currency")]),
                    FieldPanel("description"),
                    FieldRowPanel([FieldPanel("is_public"), FieldPanel("sort_order")]),
                ],
                heading="Offer",
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("max_staff_users"), FieldPanel("max_patients")]),
                    FieldRowPanel([FieldPanel("max_orders_per_month"), FieldPanel("max_products")]),
                    FieldPanel("max_storage_mb"),
                ],
                heading="Limits (empty: unlimited)",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("allows_custom_domain"),
                    FieldPanel("allows_api_access"),
                    FieldPanel("allows_webhooks"),
                    FieldPanel("allows_custom_themes"),
                ],
                heading="Features",
            ),
        ]
    )

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        return Permission.objects.none()  # super admins only (billing.wagtail_hooks)


def _tenants_for(request) -> QuerySet[Tenant]:
    if request is None or is_unrestricted(request.user):
        return Tenant.objects.all()
    tenant = staff_tenant(request.user)
    return Tenant.objects.filter(pk=tenant.pk if tenant else None)


class InvoiceFilterSet(WagtailFilterSet):
    # Tenant staff are offered their own tenant only: never other dispensaries' names.
    tenant = django_filters.ModelChoiceFilter(queryset=_tenants_for, label="Dispensary")

    class Meta:
        model = Invoice
        fields = ["status", "tenant"]


class PrintColumn(Column):
    def get_value(self, instance):
        from django.urls import reverse

        return format_html('<a href="{}">Open</a>', reverse("billing_invoice_print", args=[instance.pk]))


class InvoiceIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Invoice]:
        # The scoped manager: the tenant's invoices for its staff, all for super admins.
        return Invoice.objects.select_related("tenant")


class InvoiceViewSet(ModelViewSet):
    model = Invoice
    icon = "doc-full"
    menu_label = "Invoices"
    menu_name = "invoices"
    menu_order = 900
    add_to_admin_menu = True
    index_view_class = InvoiceIndexView
    copy_view_enabled = False
    inspect_view_enabled = False
    filterset_class = InvoiceFilterSet
    list_display = ["number", "tenant", "plan_name", "amount", "currency", "status", "period_start", "due_at",
                    PrintColumn("invoice", label="Invoice")]  # fmt: skip
    ordering = ["-period_start", "number"]
    # No add or edit rights exist (see the permission policy); Wagtail needs a form anyway.
    form_fields = ["payment_reference"]

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        return Permission.objects.none()  # rights come from roles (billing.wagtail_hooks)
