"""Wagtail's install creates a "Welcome" page and a default site on localhost.

On BudStack every site is a tenant's; a default site would catch unknown hosts and
serve its tree, so the placeholder goes before anyone can rely on it.
"""

from django.db import migrations


def remove_welcome(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    ContentType = apps.get_model("contenttypes", "ContentType")
    plain_page = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    if plain_page is None:
        return
    welcome = Page.objects.filter(depth=2, content_type=plain_page, url_path="/home/", numchild=0)
    Site.objects.filter(root_page__in=welcome).delete()
    if welcome.exists():
        welcome.delete()
        root = Page.objects.filter(depth=1).first()
        if root is not None:
            root.numchild = Page.objects.filter(depth=2).count()
            root.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_tenancy"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(remove_welcome, migrations.RunPython.noop)]
