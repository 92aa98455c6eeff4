from django.db import migrations

from sites.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [
        EnableTenantRLS("ticket"),
        EnableTenantRLS("ticketmessage"),
    ]
