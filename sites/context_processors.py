from django.http import HttpRequest

from themes.context import active_theme


def tenant(request: HttpRequest) -> dict:
    """The tenant, its branding, theme tokens, menu and consent state for storefront templates."""
    current = getattr(request, "tenant", None)
    if current is None or getattr(request, "tenant_url_style", None) in (None, "header"):
        return {"tenant": current}
    from pages.caching import branding_for, menu_links_for
    from pages.models import StorefrontSettings

    return {
        "tenant": current,
        "branding": branding_for(current),
        "theme": active_theme() or current.theme,
        "theme_preview": getattr(request, "theme_preview", None),
        "menu_links": lambda: menu_links_for(request),
        "storefront_settings": StorefrontSettings.for_tenant(current),
        "cookie_consent": request.COOKIES.get("budstack_consent", ""),
    }
