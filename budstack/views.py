from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wagtail import views as wagtail_views

from sites.context import platform_scope
from sites.models import Tenant


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page serving, for tenant requests only; the bare platform has a landing page."""
    if getattr(request, "tenant", None) is not None:
        from pages.routing import route_for_request

        route_for_request(request, path)  # cached; Wagtail's serve picks the result up
        return wagtail_views.serve(request, path)
    if path == "":
        return landing(request)
    raise Http404


def landing(request: HttpRequest) -> HttpResponse:
    tenants = []
    if settings.DEBUG:
        with platform_scope("list demo storefronts on the dev landing page"):
            tenants = list(Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("name"))
    return render(request, "budstack/landing.html", {"storefronts": tenants})


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, in the storefront's look, without touching the database."""
    from django.template import loader

    from themes.context import active_theme

    tenant = getattr(request, "tenant", None)
    context = {
        "tenant_name": tenant.name if tenant else "BudStack",
        "theme": active_theme(),
        "csp_nonce": str(request.csp_nonce) if hasattr(request, "csp_nonce") else "",
    }
    return HttpResponse(loader.get_template("500.html").render(context), status=500)
