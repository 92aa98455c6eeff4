"""Custom domains in the admin (tenant admins) and the TLS "ask" endpoint (Caddy)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from sites import domains
from sites.admin_scoping import staff_tenant
from sites.audit import record_audit
from sites.context import platform_scope
from sites.models import Role, Tenant

URL_NAME = "budstack_custom_domain"


class DomainForm(forms.Form):
    domain = forms.CharField(
        label="Domain",
        max_length=253,
        required=False,
        help_text="For example shop.example.com. Leave empty to remove your custom domain.",
    )


def _tenant_of_admin(request: HttpRequest) -> Tenant:
    user = request.user
    if not user.is_authenticated or user.role != Role.TENANT_ADMIN or staff_tenant(user) is None:
        raise PermissionDenied
    with platform_scope("custom domain: load the admin's tenant"):
        return Tenant.objects.select_related("plan").get(pk=staff_tenant(user).pk)


@never_cache
def custom_domain(request: HttpRequest) -> HttpResponse:
    """Add, change, remove and verify the storefront's own domain."""
    tenant = _tenant_of_admin(request)
    allowed = domains.allowed(tenant)
    form = DomainForm(initial={"domain": tenant.custom_domain or ""})
    if request.method == "POST" and allowed:
        if "verify" in request.POST:
            try:
                verified = domains.verify(tenant)
            except domains.DomainError as error:
                messages.error(request, str(error))
            else:
                if verified:
                    record_audit("domain.verified", target=tenant, tenant=tenant, request=request,
                                 data={"domain": tenant.custom_domain})  # fmt: skip
                    messages.success(
                        request, f"{tenant.custom_domain} is verified and now serves your storefront."
                    )
                else:
                    messages.error(
                        request,
                        "The TXT record was not found (yet). DNS changes can take a while to spread; "
                        "try again in a few minutes.",
                    )
            return redirect(URL_NAME)
        form = DomainForm(request.POST)
        if form.is_valid():
            new = domains.normalise(form.cleaned_data["domain"]) or None
            try:
                domains.set_domain(tenant, new)
            except domains.DomainError as error:
                form.add_error("domain", str(error))
            else:
                record_audit("domain.changed", target=tenant, tenant=tenant, request=request,
                             data={"domain": new})  # fmt: skip
                messages.success(
                    request,
                    "Domain saved: create the DNS records below, then verify." if new else "Domain removed.",
                )
                return redirect(URL_NAME)
    return TemplateResponse(
        request,
        "sites/admin/custom_domain.html",
        {
            "tenant": tenant,
            "allowed": allowed,
            "form": form,
            "records": domains.required_records(tenant),
            "page_title": "Custom domain",
        },
    )


def tls_ask(request: HttpRequest) -> HttpResponse:
    """Caddy on-demand TLS asks ``?domain=<name>`` before getting a certificate: 200 only
    for the platform's names and verified custom domains, so nobody can make the platform
    request certificates for arbitrary names."""
    name = request.GET.get("domain", "")[:253]
    with platform_scope("tls ask"):
        routable = bool(name) and domains.is_routable(name)
    return HttpResponse("ok" if routable else "unknown domain", status=200 if routable else 404,
                        content_type="text/plain")  # fmt: skip
