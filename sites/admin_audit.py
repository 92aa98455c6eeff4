"""The audit trail in the admin: read-only, filterable, exportable as CSV.

Tenant admins see their tenant's entries; super admins see every entry, platform ones
included, and can filter by tenant. Nothing here can add, edit or delete an entry.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from sites.admin_scoping import is_unrestricted
from sites.models import AuditLogEntry, Tenant


class AuditLogFilterSet(WagtailFilterSet):
    action = django_filters.CharFilter(lookup_expr="startswith", label="Action starts with")
    created_at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)
    actor_label = django_filters.CharFilter(lookup_expr="icontains", label="Actor")

    class Meta:
        model = AuditLogEntry
        fields = ["action", "created_at", "actor_label"]


class PlatformAuditLogFilterSet(AuditLogFilterSet):
    tenant = django_filters.ModelChoiceFilter(queryset=Tenant.objects.order_by("name"), empty_label="All")
    platform_only = django_filters.BooleanFilter(
        field_name="tenant", lookup_expr="isnull", label="Platform actions only"
    )

    class Meta(AuditLogFilterSet.Meta):
        fields = ["tenant", "platform_only", *AuditLogFilterSet.Meta.fields]


class AuditLogIndexView(IndexView):
    @cached_property
    def filterset_class(self):
        # The tenant filter would list every dispensary's name: super admins only.
        return PlatformAuditLogFilterSet if is_unrestricted(self.request.user) else AuditLogFilterSet


class AuditLogViewSet(ModelViewSet):
    model = AuditLogEntry
    icon = "history"
    menu_label = "Audit log"
    menu_name = "audit-log"
    menu_order = 900
    add_to_settings_menu = True
    index_view_class = AuditLogIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        DateColumn("created_at", label="When"),
        Column("actor_label", label="Who"),
        Column("action", label="Action"),
        Column("object_type", label="Object"),
        Column("object_id", label="Id"),
        Column("tenant", label="Tenant"),
    ]
    list_export = [
        "created_at",
        "tenant",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "data",
        "ip_address",
    ]
    export_filename = "audit-log"
    inspect_view_fields = [*list_export]
    search_fields = ["action", "actor_label", "object_id"]
    # Required by ModelViewSet; the permission policy grants no one "add" or "change",
    # so the create and edit views answer nobody.
    exclude_form_fields: list[str] = []
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditLogEntry]:
        # Scoped manager: the tenant's rows for its staff; every row (platform ones too)
        # under a super admin's platform scope. RLS agrees at the database.
        return AuditLogEntry.objects.select_related("tenant")

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        # Rights come from roles (sites.admin_permissions.AUDIT_LOG_READERS).
        return Permission.objects.none()
