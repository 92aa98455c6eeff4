"""Which theme a storefront request renders with: the tenant's, or one its admin previews."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from sites.models import Role
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
        if "theme_preview" in request.GET and can_preview(request):
            return self._switch_preview(request, key)
        theme = tenant.theme
        preview_id = request.session.get(key)
        if preview_id and can_preview(request):
            from themes.models import Theme

            previewed = Theme.objects.filter(pk=preview_id).first()
            if previewed is not None:
                theme = request.theme_preview = previewed
        with use_theme(theme):
            return self.get_response(request)

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
