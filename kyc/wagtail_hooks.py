from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


class ReviewMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return admin_views.can_review(request.user)


@hooks.register("register_admin_urls")
def kyc_admin_urls() -> list:
    urls = [
        path("", admin_views.queue, name="queue"),
        path("<int:profile_id>/", admin_views.detail, name="detail"),
        path("<int:profile_id>/approve/", admin_views.approve, name="approve"),
        path("<int:profile_id>/reject/", admin_views.reject, name="reject"),
        path("<int:profile_id>/allowance/", admin_views.allowance, name="allowance"),
    ]
    return [path("kyc/", include((urls, "kyc_admin")))]


@hooks.register("register_admin_menu_item")
def kyc_menu_item() -> MenuItem:
    return ReviewMenuItem("Patients (KYC)", reverse("kyc_admin:queue"), icon_name="user", order=250)
