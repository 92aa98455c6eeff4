from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from sites.decorators import storefront_view


@storefront_view
@login_required(login_url="storefront:login")
def account(request: HttpRequest) -> HttpResponse:
    from commerce.account import account_orders_context
    from kyc.models import PatientProfile

    profile = PatientProfile.objects.filter(user=request.user).first()
    return render(request, "sites/account.html", {"profile": profile, **account_orders_context(request)})


@storefront_view
def sitemap(request: HttpRequest) -> HttpResponse:
    from themes.fragments import cached_response

    # One entry per page and product: built once per content version, not per crawler hit.
    return cached_response(request, "sitemap", [], lambda: wagtail_sitemap(request))


@storefront_view
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('storefront:account')}",
        f"Disallow: {reverse('storefront:cart')}",
        f"Disallow: {reverse('storefront:checkout')}",
        f"Sitemap: {request.build_absolute_uri(reverse('storefront:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
