"""Per-tenant caches of what every storefront page shows: branding, the menu, the pages.

Everything cached for a tenant is keyed by its *content version*, a token bumped whenever
something a visitor can see changes (a page published, unpublished, moved or deleted, the
menu, branding, settings, products, the theme). Bumping is O(1): old entries are never
looked up again and expire on their own, so no key scan is needed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from pages.versioned_cache import versioned_cache

MENU_SECONDS = 60 * 60
BRANDING_SECONDS = 60 * 60


# Looked up several times per page (page cache, branding, menu, routing): read once per
# request. A bump in the request updates it; one by another process shows from the next.
_versions: ContextVar[dict[int, str] | None] = ContextVar("budstack_content_versions", default=None)


@contextmanager
def versions_read_once() -> Iterator[None]:
    """Within this block (a request), each tenant's content version is read from Redis once."""
    token = _versions.set({})
    try:
        yield
    finally:
        _versions.reset(token)


def _version_key(tenant_id: int) -> str:
    return f"tenant:{tenant_id}:content-version"


def content_version(tenant_id: int) -> str:
    """The tenant's current content version (created on first use)."""
    memo = _versions.get()
    if memo is not None and tenant_id in memo:
        return memo[tenant_id]
    key = _version_key(tenant_id)
    version = cache.get(key)
    if version is None:
        version = str(time.time_ns())
        # add(): two first requests racing agree on the winner's value.
        if not cache.add(key, version, None):
            version = cache.get(key) or version
    if memo is not None:
        memo[tenant_id] = version
    return version


def bump_content_version(tenant_id: int | None) -> None:
    """Forget every page, menu and branding cached for the tenant, now and after commit.

    After commit too: a request running concurrently could otherwise re-cache the old
    content under the new version before this transaction becomes visible.
    """
    if tenant_id is None:
        return

    def bump() -> None:
        version = str(time.time_ns())
        cache.set(_version_key(tenant_id), version, None)
        memo = _versions.get()
        if memo is not None:
            memo[tenant_id] = version

    bump()
    transaction.on_commit(bump)


def tenant_key(tenant_id: int, *parts: object) -> str:
    """A key under the tenant's current content version."""
    return ":".join(["tenant", str(tenant_id), "v", content_version(tenant_id), *map(str, parts)])


def branding_for(tenant):
    """The tenant's Branding (or None), cached until the content version changes."""
    from sites.models import Branding

    return versioned_cache.get_or_set(
        tenant_key(tenant.pk, "branding-record"),
        Branding.objects.filter(tenant=tenant).first,
        BRANDING_SECONDS,
    )


def menu_links_for(request: HttpRequest) -> list:
    """The main menu, cached per tenant and access style (its URLs depend on both)."""
    from django.urls import get_script_prefix

    from pages.navigation import menu_links

    key = tenant_key(request.tenant.pk, "menu", request.tenant_url_style, get_script_prefix())
    return versioned_cache.get_or_set(key, lambda: menu_links(request), MENU_SECONDS)
