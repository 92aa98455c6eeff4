"""Order management in the Wagtail admin: list, filters, CSV export, detail, transitions.

Orders are a snippet viewset over the tenant-scoped manager, so a tenant's staff only
ever see their own tenant's orders. Editing an order means one thing: choosing the next
status allowed by ``commerce.order_status`` (with a note), or asking for the supplier
mirror to be retried. The form routes both through ``commerce.orders`` /
``commerce.supplier``; no field of a placed order is edited directly.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, Panel
from wagtail.snippets.views.snippets import SnippetViewSet

from commerce.models import Order, SupplierState
from commerce.order_status import InvalidTransition, allowed_next


class OrderSummaryPanel(Panel):
    """Read-only: lines, totals, delivery, supplier mirror and the timeline."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "commerce/admin/order_summary_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            order = self.instance
            context.update(
                order=order,
                lines=list(order.lines.select_related("batch")),
                events=list(order.events.all()),
            )
            return context


class OrderTransitionForm(WagtailAdminModelForm):
    note = forms.CharField(required=False, max_length=500, help_text="Recorded in the order's timeline.")
    retry_supplier = forms.BooleanField(
        required=False,
        label="Retry sending to Dr. Green",
        help_text="Only for orders whose supplier mirror failed.",
    )

    class Meta:
        model = Order
        fields = ["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._previous_status = self.instance.status
        current = self.instance.status
        choices = [(current, f"{self.instance.get_status_display()} (unchanged)")]
        choices += [
            (s, f"→ {label}")
            for s, label in Order._meta.get_field("status").choices
            if s in allowed_next(current)
        ]
        self.fields["status"].choices = choices
        self.fields["status"].label = "Move to status"

    def clean_status(self) -> str:
        target = self.cleaned_data["status"]
        if target != self._previous_status and target not in allowed_next(self._previous_status):
            raise forms.ValidationError(str(InvalidTransition(self._previous_status, target)))
        return target

    def save(self, commit: bool = True) -> Order:
        from commerce import supplier
        from commerce.orders import transition

        order = self.instance
        target = self.cleaned_data["status"]
        order.status = self._previous_status  # the transition writes it, not the form
        if target != self._previous_status:
            order = transition(order, target, actor=self.for_user, note=self.cleaned_data.get("note", ""))
        if self.cleaned_data.get("retry_supplier") and order.supplier_state in (
            SupplierState.FAILED,
            SupplierState.RETRYING,
        ):
            order.supplier_state = SupplierState.QUEUED
            order.supplier_next_attempt_at = None
            order.save(update_fields=["supplier_state", "supplier_next_attempt_at", "updated_at"])
            supplier.enqueue_mirror(order.tenant, order)
        return order


class OrderViewSet(SnippetViewSet):
    model = Order
    icon = "list-ul"
    menu_label = "Orders"
    menu_name = "orders"
    menu_order = 160
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "reference",
        "created_at",
        "status",
        "total",
        "currency",
        "supplier_state",
        "delivery_country",
    ]
    list_filter = ["status", "supplier_state", "created_at"]
    search_fields = ["reference", "delivery_name", "email", "supplier_order_id", "supplier_invoice_number"]
    ordering = ["-created_at"]
    list_export = [
        "reference",
        "created_at",
        "status",
        "subtotal",
        "total",
        "currency",
        "flower_grams",
        "delivery_name",
        "delivery_city",
        "delivery_postcode",
        "delivery_country",
        "supplier_state",
        "supplier_order_id",
        "supplier_invoice_number",
        "supplier_order_status",
        "supplier_payment_status",
        "supplier_approval",
    ]
    export_filename = "orders"
    inspect_view_fields = [
        "reference",
        "status",
        "created_at",
        "total",
        "currency",
        "flower_grams",
        "delivery_name",
        "delivery_line1",
        "delivery_line2",
        "delivery_city",
        "delivery_postcode",
        "delivery_country",
        "supplier_state",
        "supplier_order_id",
        "supplier_invoice_number",
        "supplier_order_status",
        "supplier_payment_status",
        "supplier_approval",
        "supplier_attempts",
        "supplier_error",
        "supplier_next_attempt_at",
    ]

    edit_handler = ObjectList(
        [
            OrderSummaryPanel(heading="Order"),
            MultiFieldPanel(
                [FieldPanel("status"), FieldPanel("note"), FieldPanel("retry_supplier")],
                heading="Actions",
            ),
        ],
        base_form_class=OrderTransitionForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return Order.objects.all()

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        return Permission.objects.none()
