from decimal import Decimal

import django.core.validators
from django.db import migrations, models

# The commercialization plan's three offers; super admins edit them in the admin afterwards.
PLANS = [
    dict(slug="starter", name="Starter", monthly_price=Decimal("299.00"), sort_order=1,
         description="A storefront on a BudStack subdomain with logo and colours.",
         max_staff_users=5, max_patients=100, max_orders_per_month=500, max_products=200, max_storage_mb=2048),
    dict(slug="professional", name="Professional", monthly_price=Decimal("699.00"), sort_order=2,
         description="Full white-label: custom domain, API access and webhooks.",
         max_staff_users=25, max_patients=500, max_orders_per_month=2000, max_products=2000, max_storage_mb=10240,
         allows_custom_domain=True, allows_api_access=True, allows_webhooks=True),
    dict(slug="enterprise", name="Enterprise", monthly_price=Decimal("1499.00"), sort_order=3,
         description="Unlimited users and orders, custom themes.",
         allows_custom_domain=True, allows_api_access=True, allows_webhooks=True, allows_custom_themes=True),
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for plan in PLANS:
        Plan.objects.update_or_create(slug=plan["slug"], defaults={k: v for k, v in plan.items() if k != "slug"})


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Plan",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(unique=True)),
                ("name", models.CharField(max_length=100)),
                ("monthly_price", models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal("0"))])),
                ("currency", models.CharField(default="USD", max_length=3)),
                ("description", models.TextField(blank=True)),
                ("max_staff_users", models.PositiveIntegerField(blank=True, help_text="Empty: unlimited.", null=True)),
                ("max_patients", models.PositiveIntegerField(blank=True, help_text="Empty: unlimited.", null=True)),
                ("max_orders_per_month", models.PositiveIntegerField(blank=True, help_text="Empty: unlimited.", null=True)),
                ("max_products", models.PositiveIntegerField(blank=True, help_text="Empty: unlimited.", null=True)),
                ("max_storage_mb", models.PositiveIntegerField(blank=True, help_text="Empty: unlimited.", null=True)),
                ("allows_custom_domain", models.BooleanField(default=False)),
                ("allows_api_access", models.BooleanField(default=False)),
                ("allows_webhooks", models.BooleanField(default=False)),
                ("allows_custom_themes", models.BooleanField(default=False)),
                ("is_public", models.BooleanField(default=True, help_text="Offered on the onboarding form.")),
                ("sort_order", models.PositiveSmallIntegerField(default=0)),
            ],
            options={"ordering": ["sort_order", "monthly_price"]},
        ),
        migrations.RunPython(create_plans, migrations.RunPython.noop),
    ]
