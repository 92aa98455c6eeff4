"""Database sessions for migrations: the audited bypass, and grants for the app role.

Migrations run as the table owner, which FORCE'd row-level security still restricts, so
`migrate` opens its session with the platform bypass (logged). Afterwards the
application role (``DATABASE_APP_ROLE``, not the owner) is granted what it needs on
every table, including those the migration just created.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections

from psycopg import sql

logger = logging.getLogger("budstack.tenancy")


def bypass_rls_for_migrations(sender, using: str = "default", **kwargs) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.bypass_rls', 'on', false)")
    logger.info("platform scope entered: migrations on %s (session-wide RLS bypass)", using)


def grant_app_role(sender, using: str = "default", **kwargs) -> None:
    connection = connections[using]
    role = settings.DATABASE_APP_ROLE
    if connection.vendor != "postgresql" or not role:
        return
    statements = [
        "GRANT USAGE ON SCHEMA public TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(sql.SQL(statement).format(role=sql.Identifier(role)).as_string(cursor.connection))
        cursor.execute("SELECT set_config('app.bypass_rls', 'off', false)")
