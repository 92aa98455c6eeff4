"""Super admins run tenants' lifecycle in the admin: suspend, reactivate, offboard, export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST

from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from budstack.storage import private_storage
from sites import lifecycle
from sites.admin_scoping import is_unrestricted
from sites.audit import record_audit
from sites.models import Tenant

URL_NAMESPACE = "tenants"
ACTIONS = {
    "suspend": (lifecycle.suspend, "{name} is suspended: storefront closed, admin read-only, API 403."),
    "reactivate": (lifecycle.reactivate, "{name} is active again."),
    "offboard": (
        lifecycle.start_offboarding,
        "{name} is offboarding: its data is being exported, and it will be deleted on {delete_after:%d %b %Y}.",
    ),
}


class TenantInspectView(generic.InspectView):
    template_name = "sites/admin/tenant_inspect.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tenant"] = self.object
        return context


def _super_admin_only(request: HttpRequest) -> None:
    if not is_unrestricted(request.user):
        raise PermissionDenied


@require_POST
def lifecycle_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _super_admin_only(request)
    if action not in ACTIONS:
        raise Http404
    change, done = ACTIONS[action]
    tenant = get_object_or_404(Tenant, pk=pk)
    try:
        tenant = change(tenant, actor=request.user, request=request)
    except lifecycle.LifecycleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(name=tenant.name, delete_after=tenant.delete_after))
    return redirect(f"{URL_NAMESPACE}:inspect", pk)


def download_export(request: HttpRequest, pk: int) -> HttpResponse:
    _super_admin_only(request)
    tenant = get_object_or_404(Tenant, pk=pk)
    storage = private_storage()
    if not tenant.export_file or not storage.exists(tenant.export_file):
        raise Http404("No export yet.")
    record_audit("tenant.export_downloaded", target=tenant, tenant=tenant, request=request,
                 data={"file": tenant.export_file})  # fmt: skip
    response = FileResponse(
        storage.open(tenant.export_file, "rb"),
        as_attachment=True,
        filename=tenant.export_file.rsplit("/", 1)[-1],
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


class TenantViewSet(ModelViewSet):
    model = Tenant
    icon = "site"
    menu_label = "Tenants"
    menu_name = "tenants"
    menu_order = 40
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = TenantInspectView
    list_display = [
        TitleColumn("name", label="Dispensary", url_name=f"{URL_NAMESPACE}:inspect"),
        Column("slug", label="Slug"),
        Column("country_code", label="Country"),
        Column("plan", label="Plan"),
        Column("status", label="Status", accessor="get_status_display"),
        DateColumn("created_at", label="Created"),
    ]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    inspect_view_fields = [
        "name", "slug", "country_code", "status", "plan", "theme", "custom_domain",
        "custom_domain_verified_at", "offboarding_started_at", "delete_after", "export_file", "created_at",
    ]  # fmt: skip
    exclude_form_fields: list[str] = []
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        return Tenant.objects.select_related("plan", "theme")

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/lifecycle/<str:action>/", lifecycle_action, name="lifecycle"),
            path("<int:pk>/export/", download_export, name="export"),
        ]
