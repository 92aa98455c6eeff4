from django.db import migrations

from sites.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("kyc", "0001_initial")]

    operations = [
        EnableTenantRLS("patientprofile"),
    ]
