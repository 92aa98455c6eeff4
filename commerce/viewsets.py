"""Products in the admin: a snippet listing per tenant."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from billing.limits import check_limit
from commerce.models import Product
from commerce.models.products import normalise_countries
from sites.context import get_current_tenant
from sites.limits import PlanLimitReached


class ProductForm(WagtailAdminModelForm):
    """Checks SKU and slug uniqueness within the product's tenant.

    The database enforces it too, but ``tenant`` is not a form field, so Django's form
    validation skips the per-tenant constraints and a clash would be a server error.
    """

    def _clean_unique_in_tenant(self, field: str) -> str:
        value = self.cleaned_data[field]
        tenant_id = self.instance.tenant_id or getattr(get_current_tenant(), "pk", None)
        clash = Product.all_tenants.filter(tenant_id=tenant_id, **{field: value}).exclude(pk=self.instance.pk)
        if clash.exists():
            label = self.fields[field].label
            raise forms.ValidationError(f"Another product already uses this {label}.")
        return value

    def clean_sku(self) -> str:
        return self._clean_unique_in_tenant("sku")

    def clean_slug(self) -> str:
        return self._clean_unique_in_tenant("slug")

    def clean_available_countries(self) -> str:
        value = normalise_countries(self.cleaned_data["available_countries"])
        bad = [code for code in value.split() if not re.fullmatch(r"[A-Z]{2}", code)]
        if bad:
            raise forms.ValidationError(f"Not ISO alpha-2 country codes: {', '.join(bad)}.")
        return value

    def clean(self):
        data = super().clean()
        tenant = self.instance.tenant if self.instance.tenant_id else get_current_tenant()
        if self.instance.pk is None and tenant is not None:
            try:
                check_limit(tenant, "products")
            except PlanLimitReached as refusal:
                self.add_error(None, str(refusal))
        start, end = data.get("publish_at"), data.get("unpublish_at")
        if start and end and end <= start:
            self.add_error("unpublish_at", "Must be after the publication time.")
        return data


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = "Products"
    menu_name = "products"
    menu_order = 150
    add_to_admin_menu = True
    list_display = [
        "name",
        "sku",
        "strain_type",
        "form",
        "price",
        "stock",
        "is_published",
        "available_countries",
    ]
    list_filter = ["strain_type", "form", "is_published", "currency"]
    search_fields = ["name", "sku", "description", "terpenes"]
    ordering = ["name"]
    copy_view_enabled = False

    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("name"), FieldRowPanel([FieldPanel("slug"), FieldPanel("sku")])],
                heading="Product",
            ),
            FieldRowPanel([FieldPanel("strain_type"), FieldPanel("form")]),
            FieldRowPanel(
                [
                    FieldPanel("thc_percent"),
                    FieldPanel("thc_unit"),
                    FieldPanel("cbd_percent"),
                    FieldPanel("cbd_unit"),
                ]
            ),
            FieldPanel("terpenes"),
            FieldRowPanel(
                [
                    FieldPanel("unit_weight_grams"),
                    FieldPanel("unit_volume_ml"),
                    FieldPanel("flower_equivalent_grams"),
                ]
            ),
            FieldRowPanel([FieldPanel("price"), FieldPanel("currency"), FieldPanel("stock")]),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("image"), FieldPanel("image_url")]),
            FieldPanel("coa_document"),
            FieldPanel(
                "available_countries",
                help_text="Space-separated ISO country codes where it may be sold, e.g. “GB PT”.",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("is_published"),
                    FieldRowPanel([FieldPanel("publish_at"), FieldPanel("unpublish_at")]),
                ],
                heading="Publication",
            ),
        ],
        base_form_class=ProductForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        # The default manager returns the current scope's rows: the tenant's for its
        # staff, every tenant's inside a super admin's platform scope. Edit, delete,
        # history, usage and chooser views look objects up through the same manager.
        return Product.objects.all()

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        # Rights on products come from roles (sites.admin_permissions), not groups.
        return Permission.objects.none()
