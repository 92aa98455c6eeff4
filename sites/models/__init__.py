from .branding import Branding
from .roles import TenantGroup
from .scoped import TenantScopedManager, TenantScopedModel, TenantScopedQuerySet, tenant_owned_models
from .tenant import Tenant
from .users import STAFF_ROLES, Role, User

__all__ = [
    "STAFF_ROLES",
    "Branding",
    "Role",
    "Tenant",
    "TenantGroup",
    "TenantScopedManager",
    "TenantScopedModel",
    "TenantScopedQuerySet",
    "User",
    "tenant_owned_models",
]
