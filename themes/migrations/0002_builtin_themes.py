"""Register the built-in themes, so tenants can point at them from the start."""

import json
from pathlib import Path

from django.db import migrations

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin"


def register_builtin(apps, schema_editor):
    Theme = apps.get_model("themes", "Theme")
    for path in sorted(BUILTIN_DIR.glob("*/theme.json")):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        Theme.objects.update_or_create(
            slug=manifest["slug"],
            version=manifest["version"],
            defaults={
                "name": manifest["name"],
                "description": manifest.get("description", ""),
                "author": manifest.get("author", ""),
                "manifest": manifest,
                "source": "builtin",
                "location": str(path.parent),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("themes", "0001_initial")]

    operations = [migrations.RunPython(register_builtin, migrations.RunPython.noop)]
