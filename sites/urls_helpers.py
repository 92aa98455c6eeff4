"""Absolute URLs on a tenant's primary host (canonical links, sitemaps, feeds, emails)."""

from __future__ import annotations

from django.conf import settings

from sites.models import Tenant


def tenant_base_url(tenant: Tenant) -> str:
    scheme = settings.BUDSTACK_PUBLIC_SCHEME
    port = settings.BUDSTACK_PUBLIC_PORT
    default_port = {"http": 80, "https": 443}[scheme]
    host = tenant.primary_hostname if port == default_port else f"{tenant.primary_hostname}:{port}"
    return f"{scheme}://{host}"


def tenant_absolute_url(tenant: Tenant, path: str) -> str:
    """``path`` is relative to the tenant's root, e.g. ``/about/``."""
    return tenant_base_url(tenant) + "/" + path.lstrip("/")
