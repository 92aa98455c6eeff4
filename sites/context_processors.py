from django.http import HttpRequest

from themes.registry import get_theme


def tenant(request: HttpRequest) -> dict:
    """The tenant, its branding, theme tokens and menu for storefront templates."""
    current = getattr(request, "tenant", None)
    if current is None or getattr(request, "tenant_url_style", None) in (None, "header"):
        return {"tenant": current}
    from sites.models import Branding

    def menu():
        return current.site.root_page.get_children().live().in_menu()

    return {
        "tenant": current,
        "branding": Branding.objects.filter(tenant=current).first(),
        "theme": get_theme(current.theme),
        "menu_pages": menu,
    }
