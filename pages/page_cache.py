"""Full-page cache of the storefront for anonymous visitors, per tenant.

``PageCacheMiddleware`` sits after the age gate, so a hit is only served to a visitor the
storefront would show the page to anyway; ``EarlyPageCacheMiddleware`` serves visitors
without a session cookie before any tenant or database work. The key holds everything the anonymous page depends on: tenant and
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
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers, set_response_etag

from pages.caching import tenant_key, versions_read_once
from pages.views import CONSENT_COOKIE, age_session_key
from sites.middleware import HEADER_TENANT_PREFIXES, PLATFORM_PREFIXES
from sites.resolution import TenantNotFound, resolve_request

# Views whose anonymous output is the same for every visitor in the same key.
CACHEABLE_VIEWS = frozenset(
    {"wagtail_serve", "storefront:sitemap", "storefront:robots_txt", "storefront:search"}
)
STOREFRONT_STYLES = ("path", "subdomain", "domain")
CONSENT_VALUES = ("", "all", "essential")
# X-Frame-Options is set by middleware inside this one; an early hit must carry it too.
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "ETag",
    "Last-Modified",
    "X-Robots-Tag",
    "X-Frame-Options",
)
SKIP_EARLY = frozenset(PLATFORM_PREFIXES + HEADER_TENANT_PREFIXES)


def consent_state(request: HttpRequest) -> str:
    """The visitor's cookie choice as one of a few values (a key part, never free text)."""
    consent = request.COOKIES.get(CONSENT_COOKIE, "")
    return consent if consent in CONSENT_VALUES else "other"


def page_cache_key(request: HttpRequest, tenant, style: str, gate_passed: bool) -> str:
    theme = f"{tenant.theme_id}@{getattr(tenant.theme, 'version', '')}"
    where = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return tenant_key(
        tenant.pk,
        "page",
        style,
        theme,
        "1" if gate_passed else "0",
        consent_state(request),
        digest,
    )


def response_from(content: bytes, headers: dict[str, str]) -> HttpResponse:
    """A response rebuilt from what a cache kept of one: its body and chosen headers."""
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response


def _hit(stored: tuple, request: HttpRequest) -> HttpResponse:
    content, headers, nonce = (*stored, None)[:3]
    if nonce:
        # The stored page's inline styles carry the nonce it was rendered with: the CSP
        # header of this answer must name that one (django-csp reads it from here). A
        # fresh nonce would block them, and rewriting the body would break the ETag that
        # browsers revalidate with. The nonce was generated for the first render and is
        # shared only by visitors of this cached entry, which is the same page for all.
        request._csp_nonce = nonce
    response = response_from(content, headers)
    # The consent cookie and the session pick the variant: shared caches must not mix them.
    patch_vary_headers(response, ["Cookie"])
    response["X-Page-Cache"] = "hit"
    return response


def _has_pending_messages(request: HttpRequest) -> bool:
    """Flash messages waiting in a cookie are shown once, on the next page: never a cached one."""
    return CookieStorage.cookie_name in request.COOKIES


def _request_is_cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not _has_pending_messages(request)
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
    """Looks up and stores pages, after the age gate (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or not _request_is_cacheable(request):
            return self.get_response(request)
        tenant = request.tenant
        key = page_cache_key(
            request, tenant, request.tenant_url_style, bool(request.session.get(age_session_key(tenant)))
        )
        stored = cache.get(key)
        if stored is not None:
            return _hit(stored, request)
        response = self.get_response(request)
        if _response_is_cacheable(request, response):
            # Hashed once here, not on every hit by ConditionalGetMiddleware.
            if not response.has_header("ETag"):
                set_response_etag(response)
            headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
            nonce = getattr(request, "_csp_nonce", None)
            cache.set(key, (response.content, headers, nonce if isinstance(nonce, str) else None), seconds)
            response["X-Page-Cache"] = "miss"
        return response


class EarlyPageCacheMiddleware:
    """Serves hits to visitors without a session before tenant scope, session and auth run.

    Without a session cookie a visitor is anonymous, previews no theme and has not passed
    the age check, so the key is fully known from the host, path and cookies. An entry for
    that state only exists if the tenant's age gate was off when it was stored: turning
    the gate on saves the storefront settings, which changes the content version. Saves
    the request's database transaction and three cache lookups per hit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with versions_read_once():
            return self._serve(request)

    def _serve(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not _has_pending_messages(request)
            and request.path_info.lstrip("/").split("/", 1)[0] not in SKIP_EARLY
        ):
            try:
                resolution = resolve_request(request)
            except TenantNotFound:
                resolution = None
            tenant = resolution.tenant if resolution else None
            if tenant is not None and tenant.is_active and resolution.style in STOREFRONT_STYLES:
                stored = cache.get(page_cache_key(request, tenant, resolution.style, gate_passed=False))
                if stored is not None:
                    return _hit(stored, request)
        return self.get_response(request)
