"""Cookie consent and the age check: small storefront views with no JavaScript."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sites.decorators import storefront_view

CONSENT_COOKIE = "budstack_consent"
CONSENT_MAX_AGE = 60 * 60 * 24 * 180


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def age_session_key(tenant) -> str:
    return f"age_confirmed:{tenant.pk}"


def is_cross_site(request: HttpRequest) -> bool:
    """True when the browser says the request comes from another site (Fetch metadata, Origin)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return origin is not None and origin != f"{request.scheme}://{request.get_host()}"


# The cookie banner on every page posts here without a CSRF token, so that anonymous pages
# carry nothing per visitor and can be served from the page cache. The browser's own
# Origin and Sec-Fetch-Site headers refuse cross-site posts instead; the view only sets a
# preference cookie, it reads or changes nothing else.
@csrf_exempt
@storefront_view
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and is_cross_site(request):
        return HttpResponseForbidden("Cookie choices can only be made on this site.")
    if request.method == "POST" and request.POST.get("choice") in ("all", "essential"):
        response = HttpResponseRedirect(safe_next(request, reverse("wagtail_serve", args=[""])))
        response.set_cookie(
            CONSENT_COOKIE,
            request.POST["choice"],
            max_age=CONSENT_MAX_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
        return response
    return render(request, "pages/consent.html", {"current": request.COOKIES.get(CONSENT_COOKIE, "")})


@storefront_view
@require_http_methods(["GET", "POST"])
def age_check(request: HttpRequest) -> HttpResponse:
    from pages.models import StorefrontSettings

    settings = StorefrontSettings.for_tenant(request.tenant)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            request.session[age_session_key(request.tenant)] = True
            return HttpResponseRedirect(safe_next(request, reverse("wagtail_serve", args=[""])))
        error = f"You must be {settings.minimum_age} or older to use this site."
    return render(
        request,
        "pages/age_gate.html",
        {"settings": settings, "next": safe_next(request, ""), "error": error},
        status=400 if error else 200,
    )
