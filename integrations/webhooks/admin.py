"""Settings › Webhooks in the Wagtail admin, for tenant admins (scoped to their tenant).

Create, edit and delete go through :mod:`integrations.webhooks.services` (validation,
SSRF guard, audit trail). The secret is put in the session once, shown on the next
page and dropped. Each endpoint has a delivery log with its attempts and a
"Redeliver" button.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import BasePermissionPolicy

from billing.entitlements import FeatureUnavailable, allows
from integrations.events import EVENTS
from sites.admin_permissions import TenantRolePolicy
from sites.admin_scoping import staff_tenant
from sites.models import Role

from . import services
from .models import WebhookEndpoint

SESSION_KEY = "webhooks:new-secret"

TENANT_ADMIN_MANAGES_WEBHOOKS = {Role.TENANT_ADMIN: {"add", "change", "delete", "view"}}
# An endpoint belongs to the tenant it was made for; the platform view has no tenant.
SUPER_ADMIN_WEBHOOK_ACTIONS = {"change", "delete", "view"}
policy: BasePermissionPolicy = TenantRolePolicy(
    WebhookEndpoint, TENANT_ADMIN_MANAGES_WEBHOOKS, SUPER_ADMIN_WEBHOOK_ACTIONS
)


class WebhookEndpointForm(WagtailAdminModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in EVENTS],
        widget=forms.CheckboxSelectMultiple,
        help_text="The events this URL receives.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "description", "is_active"]

    def clean_url(self) -> str:
        try:
            return services.clean_url(self.cleaned_data.get("url", ""))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from exc

    def clean_events(self) -> list[str]:
        try:
            return services.clean_events(self.cleaned_data.get("events"))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["events"]) from exc


def _tenant_of(request: HttpRequest, endpoint: WebhookEndpoint | None = None):
    return endpoint.tenant if endpoint is not None else staff_tenant(request.user)


class WebhookCreateView(generic.CreateView):
    def is_valid(self, form) -> bool:
        tenant = _tenant_of(self.request)
        if form.is_valid() and tenant is not None and not allows(tenant, "webhooks"):
            form.add_error(None, str(FeatureUnavailable(tenant, "webhooks")))
        return super().is_valid(form)

    def save_instance(self) -> WebhookEndpoint:
        tenant = _tenant_of(self.request)
        if tenant is None:
            raise PermissionDenied
        data = self.form.cleaned_data
        endpoint, secret = services.create_endpoint(
            tenant,
            url=data["url"],
            events=data["events"],
            description=data.get("description", ""),
            is_active=data.get("is_active", True),
            actor=self.request.user,
            request=self.request,
        )
        self.request.session[SESSION_KEY] = {"pk": endpoint.pk, "secret": secret}
        return endpoint

    def get_success_url(self) -> str:
        return reverse("webhooks:secret", args=[self.object.pk])


class WebhookEditView(generic.EditView):
    def save_instance(self) -> WebhookEndpoint:
        data = self.form.cleaned_data
        return services.update_endpoint(
            self.object.tenant,
            self.object,
            actor=self.request.user,
            request=self.request,
            url=data["url"],
            events=data["events"],
            description=data.get("description", ""),
            is_active=data.get("is_active", False),
        )


class WebhookDeleteView(generic.DeleteView):
    def delete_action(self) -> None:
        services.delete_endpoint(
            self.object.tenant, self.object, actor=self.request.user, request=self.request
        )


def _endpoint_or_404(request: HttpRequest, pk, action: str) -> WebhookEndpoint:
    # The scoped manager (tenant staff run in their tenant's scope) makes another
    # tenant's endpoint not exist here; the policy check keeps editors and marketers out.
    endpoint = WebhookEndpoint.objects.filter(pk=pk).select_related("tenant").first()
    if endpoint is None:
        raise Http404("Not found")
    if not policy.user_has_permission_for_instance(request.user, action, endpoint):
        raise PermissionDenied
    return endpoint


def secret_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk, "view")
    stored = request.session.get(SESSION_KEY) or {}
    secret = None
    if stored.get("pk") == endpoint.pk:
        secret = stored["secret"]
        del request.session[SESSION_KEY]  # shown once
    return TemplateResponse(
        request,
        "integrations/webhooks/secret.html",
        {
            "endpoint": endpoint,
            "secret": secret,
            "page_title": "Webhook signing secret",
            "header_icon": "key",
            "deliveries_url": reverse("webhooks:deliveries", args=[endpoint.pk]),
            "index_url": reverse("webhooks:index"),
        },
    )


def deliveries_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk, "view")
    deliveries = list(services.list_deliveries(endpoint.tenant, endpoint)[:50])
    return TemplateResponse(
        request,
        "integrations/webhooks/deliveries.html",
        {
            "endpoint": endpoint,
            "deliveries": deliveries,
            "page_title": f"Deliveries to {endpoint.url}",
            "header_icon": "history",
            "can_redeliver": endpoint.is_active
            and policy.user_has_permission_for_instance(request.user, "change", endpoint),
            "edit_url": reverse("webhooks:edit", args=[endpoint.pk]),
            "index_url": reverse("webhooks:index"),
        },
    )


@require_POST
def redeliver_view(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, pk, "change")
    try:
        delivery = services.redeliver(
            endpoint.tenant, endpoint, delivery_pk, actor=request.user, request=request
        )
    except services.WebhookDelivery.DoesNotExist:
        raise Http404("Not found") from None
    except services.RedeliveryRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{delivery.event} {delivery.event_id} is being sent again.")
    return redirect("webhooks:deliveries", pk=endpoint.pk)


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = "Webhooks"
    menu_name = "webhooks"
    menu_order = 800
    add_to_settings_menu = True
    add_view_class = WebhookCreateView
    edit_view_class = WebhookEditView
    delete_view_class = WebhookDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["url", "events", "description", "is_active"]
    edit_handler = ObjectList(
        [FieldPanel("url"), FieldPanel("events"), FieldPanel("description"), FieldPanel("is_active")],
        base_form_class=WebhookEndpointForm,
    )
    list_display = [
        TitleColumn("url", label="URL", url_name="webhooks:edit"),
        Column("event_list", label="Events", accessor=lambda e: ", ".join(e.events or [])),
        StatusTagColumn(
            "is_active",
            label="Status",
            accessor=lambda e: "active" if e.is_active else "disabled",
            primary=lambda e: e.is_active,
        ),
        Column("consecutive_failures", label="Failures in a row"),
        DateColumn("created_at", label="Created"),
        TitleColumn(
            "deliveries",
            label="Deliveries",
            accessor=lambda e: "Delivery log",
            get_url=lambda e: reverse("webhooks:deliveries", args=[e.pk]),
        ),
    ]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        # Scoped manager: the tenant's endpoints for its staff (RLS agrees).
        return WebhookEndpoint.objects.select_related("tenant")

    def get_urlpatterns(self) -> list:
        return super().get_urlpatterns() + [
            path("secret/<int:pk>/", secret_view, name="secret"),
            path("deliveries/<int:pk>/", deliveries_view, name="deliveries"),
            path(
                "deliveries/<int:pk>/<int:delivery_pk>/redeliver/",
                redeliver_view,
                name="redeliver",
            ),
        ]

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        # Rights come from roles (TENANT_ADMIN_MANAGES_WEBHOOKS), not groups.
        return Permission.objects.none()
