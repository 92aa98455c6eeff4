"""Counts HTML pages served by tenant storefronts, cached or not."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sites.middleware import HEADER_TENANT_PREFIXES, PLATFORM_PREFIXES
from sites.resolution import TenantNotFound, resolve_request

from .tracking import record_page_view

STOREFRONT_STYLES = ("path", "subdomain", "domain")
NOT_STOREFRONT = frozenset(PLATFORM_PREFIXES + HEADER_TENANT_PREFIXES)


def _storefront_page(request: HttpRequest) -> tuple[object | None, str]:
    """The tenant and the path below its storefront root, or (None, "")."""
    if hasattr(request, "tenant"):
        # TenantMiddleware ran: it rewrote path_info to the path below /store/<slug>/.
        if request.tenant is None or getattr(request, "tenant_url_style", None) not in STOREFRONT_STYLES:
            return None, ""
        return request.tenant, request.path_info
    # An early page-cache hit: answered before tenant resolution, which is cached.
    if request.path_info.lstrip("/").split("/", 1)[0] in NOT_STOREFRONT:
        return None, ""
    try:
        resolution = resolve_request(request)
    except TenantNotFound:
        return None, ""
    if resolution.tenant is None or resolution.style not in STOREFRONT_STYLES:
        return None, ""
    return resolution.tenant, resolution.rest if resolution.style == "path" else request.path_info


class PageViewMiddleware:
    """Sits above the early page cache so that hits are counted too (see analytics.tracking)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            tenant, path = _storefront_page(request)
            if tenant is not None:
                record_page_view(tenant, path)
        return response
