from django.db import migrations

from sites.rls import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("commerce", "0004_product_details_cart_orders")]

    operations = [
        EnableTenantRLS("cartitem"),
        EnableTenantRLS("order"),
        EnableTenantRLS("orderline"),
        EnableTenantRLS("orderevent"),
    ]
