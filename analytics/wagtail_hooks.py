from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from sites.admin_scoping import is_unrestricted

from . import admin_views


class TenantAnalyticsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return admin_views.is_tenant_admin(request.user)


class PlatformAnalyticsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return is_unrestricted(request.user)


@hooks.register("register_admin_urls")
def analytics_admin_urls() -> list:
    urls = [
        path("analytics/", admin_views.tenant_analytics, name="tenant"),
        path("platform-analytics/", admin_views.platform_analytics, name="platform"),
    ]
    return [path("", include((urls, "analytics_admin")))]


@hooks.register("register_admin_menu_item")
def tenant_analytics_menu_item() -> MenuItem:
    return TenantAnalyticsMenuItem(
        "Analytics", reverse("analytics_admin:tenant"), icon_name="table", order=260
    )


@hooks.register("register_admin_menu_item")
def platform_analytics_menu_item() -> MenuItem:
    return PlatformAnalyticsMenuItem(
        "Platform analytics", reverse("analytics_admin:platform"), icon_name="table", order=261
    )
