"""Full-page cache of the storefront for anonymous visitors, per tenant.

Sits after the age gate, so a hit is only served to a visitor the storefront would show
the page to anyway. The key holds everything the anonymous page depends on: tenant and
its content version (bumped on publish, unpublish, menu, branding, theme changes: see
:mod:`pages.cache_signals`), host and path (access style and script prefix follow from
them), query string, theme and version, whether the age check was passed and the
consent cookie. A response is stored only when nothing about it is personal: no user,
no cookie set, no CSRF token used, no session change, a 200 from a page view that opts in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from pages.caching import tenant_key
from pages.views import CONSENT_COOKIE, age_session_key

# Views whose anonymous output is the same for every visitor in the same key.
CACHEABLE_VIEWS = frozenset(
    {"wagtail_serve", "storefront:sitemap", "storefront:robots_txt", "storefront:search"}
)
STOREFRONT_STYLES = ("path", "subdomain", "domain")
CONSENT_VALUES = ("", "all", "essential")
STORED_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "X-Robots-Tag")


def page_cache_key(request: HttpRequest) -> str:
    tenant = request.tenant
    consent = request.COOKIES.get(CONSENT_COOKIE, "")
    gate = "1" if request.session.get(age_session_key(tenant)) else "0"
    theme = f"{tenant.theme_id}@{getattr(tenant.theme, 'version', '')}"
    where = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return tenant_key(
        tenant.pk,
        "page",
        request.tenant_url_style,
        theme,
        gate,
        consent if consent in CONSENT_VALUES else "other",
        digest,
    )


def _request_is_cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and getattr(request, "tenant", None) is not None
        and request.tenant_url_style in STOREFRONT_STYLES
        and getattr(request, "theme_preview", None) is None
        and not request.user.is_authenticated
    )


def _response_is_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    match = getattr(request, "resolver_match", None)
    cache_control = response.get("Cache-Control", "")
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and match is not None
        and match.view_name in CACHEABLE_VIEWS
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request.session, "modified", False)
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
    )


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or not _request_is_cacheable(request):
            return self.get_response(request)
        key = page_cache_key(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            # The consent cookie and the session pick the variant: shared caches must not mix them.
            patch_vary_headers(response, ["Cookie"])
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _response_is_cacheable(request, response):
            headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
            cache.set(key, (response.content, headers), seconds)
            response["X-Page-Cache"] = "miss"
        return response
