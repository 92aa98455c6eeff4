from django.db import migrations

from sites.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [
        EnableTenantRLS("pageviewday"),
    ]
