"""Who may call what, by role (CONTRACT.md: SUPER_ADMIN, TENANT_ADMIN, EDITOR, MARKETER, PATIENT)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from sites.models import Role


class IsSuperAdmin(BasePermission):
    message = "Only super admins may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.is_super_admin)


class IsTenantAdmin(BasePermission):
    """The tenant's own admins, and super admins acting for a tenant."""

    message = "Only the tenant's admins may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if user.is_super_admin:
            return True
        tenant = getattr(request._request, "tenant", None)
        return user.role == Role.TENANT_ADMIN and tenant is not None and user.tenant_id == tenant.pk


class IsAuthenticatedUser(BasePermission):
    message = "Sign in first."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)
