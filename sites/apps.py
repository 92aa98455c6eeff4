from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class SitesConfig(AppConfig):
    # "sites" would collide with django.contrib.sites, so the label is explicit.
    name = "sites"
    label = "tenancy"
    verbose_name = "Tenancy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sites import checks  # noqa: F401 - registers the system checks
        from sites.db_roles import bypass_rls_for_migrations, grant_app_role

        pre_migrate.connect(bypass_rls_for_migrations, dispatch_uid="budstack_rls_bypass")
        post_migrate.connect(grant_app_role, dispatch_uid="budstack_grant_app_role")
