"""Tenant groups were given collection permissions Wagtail never checks.

Provisioning granted "media.<action>_tenantimage" / "_tenantdocument" on the tenant's
collection, but Wagtail's image and document permission policies look up
"wagtailimages.<action>_image" / "wagtaildocs.<action>_document" whatever model is
swapped in, so tenant staff could not list, choose or upload media. This moves every
such grant to the codename Wagtail checks.
"""

from django.db import migrations

MODELS = {
    "tenantimage": ("wagtailimages", "image"),
    "tenantdocument": ("wagtaildocs", "document"),
}
ACTIONS = ("add", "change", "choose", "delete")


def _permission(apps, app_label, model_name, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=f"{action}_{model_name}",
        defaults={"name": f"Can {action} {model_name}"},
    )
    return permission


def forwards(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    TenantGroup = apps.get_model("tenancy", "TenantGroup")
    tenant_group_ids = TenantGroup.objects.values_list("group_id", flat=True)
    old = GroupCollectionPermission.objects.filter(
        group_id__in=tenant_group_ids,
        permission__content_type__app_label="media",
        permission__content_type__model__in=MODELS,
    ).select_related("permission__content_type")
    for grant in old:
        action, _, model = grant.permission.codename.partition("_")
        if action not in ACTIONS or model not in MODELS:
            continue
        GroupCollectionPermission.objects.get_or_create(
            group_id=grant.group_id,
            collection_id=grant.collection_id,
            permission=_permission(apps, *MODELS[model], action),
        )
        grant.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0008_branding_details"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("media", "0002_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
