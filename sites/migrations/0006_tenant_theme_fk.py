"""A tenant's theme becomes an installed theme version (and remembers the previous one)."""

import django.db.models.deletion
from django.db import migrations, models


def link_themes(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    Theme = apps.get_model("themes", "Theme")
    for tenant in Tenant.objects.all():
        versions = sorted(
            Theme.objects.filter(slug=tenant.theme_slug) or Theme.objects.filter(slug="sage"),
            key=lambda theme: tuple(int(part) for part in theme.version.split(".")),
        )
        tenant.theme = versions[-1]
        tenant.save(update_fields=["theme"])


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0005_rls"),
        ("themes", "0002_builtin_themes"),
    ]

    operations = [
        migrations.RenameField("tenant", "theme", "theme_slug"),
        migrations.AddField(
            model_name="tenant",
            name="theme",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tenants",
                to="themes.theme",
                help_text="The storefront's theme.",
            ),
        ),
        migrations.AddField(
            model_name="tenant",
            name="previous_theme",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="themes.theme",
                help_text="Kept for one-click rollback.",
            ),
        ),
        migrations.RunPython(link_themes, migrations.RunPython.noop),
        migrations.RemoveField("tenant", "theme_slug"),
        migrations.AlterField(
            model_name="tenant",
            name="theme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tenants",
                to="themes.theme",
                help_text="The storefront's theme.",
            ),
        ),
    ]
