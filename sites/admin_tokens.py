"""API tokens in the admin: tenant admins list and revoke their tenant's tokens, super
admins everyone's. Tokens are issued through the API only (they are shown once)."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest

from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet

from sites.models import ApiToken, Role

TENANT_ADMIN_REVOKES_TOKENS = {Role.TENANT_ADMIN: {"view", "delete"}}
SUPER_ADMIN_TOKEN_ACTIONS = {"view", "delete"}


class ApiTokenViewSet(ModelViewSet):
    model = ApiToken
    icon = "key"
    menu_label = "API tokens"
    menu_name = "api-tokens"
    menu_order = 910
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        Column("prefix", label="Token"),
        Column("name", label="Name"),
        Column("user", label="User"),
        Column("tenant", label="Tenant"),
        DateColumn("created_at", label="Created"),
        DateColumn("last_used_at", label="Last used"),
        DateColumn("expires_at", label="Expires"),
    ]
    inspect_view_fields = [
        "prefix",
        "name",
        "user",
        "tenant",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    search_fields = ["name", "prefix"]
    # Required by ModelViewSet; no one is granted "add" or "change" (see the policy).
    exclude_form_fields: list[str] = []
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        # Scoped manager: the tenant's tokens for its admin; all under a super admin's
        # platform scope. Revoked tokens are not listed.
        return ApiToken.objects.filter(revoked_at__isnull=True).select_related("user", "tenant")

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        return Permission.objects.none()
