"""Wall 2: PostgreSQL row-level security on every tenant-owned table.

Each table gets ENABLE + FORCE ROW LEVEL SECURITY (FORCE so that even the table owner is
subject to it) and one policy: a row is visible and writable when its ``tenant_id``
equals the transaction's ``app.tenant_id``, or when the transaction runs the explicit
platform bypass ``app.bypass_rls = 'on'`` (see sites.context). With neither set, a
query sees nothing.
"""

from __future__ import annotations

from django.db import migrations

POLICY_NAME = "tenant_isolation"
POLICY_PREDICATE = (
    "current_setting('app.bypass_rls', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"
)


def enable_sql(table: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"',
        f'CREATE POLICY {POLICY_NAME} ON "{table}" USING ({POLICY_PREDICATE}) WITH CHECK ({POLICY_PREDICATE})',
    ]


def disable_sql(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


class EnableTenantRLS(migrations.operations.base.Operation):
    """Migration operation: put a tenant-owned model's table behind RLS (PostgreSQL only)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def _run(self, app_label, schema_editor, to_state, statements) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        for sql in statements(model._meta.db_table):
            schema_editor.execute(sql)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, to_state, enable_sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, from_state, disable_sql)

    def describe(self) -> str:
        return f"Enable tenant row-level security on {self.model_name}"

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name], {})

    @property
    def migration_name_fragment(self) -> str:
        return f"rls_{self.model_name.lower()}"


def tables_missing_policy(connection, tables: list[str] | None = None) -> list[str]:
    """Tenant-owned tables (or ``tables``) that are not FORCE'd behind the tenant policy."""
    from sites.models import tenant_owned_models

    if connection.vendor != "postgresql":
        return []
    if tables is None:
        tables = [model._meta.db_table for model in tenant_owned_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c
            WHERE c.relname = ANY(%s) AND c.relrowsecurity AND c.relforcerowsecurity
              AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = %s)
            """,
            [tables, POLICY_NAME],
        )
        protected = {row[0] for row in cursor.fetchall()}
    return sorted(set(tables) - protected)
