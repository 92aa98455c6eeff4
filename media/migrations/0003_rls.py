from django.db import migrations

from sites.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("media", "0002_initial")]

    operations = [
        EnableTenantRLS("tenantimage"),
        EnableTenantRLS("tenantdocument"),
    ]
