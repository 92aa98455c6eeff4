from django.db import migrations

from sites.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0004_user_is_demo")]

    operations = [
        EnableTenantRLS("user"),
        EnableTenantRLS("branding"),
        EnableTenantRLS("tenantgroup"),
    ]
