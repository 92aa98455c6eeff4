#!/usr/bin/env bash
# ensure-deploy-tools.sh — install what the production-chain tests (tests/deploy) run:
# nginx and pgbouncer from Debian packages (the same programs the containers run), plus
# the PostgreSQL client tools that deploy/backup.sh and deploy/restore.sh use.
#
# Usage: scripts/ensure-deploy-tools.sh
#
# Only missing packages are installed, as root, serialised with the apt lock that
# scripts/with-services.sh and scripts/ensure-browser.sh share (scripts/lib/debian-packages.sh).
# The packages' own services are never started here: Debian's postinst may start nginx
# on port 80, which is stopped again so that only the tests' instances run.
set -euo pipefail

PROG="ensure-deploy-tools"
die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

missing_packages() {
    local missing=()
    [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
    command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    # Compose v1 validates docker-compose.yml without a Docker engine (tests/deploy/test_compose.py).
    command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
    echo "${missing[*]:-}"
}

# shellcheck source=lib/debian-packages.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/debian-packages.sh"
had_nginx=0
[ -x /usr/sbin/nginx ] && had_nginx=1
ensure_debian_packages
if [ "$had_nginx" -eq 0 ] && [ -s /run/nginx.pid ]; then
    # Started by the package's postinst (not by a user): stop it by its own pidfile.
    /usr/sbin/nginx -s quit 2>/dev/null || true
fi
