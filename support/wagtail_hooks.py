from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


class SupportMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return admin_views.can_use_support(request.user)


@hooks.register("register_admin_urls")
def support_admin_urls() -> list:
    urls = [
        path("", admin_views.index, name="index"),
        path("new/", admin_views.new, name="new"),
        path("<int:ticket_id>/", admin_views.detail, name="detail"),
        path("<int:ticket_id>/close/", admin_views.close, name="close"),
    ]
    return [path("support/", include((urls, "support_admin")))]


@hooks.register("register_admin_menu_item")
def support_menu_item() -> MenuItem:
    return SupportMenuItem("Support tickets", reverse("support_admin:index"), icon_name="help", order=950)
