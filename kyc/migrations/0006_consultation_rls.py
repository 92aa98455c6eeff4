from django.db import migrations

from sites.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("kyc", "0005_consultation")]

    operations = [
        EnableTenantRLS("consultationdraft"),
        EnableTenantRLS("consultationsubmission"),
    ]
