"""Migrations that run hand-written SQL on PostgreSQL and nothing on SQLite.

Triggers and functions are PostgreSQL's; the embedded SQLite default has no equivalent and
keeps the model-level guards only.
"""

from __future__ import annotations

from django.db import migrations


def _on_postgres(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def postgres_only(create: str, drop: str) -> migrations.RunPython:
    """A reversible migration step: ``create`` forwards, ``drop`` backwards, on PostgreSQL only."""
    return migrations.RunPython(_on_postgres(create), _on_postgres(drop), elidable=False)
