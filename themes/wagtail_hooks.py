from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from sites.models import Role
from themes import views


@hooks.register("register_admin_urls")
def theme_admin_urls():
    return [
        path("theme/", views.choose_theme, name="themes_choose"),
        path("theme/apply/<int:theme_id>/", views.apply_theme, name="themes_apply"),
        path("theme/rollback/", views.rollback_theme, name="themes_rollback"),
        path("themes/", views.manage_themes, name="themes_manage"),
        path("themes/uninstall/<int:theme_id>/", views.uninstall_theme, name="themes_uninstall"),
        path("themes/preview/<int:theme_id>/", views.preview_theme_link, name="themes_preview_link"),
    ]


class TenantAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.role == Role.TENANT_ADMIN


class SuperAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def theme_menu_item():
    return TenantAdminMenuItem("Theme", reverse("themes_choose"), icon_name="image", order=150)


@hooks.register("register_settings_menu_item")
def themes_manage_menu_item():
    return SuperAdminMenuItem("Themes", reverse("themes_manage"), icon_name="image", order=151)
