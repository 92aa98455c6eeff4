from collections.abc import Iterable

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from onboarding.admin_views import ApplicationViewSet
from onboarding.models import TenantApplication
from sites.admin_permissions import SuperAdminOnlyPolicy
from sites.admin_scoping import is_unrestricted


class ReviewOnlyPolicy(SuperAdminOnlyPolicy):
    """Super admins view applications and decide them; nobody adds or edits them here."""

    def user_has_permission(self, user, action: str) -> bool:
        return action == "view" and is_unrestricted(user)

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        return "view" in set(actions) and is_unrestricted(user)


register_permission_policy(TenantApplication, ReviewOnlyPolicy(TenantApplication))


@hooks.register("register_admin_viewset")
def register_application_viewset() -> ApplicationViewSet:
    return ApplicationViewSet("onboarding_applications")
