"""Super admins review applications: list (status filter), inspect, approve, reject."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST

from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from onboarding import services
from onboarding.models import APPLICATION_FIELDS, TenantApplication
from sites.admin_scoping import is_unrestricted

URL_NAMESPACE = "onboarding_applications"


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Sent to the applicant.",
    )


class ApplicationInspectView(generic.InspectView):
    template_name = "onboarding/admin/inspect.html"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["application"] = self.object
        context["reject_form"] = kwargs.get("reject_form") or RejectForm()
        return context


def _super_admin_only(request: HttpRequest) -> None:
    if not is_unrestricted(request.user):
        raise PermissionDenied


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    _super_admin_only(request)
    application = get_object_or_404(TenantApplication, pk=pk)
    try:
        approval = services.approve(application.pk, actor=request.user, request=request)
    except services.ApplicationError as error:
        messages.error(request, f"Not approved: {error}")
    else:
        messages.success(
            request,
            f"Approved: {approval.tenant.name} is live at /store/{approval.tenant.slug}/; "
            f"its admin was emailed a link to set a password.",
        )
    return redirect(f"{URL_NAMESPACE}:inspect", pk)


@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    _super_admin_only(request)
    application = get_object_or_404(TenantApplication, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not rejected: give the applicant a reason.")
        return redirect(f"{URL_NAMESPACE}:inspect", pk)
    try:
        services.reject(application.pk, form.cleaned_data["reason"], actor=request.user, request=request)
    except services.ApplicationError as error:
        messages.error(request, f"Not rejected: {error}")
    else:
        messages.success(request, f"Rejected; {application.contact_email} was emailed the reason.")
    return redirect(f"{URL_NAMESPACE}:inspect", pk)


class ApplicationViewSet(ModelViewSet):
    model = TenantApplication
    icon = "form"
    menu_label = "Applications"
    menu_name = "applications"
    menu_order = 50
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = ApplicationInspectView
    list_display = [
        TitleColumn("business_name", label="Business", url_name=f"{URL_NAMESPACE}:inspect"),
        Column("slug", label="Address"),
        Column("country_code", label="Country"),
        Column("plan", label="Plan"),
        Column("status", label="Status", accessor="get_status_display"),
        DateColumn("submitted_at", label="Submitted"),
    ]
    list_filter = ["status"]
    search_fields = ["business_name", "slug", "contact_email"]
    inspect_view_fields = [
        *APPLICATION_FIELDS,
        "status",
        "submitted_at",
        "decided_at",
        "decided_by",
        "rejection_reason",
        "provisioned_tenant",
        "ip_address",
    ]
    exclude_form_fields: list[str] = []
    ordering = ["-submitted_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TenantApplication]:
        return TenantApplication.objects.select_related("plan", "theme")

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            path("approve/<int:pk>/", approve, name="approve"),
            path("reject/<int:pk>/", reject, name="reject"),
        ]
