#!/usr/bin/env bash
# Logical backup of the BudStack database: pg_dump custom format, compressed, one file
# per run, old ones pruned.
#
#   deploy/backup.sh [OUTPUT_FILE]
#
# Connection: DATABASE_URL (the owner role, straight to PostgreSQL, not via pgbouncer).
# Every tenant table is FORCE'd behind row-level security, even for its owner, so the
# dump runs with row security on and the platform bypass of the tenant policy
# (app.bypass_rls, sites/rls.py) set for its session: every tenant's rows are included.
# BACKUP_DIR (default /backups) and BACKUP_RETENTION_DAYS (default 14) apply when no
# OUTPUT_FILE is given. Encrypted columns stay encrypted in the dump: keep
# FIELD_ENCRYPTION_KEYS safe separately, a backup without them cannot decrypt answers.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL (owner role, direct to PostgreSQL) is required}"
BACKUP_DIR="${BACKUP_DIR:-/backups}"
RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-14}"

if [ "$#" -ge 1 ]; then
    out="$1"
else
    mkdir -p "$BACKUP_DIR"
    out="$BACKUP_DIR/budstack-$(date -u +%Y%m%dT%H%M%SZ).dump"
fi
tmp="$out.partial"
trap 'rm -f -- "$tmp"' EXIT

PGOPTIONS="${PGOPTIONS:-} -c app.bypass_rls=on" pg_dump --dbname="$DATABASE_URL" --enable-row-security --format=custom --compress=6 --no-owner --no-privileges \
    --file="$tmp"
# A dump that pg_restore cannot list is no backup.
pg_restore --list "$tmp" >/dev/null
mv -- "$tmp" "$out"
trap - EXIT
echo "backup: wrote $out ($(du -h "$out" | cut -f1))"

if [ "$#" -eq 0 ] && [ "$RETENTION_DAYS" -gt 0 ]; then
    find "$BACKUP_DIR" -maxdepth 1 -name 'budstack-*.dump' -type f -mtime "+$RETENTION_DAYS" \
        -print -delete | sed 's/^/backup: pruned /'
fi
