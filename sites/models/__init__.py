from .audit import AuditLogEntry
from .branding import Branding
from .roles import TenantGroup
from .scoped import (
    TenantScopedManager,
    TenantScopedManagerMixin,
    TenantScopedModel,
    TenantScopedQuerySet,
    scope_queryset,
    tenant_owned_models,
)
from .tenant import Tenant
from .tokens import ApiToken
from .users import STAFF_ROLES, Role, User

__all__ = [
    "ApiToken",
    "STAFF_ROLES",
    "AuditLogEntry",
    "Branding",
    "Role",
    "Tenant",
    "TenantGroup",
    "TenantScopedManager",
    "TenantScopedManagerMixin",
    "TenantScopedModel",
    "TenantScopedQuerySet",
    "User",
    "scope_queryset",
    "tenant_owned_models",
]
