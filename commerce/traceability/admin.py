"""Batches in the Wagtail admin: a snippet listing per tenant, events read-only inline,
and an "Add event" form that appends to the chain (the only way to write an event)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic.edit import FormView

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, Panel
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateTimeInput, Button
from wagtail.permissions import policy_registry
from wagtail.snippets.views.snippets import DeleteView, EditView, IndexView, SnippetViewSet

from commerce.traceability.chain import LedgerError, append_event, verify_chain
from commerce.traceability.models import Batch, BatchEvent
from sites.audit import record_audit
from sites.context import get_current_tenant


class BatchForm(WagtailAdminModelForm):
    """Batch codes are unique per tenant and frozen once the chain covers them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.event_count and "code" in self.fields:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "Fixed: the batch's ledger entries are sealed with this code."

    def clean_product(self):
        product = self.cleaned_data["product"]
        tenant_id = self.instance.tenant_id or getattr(get_current_tenant(), "pk", None)
        # A super admin's form offers every tenant's products; a batch stays in its tenant.
        if product is not None and tenant_id is not None and product.tenant_id != tenant_id:
            raise forms.ValidationError("Choose one of this dispensary's products.")
        return product

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        tenant_id = self.instance.tenant_id or getattr(get_current_tenant(), "pk", None)
        if Batch.all_tenants.filter(tenant_id=tenant_id, code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another batch already uses this code.")
        return code


class EventsPanel(Panel):
    """The batch's ledger, read-only, with the result of verifying it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "commerce_admin/batch_events_panel.html"

        def is_shown(self) -> bool:
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            check = verify_chain(self.instance)
            context["check"] = check
            context["timeline"] = [(event, event.sequence in check.valid) for event in check.events]
            context["add_event_url"] = reverse(
                "wagtailsnippets_commerce_batch:add_event", args=[self.instance.pk]
            )
            return context


class AddEventForm(forms.Form):
    kind = forms.ChoiceField(choices=BatchEvent.Kind.choices)
    occurred_at = forms.DateTimeField(label="When", widget=AdminDateTimeInput, initial=timezone.now)
    note = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    details = forms.JSONField(
        required=False,
        help_text='Further details as a JSON object, e.g. {"carrier": "DPD", "temperature": "18°C"}.',
    )

    def clean_occurred_at(self):
        when = self.cleaned_data["occurred_at"]
        if when > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError("An event cannot be recorded in the future.")
        return when

    def clean_details(self):
        details = self.cleaned_data.get("details")
        if details in (None, ""):
            return {}
        if not isinstance(details, dict):
            raise forms.ValidationError('Details must be a JSON object, e.g. {"carrier": "DPD"}.')
        return details


def _can_add_event(user, batch: Batch) -> bool:
    return policy_registry.get_by_type(Batch).user_has_permission_for_instance(user, "change", batch)


class AddEventView(WagtailAdminTemplateMixin, FormView):
    template_name = "wagtailadmin/generic/form.html"
    form_class = AddEventForm
    header_icon = "list-ol"
    page_title = "Add event"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The scoped manager: another tenant's batch is a 404, as if it did not exist.
        self.batch = get_object_or_404(Batch.objects.select_related("product"), pk=kwargs["pk"])
        if not _can_add_event(request.user, self.batch):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return f"Batch {self.batch.code}"

    @cached_property
    def edit_url(self) -> str:
        return reverse("wagtailsnippets_commerce_batch:edit", args=[self.batch.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse("wagtailsnippets_commerce_batch:add_event", args=[self.batch.pk])
        context["submit_button_label"] = "Append to the ledger"
        context["submit_button_active_label"] = "Appending…"
        return context

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailsnippets_commerce_batch:list"), "label": "Batches"},
            {"url": self.edit_url, "label": self.batch.code},
            {"url": "", "label": "Add event"},
        ]

    def form_valid(self, form: AddEventForm) -> HttpResponse:
        data = dict(form.cleaned_data["details"])
        if form.cleaned_data["note"]:
            data["note"] = form.cleaned_data["note"]
        try:
            event = append_event(
                self.batch,
                form.cleaned_data["kind"],
                data,
                self.request.user,
                occurred_at=form.cleaned_data["occurred_at"],
            )
        except LedgerError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        record_audit(
            "batch.event_added",
            actor=self.request.user,
            target=self.batch,
            data={"kind": event.kind, "sequence": event.sequence},
            request=self.request,
            tenant=self.batch.tenant,
        )
        messages.success(
            self.request,
            f"Event {event.sequence} ({event.get_kind_display()}) added to batch {self.batch.code}.",
        )
        return HttpResponseRedirect(self.edit_url)


class BatchIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if _can_add_event(self.request.user, instance):
            url = reverse("wagtailsnippets_commerce_batch:add_event", args=[instance.pk])
            buttons.append(MenuItem("Add event", url=url, icon_name="plus", priority=15))
        return buttons


class BatchEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if _can_add_event(self.request.user, self.object):
            url = reverse("wagtailsnippets_commerce_batch:add_event", args=[self.object.pk])
            buttons.insert(0, Button("Add event", url=url, icon_name="plus", priority=5))
        return buttons


class BatchDeleteView(DeleteView):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if self.object.event_count:
            messages.error(
                request, "A batch with ledger entries cannot be deleted: its history is kept for good."
            )
            return HttpResponseRedirect(reverse("wagtailsnippets_commerce_batch:edit", args=[self.object.pk]))
        return super().dispatch(request, *args, **kwargs)


class BatchViewSet(SnippetViewSet):
    model = Batch
    icon = "list-ol"
    menu_label = "Batches"
    menu_name = "batches"
    menu_order = 160
    add_to_admin_menu = True
    index_view_class = BatchIndexView
    edit_view_class = BatchEditView
    delete_view_class = BatchDeleteView
    list_display = ["code", "product", "harvested_on", "produced_on", "event_count"]
    list_filter = ["product"]
    search_fields = ["code"]
    ordering = ["-created_at"]
    copy_view_enabled = False

    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("code"), FieldPanel("product")]),
                 FieldRowPanel([FieldPanel("harvested_on"), FieldPanel("produced_on")])],
                heading="Batch",
            ),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("lab_name"), FieldPanel("tested_on")]),
                 FieldRowPanel([FieldPanel("thc_percent"), FieldPanel("cbd_percent")]),
                 FieldPanel("lab_results")],
                heading="Lab results",
            ),
            EventsPanel(heading="Ledger"),
        ],
        base_form_class=BatchForm,
    )  # fmt: skip

    @property
    def add_event_view(self):
        return AddEventView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("add-event/<int:pk>/", self.add_event_view, name="add_event"),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Batch]:
        # The scoped manager: the tenant's batches for its staff, all of them in a
        # super admin's platform scope; edit/delete look objects up through it too.
        return Batch.objects.select_related("product")

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        # Rights come from roles (sites.admin_permissions), not groups.
        return Permission.objects.none()
