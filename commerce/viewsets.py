"""Products in the admin: a snippet listing per tenant."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from commerce.models import Product
from sites.context import get_current_tenant


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


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = "Products"
    menu_name = "products"
    menu_order = 150
    add_to_admin_menu = True
    list_display = ["name", "sku", "strain_type", "form", "price", "stock", "is_published"]
    list_filter = ["strain_type", "form", "is_published"]
    search_fields = ["name", "sku"]
    ordering = ["name"]
    copy_view_enabled = False

    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("name"), FieldRowPanel([FieldPanel("slug"), FieldPanel("sku")])],
                heading="Product",
            ),
            FieldRowPanel([FieldPanel("strain_type"), FieldPanel("form")]),
            FieldRowPanel([FieldPanel("thc_percent"), FieldPanel("cbd_percent")]),
            FieldRowPanel([FieldPanel("price"), FieldPanel("currency"), FieldPanel("stock")]),
            FieldPanel("description"),
            FieldPanel(
                "available_countries",
                help_text="Space-separated ISO country codes where it may be sold, e.g. “GB PT”.",
            ),
            FieldPanel("is_published"),
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
