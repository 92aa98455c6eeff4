from django.db import migrations

from sites.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_invoice")]

    operations = [
        EnableTenantRLS("invoice"),
    ]
