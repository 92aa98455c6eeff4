from django.db import migrations

from sites.rls import EnableTenantRLS

# PostgreSQL only: the full-text (GIN on the weighted vector) and trigram (did-you-mean
# on titles) indexes. pg_trgm is a trusted extension (PostgreSQL 13+): the database
# owner may create it without superuser rights.
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS search_document_vector_gin ON search_searchdocument USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS search_document_title_trgm ON search_searchdocument "
    "USING gin (lower(title) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_document_title_trgm",
    "DROP INDEX IF EXISTS search_document_vector_gin",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        EnableTenantRLS("searchdocument"),
        EnableTenantRLS("searchquerylog"),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
