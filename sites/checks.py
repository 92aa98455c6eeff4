from django.core.checks import Error, Tags, register
from django.db import connections


@register(Tags.database)
def tenant_tables_have_rls(app_configs, databases=None, **kwargs):
    """Every tenant-owned table must sit behind the tenant policy (run by `check --database`).

    ``migrate`` runs this check before it creates anything, so only tables that already
    exist are inspected: on an empty database there is nothing to protect yet, and a table
    whose migration is still pending gets its policy from that same migration.
    """
    from sites.models import tenant_owned_models
    from sites.rls import tables_missing_policy

    errors = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        existing = set(connection.introspection.table_names())
        tables = [m._meta.db_table for m in tenant_owned_models() if m._meta.db_table in existing]
        if not tables:
            continue
        missing = tables_missing_policy(connection, tables)
        errors.extend(
            Error(
                f"Tenant-owned table {table} has no row-level security policy.",
                hint="Add sites.rls.EnableTenantRLS('<model>') to a migration of its app.",
                id="tenancy.E001",
            )
            for table in missing
        )
    return errors
