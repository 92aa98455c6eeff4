#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into the BudStack database.
#
#   deploy/restore.sh BACKUP_FILE
#
# DATABASE_URL: the owner role, straight to PostgreSQL. Stop web, worker and beat first
# (`docker compose stop web worker beat`). Everything in the database is replaced: the
# schema is dropped and recreated from the dump in one transaction, so a failed restore
# leaves the old data in place. Afterwards the application role is granted its access
# again (DATABASE_APP_ROLE, default budstack_app): the dump carries no privileges.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL (owner role, direct to PostgreSQL) is required}"
[ "$#" -eq 1 ] || { echo "usage: $0 BACKUP_FILE" >&2; exit 2; }
dump="$1"
[ -r "$dump" ] || { echo "restore: cannot read $dump" >&2; exit 1; }
pg_restore --list "$dump" >/dev/null
APP_ROLE="${DATABASE_APP_ROLE:-budstack_app}"

sql_file="$(mktemp)"
trap 'rm -f -- "$sql_file"' EXIT
# pg_restore writes the SQL; psql runs it with the schema swap in a single transaction,
# under the platform bypass of the tenant policy (the tables are FORCE'd behind it).
pg_restore --no-owner --no-privileges --file="$sql_file" "$dump"
{
    echo "BEGIN;"
    echo "DROP SCHEMA IF EXISTS public CASCADE;"
    echo "CREATE SCHEMA public;"
    # The dump's own "SET ... search_path" lines make the schema empty for the session.
    grep -v -E '^(CREATE SCHEMA public;|ALTER SCHEMA public OWNER|COMMENT ON SCHEMA public)' "$sql_file"
    echo "SET search_path = public;"
    echo "GRANT USAGE ON SCHEMA public TO \"$APP_ROLE\";"
    echo "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"$APP_ROLE\";"
    echo "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \"$APP_ROLE\";"
    echo "COMMIT;"
} | PGOPTIONS="${PGOPTIONS:-} -c app.bypass_rls=on" psql --dbname="$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 >/dev/null
echo "restore: $dump restored into $(psql --dbname="$DATABASE_URL" -X -At -c 'SELECT current_database()')"
