from wagtail import hooks
from wagtail.permissions import register_permission_policy

from onboarding.admin_views import ApplicationViewSet
from onboarding.models import TenantApplication
from sites.admin_permissions import SuperAdminViewOnlyPolicy

# Super admins view applications and decide them; nobody adds or edits them in the admin.
register_permission_policy(TenantApplication, SuperAdminViewOnlyPolicy(TenantApplication))


@hooks.register("register_admin_viewset")
def register_application_viewset() -> ApplicationViewSet:
    return ApplicationViewSet("onboarding_applications")
