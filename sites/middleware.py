"""Tenant resolution and the per-request tenant scope."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, set_script_prefix

from sites.context import platform_scope, tenant_scope
from sites.resolution import Resolution, TenantNotFound, resolve_request, tenant_by_slug

# First path segments that belong to the platform, whatever the host.
PLATFORM_PREFIXES = (
    "admin",
    "django-admin",
    "healthz",
    "readyz",
    "metrics",
    "static",
    "media",
    "theme-static",
    "private-files",
    "onboarding",
    "_tls",
)
# Admin views that must find accounts before anyone is logged in.
ADMIN_AUTH_PATHS = ("/admin/login/", "/admin/password_reset/")
# Routes that take their tenant from the host or the X-Tenant-Slug header, never the path.
HEADER_TENANT_PREFIXES = ("api",)


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


class TenantMiddleware:
    """Sets ``request.tenant`` and serves storefront paths below ``/store/<slug>/``.

    A path-style request is rewritten so that the rest of Django sees the storefront
    path, and the script prefix becomes ``/store/<slug>/`` for the duration of the
    request: every ``reverse()`` and page URL then keeps the access style it came in with.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None
        request.tenant_url_style = None
        segment = _first_segment(request.path_info)
        if segment in PLATFORM_PREFIXES:
            return self.get_response(request)
        try:
            if segment in HEADER_TENANT_PREFIXES:
                resolution = resolve_request(request, allow_path=False)
                if resolution.tenant is None and (slug := request.headers.get("X-Tenant-Slug")):
                    tenant = tenant_by_slug(slug.strip().lower())
                    if tenant is None:
                        raise TenantNotFound(slug)
                    resolution = Resolution(tenant, "header")
            else:
                resolution = resolve_request(request)
        except TenantNotFound:
            if segment in HEADER_TENANT_PREFIXES:
                return api_error(request, 404, "TENANT_NOT_FOUND", "There is no dispensary by that name.")
            return tenant_not_found(request)

        tenant = resolution.tenant
        if tenant is None:
            return self.get_response(request)
        request.tenant = tenant
        request.tenant_url_style = resolution.style
        if not tenant.is_active:
            if segment in HEADER_TENANT_PREFIXES:
                return api_error(
                    request, 403, "TENANT_SUSPENDED", "This dispensary is suspended on BudStack."
                )
            return tenant_unavailable(request, tenant)
        # Wagtail asks Site.find_for_request(); answer it once, from the tenant.
        request._wagtail_site = tenant.site
        if resolution.style == "path":
            if resolution.rest == "":
                return HttpResponseRedirect(request.path + "/")
            if _first_segment(resolution.rest) in PLATFORM_PREFIXES + HEADER_TENANT_PREFIXES:
                return tenant_not_found(request)
        # Everything after this point, sessions and authentication included, runs for
        # the tenant: RLS shows the session's user only if it belongs here.
        with tenant_scope(tenant):
            if resolution.style == "path":
                return self._serve_below_prefix(request, resolution.prefix, resolution.rest)
            return self.get_response(request)

    def _serve_below_prefix(self, request: HttpRequest, prefix: str, rest: str) -> HttpResponse:
        old_prefix = get_script_prefix()
        request.path_info = rest
        request.META["SCRIPT_NAME"] = old_prefix.rstrip("/") + prefix
        set_script_prefix(old_prefix.rstrip("/") + prefix + "/")
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(old_prefix)


class TenantScopeMiddleware:
    """Scopes platform requests (the admin) by who is asking.

    Storefront and API requests run for ``request.tenant``. In the admin, tenant staff
    run for their own tenant and super admins for the platform, and an admin view whose
    URL names another tenant's object is refused before it runs
    (:mod:`sites.admin_guard`). A logged-in user of another tenant is anonymous on this
    tenant's storefront: a session is only good where it was made.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if request.tenant is not None:
            if user.is_authenticated and user.tenant_id != request.tenant.pk:
                request.user = AnonymousUser()
            return self.get_response(request)
        if request.path_info.startswith(ADMIN_AUTH_PATHS):
            with platform_scope(f"admin authentication: {request.method} {request.path}"):
                return self.get_response(request)
        if user.is_authenticated:
            if user.is_superuser:
                with platform_scope(f"super admin {user.pk}: {request.method} {request.path}"):
                    return self.get_response(request)
            if user.tenant_id is not None:
                request.tenant = user.tenant
                with tenant_scope(user.tenant):
                    return self.get_response(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        from sites.admin_guard import guard_admin_view

        return guard_admin_view(request, request.resolver_match)


def api_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """API callers get the API's JSON error envelope rather than a storefront page."""
    from budstack.api.errors import error_response

    return error_response(request, status, code, message)


def tenant_not_found(request: HttpRequest) -> HttpResponse:
    response = TemplateResponse(request, "sites/tenant_not_found.html", status=404)
    return response.render()


def tenant_unavailable(request: HttpRequest, tenant) -> HttpResponse:
    response = TemplateResponse(
        request, "sites/tenant_unavailable.html", {"tenant_name": tenant.name}, status=503
    )
    response["Retry-After"] = "3600"
    return response.render()


# Admin writes a closed tenant's staff may still make: signing out, and their password.
READ_ONLY_ALLOWED_WRITES = ("/admin/logout/", "/admin/login/", "/admin/password_reset/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
READ_ONLY_NOTICE = "Your dispensary is suspended on BudStack: you can look around, but not change anything."
READ_ONLY_MESSAGE = (
    "Your dispensary is suspended on BudStack: the admin is read-only, nothing was changed. "
    "Contact the platform team to reactivate it."
)


class SuspendedTenantReadOnlyMiddleware:
    """Staff of a suspended (or offboarding) tenant may look but not touch in the admin.

    Every admin request that would change something is refused before its view runs and
    answered with a redirect back and an error banner (403 for callers that ask for JSON).
    Placed after the messages middleware, so the banner can be queued.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/admin/"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or user.is_superuser
            or user.tenant_id is None
            or user.tenant.is_active
            or request.path_info.startswith(READ_ONLY_ALLOWED_WRITES)
        ):
            return self.get_response(request)
        from django.contrib import messages
        from django.http import JsonResponse
        from django.utils.http import url_has_allowed_host_and_scheme

        if request.method in SAFE_METHODS:
            if request.path_info == "/admin/":
                # Say so on the dashboard, before anyone tries to save something.
                messages.warning(request, READ_ONLY_NOTICE)
            return self.get_response(request)
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": READ_ONLY_MESSAGE, "code": "TENANT_SUSPENDED"}, status=403)
        messages.error(request, READ_ONLY_MESSAGE)
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/admin/"
        return _see_other(back)


def _see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # the browser follows with a GET: nothing is re-posted
    return response
