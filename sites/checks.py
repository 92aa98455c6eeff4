from django.core.checks import Error, Tags, register
from django.db import connections


@register(Tags.database)
def tenant_tables_have_rls(app_configs, databases=None, **kwargs):
    """Every tenant-owned table must sit behind the tenant policy (run by `check --database`)."""
    from sites.rls import tables_missing_policy

    errors = []
    for alias in databases or []:
        missing = tables_missing_policy(connections[alias])
        errors.extend(
            Error(
                f"Tenant-owned table {table} has no row-level security policy.",
                hint="Add sites.rls.EnableTenantRLS('<model>') to a migration of its app.",
                id="tenancy.E001",
            )
            for table in missing
        )
    return errors
