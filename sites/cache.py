"""Cache keys that cannot cross tenants."""

from __future__ import annotations

from sites.context import get_current_tenant


def tenant_cache_key(*parts: object) -> str:
    """A key under the current tenant: the same logical key never collides across tenants."""
    tenant = get_current_tenant()
    if tenant is None:
        raise RuntimeError("tenant_cache_key() needs a tenant scope")
    return ":".join(["tenant", str(tenant.pk), *map(str, parts)])
