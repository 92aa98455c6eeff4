"""The per-tenant age check in front of the storefront."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from pages.views import age_session_key

# Machines and the check itself pass: feeds, sitemaps and files are not for reading here.
EXEMPT_PREFIXES = ("/age-check/", "/consent/", "/robots.txt", "/sitemap.xml", "/documents/", "/auth/")
EXEMPT_SUFFIXES = ("/feed/",)


class AgeGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is None
            or request.tenant_url_style not in ("path", "subdomain", "domain")
            or request.path_info.startswith(EXEMPT_PREFIXES)
            or request.path_info.endswith(EXEMPT_SUFFIXES)
            or request.session.get(age_session_key(tenant))
        ):
            return self.get_response(request)
        from pages.models import StorefrontSettings

        if not StorefrontSettings.for_tenant(tenant).age_gate_enabled:
            return self.get_response(request)
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('storefront:age_check')}?{query}")
