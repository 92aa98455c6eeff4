"""Which theme a storefront request renders with: the tenant's, or one its admin previews."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control

from sites.models import Role
from themes import preview
from themes.context import use_theme

STOREFRONT_STYLES = ("path", "subdomain", "domain")


def preview_session_key(tenant) -> str:
    return f"theme_preview:{tenant.pk}"


def can_preview(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.tenant_id == request.tenant.pk and user.role == Role.TENANT_ADMIN


class ThemeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        request.theme_preview = None
        if tenant is None or request.tenant_url_style not in STOREFRONT_STYLES:
            return self.get_response(request)
        key = preview_session_key(tenant)
        token_key = preview.session_key(tenant)
        if preview.TOKEN_PARAM in request.GET:
            return self._start_token_preview(request, tenant)
        if request.GET.get("theme_preview") == "off" and token_key in request.session:
            request.session.pop(token_key)
            return self._without_param(request, "theme_preview")
        if "theme_preview" in request.GET and can_preview(request):
            return self._switch_preview(request, key)
        theme = tenant.theme
        preview_id = request.session.get(key)
        if preview_id and can_preview(request):
            from themes.models import Theme

            previewed = Theme.objects.filter(pk=preview_id).first()
            if previewed is not None:
                theme = request.theme_preview = previewed
        elif token := request.session.get(token_key):
            # A super admin's preview link, re-checked on every request: it ends when
            # the link expires or its super admin loses the role.
            grant = preview.read_token(token, tenant)
            if grant is None:
                request.session.pop(token_key)
            else:
                theme = request.theme_preview = grant.theme
        with use_theme(theme):
            response = self.get_response(request)
        if request.theme_preview is not None:
            # A previewed page must never be served from a shared cache to patients.
            patch_cache_control(response, private=True, no_store=True)
        return response

    def _start_token_preview(self, request: HttpRequest, tenant) -> HttpResponse:
        token = request.GET[preview.TOKEN_PARAM]
        if preview.read_token(token, tenant) is not None:
            request.session[preview.session_key(tenant)] = token
        # Either way the token leaves the address bar (and Referer headers).
        return self._without_param(request, preview.TOKEN_PARAM)

    @staticmethod
    def _without_param(request: HttpRequest, name: str) -> HttpResponse:
        query = request.GET.copy()
        query.pop(name)
        return HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))

    def _switch_preview(self, request: HttpRequest, key: str) -> HttpResponse:
        from themes.models import Theme

        value = request.GET["theme_preview"]
        if value.isdigit() and Theme.objects.filter(pk=int(value)).exists():
            request.session[key] = int(value)
        else:
            request.session.pop(key, None)
        query = request.GET.copy()
        query.pop("theme_preview")
        return HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))
