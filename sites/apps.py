from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate

from wagtail.users.apps import WagtailUsersAppConfig


class SitesConfig(AppConfig):
    # "sites" would collide with django.contrib.sites, so the label is explicit.
    name = "sites"
    label = "tenancy"
    verbose_name = "Tenancy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sites import audit_signals, checks  # noqa: F401 - checks registers the system checks
        from sites.db_roles import bypass_rls_for_migrations, grant_app_role
        from sites.search import install as install_search_scope

        install_search_scope()
        audit_signals.connect()

        from django.db.models.signals import m2m_changed

        from sites.models import User
        from sites.security import end_sessions_on_group_change

        m2m_changed.connect(
            end_sessions_on_group_change, sender=User.groups.through, dispatch_uid="budstack_group_sessions"
        )

        pre_migrate.connect(bypass_rls_for_migrations, dispatch_uid="budstack_rls_bypass")
        post_migrate.connect(grant_app_role, dispatch_uid="budstack_grant_app_role")


class BudStackUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's users app with BudStack's accounts area and permission policies."""

    user_viewset = "sites.admin_users.UserViewSet"

    def ready(self) -> None:
        # Registered instead of Wagtail's ModelPermissionPolicy for both models, whose
        # Django permissions would let any holder manage every tenant's accounts, or
        # grant rights on any tenant's pages through a group.
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from wagtail.permissions import register_permission_policy

        from sites.admin_permissions import (
            TENANT_ADMIN_MANAGES_ACCOUNTS,
            SuperAdminOnlyPolicy,
            TenantRolePolicy,
        )

        User = get_user_model()
        register_permission_policy(User, TenantRolePolicy(User, TENANT_ADMIN_MANAGES_ACCOUNTS))
        register_permission_policy(Group, SuperAdminOnlyPolicy(Group))
