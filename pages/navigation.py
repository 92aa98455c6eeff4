"""The storefront's main menu: the tenant's own menu, or its menu pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    external: bool = False


def menu_links(request: HttpRequest) -> list[MenuLink]:
    from pages.models import NavigationMenu

    tenant = request.tenant
    root = tenant.site.root_page
    menu = NavigationMenu.objects.filter(tenant=tenant).prefetch_related("items__page").first()
    if menu and (items := list(menu.items.all())):
        links = []
        for item in items:
            if item.url:
                links.append(MenuLink(item.label, item.url, external=True))
            elif item.page and item.page.live and item.page.path.startswith(root.path):
                links.append(MenuLink(item.label, item.page.get_url(request)))
        return links
    return [MenuLink(page.title, page.get_url(request)) for page in root.get_children().live().in_menu()]
