"""Storefront settings, navigation and article categories in the Wagtail admin.

All three are tenant-scoped models: their default managers already show a tenant's
staff only their own rows, and the edit/delete views look objects up through them.
"""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from pages.models import ArticleCategory, NavigationMenu, StorefrontSettings


class StorefrontSettingsViewSet(SnippetViewSet):
    model = StorefrontSettings
    icon = "cog"
    menu_label = "Storefront settings"
    list_display = ["__str__", "age_gate_enabled", "minimum_age"]
    add_to_admin_menu = False


class NavigationMenuViewSet(SnippetViewSet):
    model = NavigationMenu
    icon = "list-ul"
    menu_label = "Navigation"
    add_to_admin_menu = False


class ArticleCategoryViewSet(SnippetViewSet):
    model = ArticleCategory
    icon = "folder-open-inverse"
    menu_label = "Article categories"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class StorefrontViewSetGroup(SnippetViewSetGroup):
    items = (StorefrontSettingsViewSet, NavigationMenuViewSet, ArticleCategoryViewSet)
    menu_icon = "site"
    menu_label = "Storefront"
    menu_name = "storefront"


register_snippet(StorefrontViewSetGroup)
