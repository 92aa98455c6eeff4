from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from integrations import views
from sites.models import Role


@hooks.register("register_admin_urls")
def integrations_admin_urls() -> list:
    return [
        path("drgreen/", views.drgreen_settings, name="integrations_drgreen"),
        path("drgreen/test/", views.drgreen_test, name="integrations_drgreen_test"),
    ]


class TenantAdminMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.role == Role.TENANT_ADMIN


@hooks.register("register_settings_menu_item")
def drgreen_menu_item() -> MenuItem:
    return TenantAdminMenuItem("Dr. Green", reverse("integrations_drgreen"), icon_name="link", order=160)
