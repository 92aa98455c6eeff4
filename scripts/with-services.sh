#!/usr/bin/env bash
# with-services.sh — run a command with throwaway PostgreSQL and Redis servers.
#
# Usage: scripts/with-services.sh CMD [ARGS...]
#
# What it does:
#   1. Installs the Debian packages `postgresql` and `redis-server` if they are
#      missing (needs root; apt-get update once, then a no-recommends install).
#      The Debian system services/clusters are never started by us and never
#      touched: we run our own private instances on free ports instead.
#   2. Creates a temp dir, picks two free 127.0.0.1 ports, initdb's a throwaway
#      cluster there and starts it; starts a redis-server there too.
#   3. Creates the roles the project uses:
#        budstack_owner  LOGIN CREATEDB, not superuser: owns the `budstack`
#                        database and its tables, runs migrations, and can
#                        create `test_budstack` for pytest-django.
#        budstack_app    LOGIN NOSUPERUSER NOBYPASSRLS: the non-owner role the
#                        application connects as, so row-level security applies.
#      (CONNECT on databases is granted to PUBLIC by default, so budstack_app can
#      connect to every database budstack_owner creates.)
#   4. Exports DATABASE_URL (owner), APP_DATABASE_URL (app role), REDIS_URL,
#      CELERY_BROKER_URL, TEST_SERVICES_DIR, PG_BIN, PGHOST, PGPORT, runs the
#      command, and ALWAYS stops both servers and deletes the temp dir (EXIT,
#      INT, TERM and HUP traps), exiting with the command's exit code
#      (128+N if the script itself was killed by signal N).
#
# Why it is built this way:
#   - runuser: PostgreSQL refuses to run as root, and CI/dev machines run as
#     root, so initdb/pg_ctl/psql-as-superuser run as Debian's `postgres` user.
#     When the script is not run as root, they simply run as the current user.
#   - fsync=off, synchronous_commit=off, full_page_writes=off, initdb --no-sync:
#     the data is thrown away after the run, so durability only costs time.
#   - Local socket connections use `trust` (admin setup only); TCP on 127.0.0.1
#     uses scram-sha-256, so the app really authenticates with its password,
#     as it will in production.
#   - The command runs as a background child that we `wait` for (with its
#     stdin and SIGINT restored), not via exec and not in the foreground: bash
#     delays traps until a foreground child exits, so a SIGTERM to this script
#     would otherwise not clean up until the command finished on its own.
#   - Every run has its own temp dir and ports, so parallel runs don't clash.
#     Only processes this script started are stopped, by PID (pg_ctl uses the
#     cluster's postmaster.pid; redis is killed via its pidfile).
#
# Knobs: SERVICES_START_TIMEOUT (seconds to wait for each server, default 30).
# shellcheck disable=SC2317  # functions below are only called from traps
set -euo pipefail

PROG="with-services"
START_TIMEOUT="${SERVICES_START_TIMEOUT:-30}"

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# ---------------------------------------------------------------- packages ---
find_pg_bin() {
    # Highest installed major version (sort -V: 9.6 < 10 < 15 < 16).
    local initdb
    # shellcheck disable=SC2012
    initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$initdb" ] && [ -x "$initdb" ] || return 1
    dirname "$initdb"
}

missing_packages() {
    local missing=()
    # shellcheck disable=SC2144
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    echo "${missing[*]:-}"
}

# shellcheck source=lib/debian-packages.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/debian-packages.sh"
ensure_debian_packages

PG_BIN="$(find_pg_bin)" || die "no /usr/lib/postgresql/*/bin/initdb found"
command -v python3 >/dev/null 2>&1 || die "python3 is required (to pick free ports)"
if [ "$IS_ROOT" -eq 1 ]; then
    command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is required when running as root"
    id -u postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (it is created by Debian's postgresql package)"
fi

# ------------------------------------------------------------ state/cleanup ---
TMP=""
PG_DATA=""
PG_STARTED=0
REDIS_STARTED=0
REDIS_PORT=""
CHILD_PID=""
CLEANED=0

# Run a PostgreSQL tool as the postgres user (or as ourselves when not root),
# from inside the temp dir so an unreadable cwd (e.g. /root) is no problem.
as_pg() {
    if [ "$IS_ROOT" -eq 1 ]; then
        (cd "$TMP" && runuser -u postgres -- "$@")
    else
        (cd "$TMP" && "$@")
    fi
}

# True while PID runs; a zombie (exited, not yet reaped by init) counts as gone.
alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)"
    [ -n "$state" ] && [ "$state" != Z ]
}

wait_gone() {   # wait_gone PID TENTHS_OF_SECONDS
    local _
    for _ in $(seq 1 "$2"); do
        alive "$1" || return 0
        sleep 0.1
    done
    ! alive "$1"
}

stop_redis() {
    local pid=""
    for _ in $(seq 1 20); do   # daemonized child may not have written it yet
        [ -s "$TMP/redis.pid" ] && break
        sleep 0.1
    done
    [ -s "$TMP/redis.pid" ] && pid="$(tr -dc '0-9' <"$TMP/redis.pid")"
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "redis-server" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" 100 && return 0
        log "redis (pid $pid) did not stop after 10s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 50 || true
    elif [ -n "$REDIS_PORT" ]; then
        # No usable pidfile: ask our own instance (on our port) to shut down.
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
}

stop_postgres() {
    local pid
    [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ] || return 0
    pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc '0-9')"
    if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 30 >/dev/null 2>&1; then
        log "postgres did not stop with -m fast; using -m immediate"
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 >/dev/null 2>&1 || true
    fi
    # pg_ctl returns once postmaster.pid is gone; also wait for the process.
    [ -z "$pid" ] || wait_gone "$pid" 100 || log "postgres (pid $pid) still running after stop"
}

cleanup() {
    local rc=$?
    [ "$CLEANED" -eq 1 ] && exit "$rc"
    CLEANED=1
    set +e
    trap '' INT TERM HUP   # don't let a second Ctrl-C interrupt the cleanup
    [ "$REDIS_STARTED" -eq 1 ] && stop_redis
    [ "$PG_STARTED" -eq 1 ] && stop_postgres
    [ -n "$TMP" ] && [ -d "$TMP" ] && rm -rf -- "$TMP"
    exit "$rc"
}

on_signal() {
    local sig="$1" code="$2"
    if [ -n "$CHILD_PID" ] && kill -0 "$CHILD_PID" 2>/dev/null; then
        kill -"$sig" "$CHILD_PID" 2>/dev/null || true
        if ! wait_gone "$CHILD_PID" 100; then   # give the command 10s to exit
            log "command (pid $CHILD_PID) ignored SIG$sig for 10s; sending SIGKILL"
            kill -KILL "$CHILD_PID" 2>/dev/null || true
        fi
        wait "$CHILD_PID" 2>/dev/null || true
    fi
    exit "$code"
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# ----------------------------------------------------------------- temp dir ---
# Always under /tmp: world-traversable for the postgres user, and short enough
# for the 107-byte unix socket path limit.
TMP="$(mktemp -d /tmp/budstack-services.XXXXXX)"
chmod 755 "$TMP"
PG_DATA="$TMP/pgdata"
PG_SOCK="$TMP/pgsocket"
PG_LOG="$TMP/postgresql.log"
mkdir -m 700 "$PG_DATA"
mkdir -m 755 "$PG_SOCK"
: >"$PG_LOG"
: >"$TMP/initdb.log"
if [ "$IS_ROOT" -eq 1 ]; then
    chown postgres: "$PG_DATA" "$PG_SOCK" "$PG_LOG" "$TMP/initdb.log"
fi

# Print N distinct free loopback TCP ports (all bound at once, so distinct).
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

read -r PG_PORT REDIS_PORT <<<"$(free_ports 2)"

# --------------------------------------------------------------- postgresql ---
as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --no-sync \
    --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
    >"$TMP/initdb.log" 2>&1 \
    || { tail -n 30 "$TMP/initdb.log" >&2; die "initdb failed (log above)"; }

cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
EOF

write_pg_conf() {
    cat >"$PG_DATA/postgresql.auto.conf" <<EOF
# Written by with-services.sh for a throwaway test cluster.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
password_encryption = 'scram-sha-256'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF
    [ "$IS_ROOT" -eq 1 ] && chown postgres: "$PG_DATA/postgresql.auto.conf"
    return 0
}

for attempt in 1 2 3; do
    write_pg_conf
    PG_STARTED=1
    if as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$START_TIMEOUT" >/dev/null 2>&1; then
        break
    fi
    if [ "$attempt" -lt 3 ] && grep -q "Address already in use" "$PG_LOG"; then
        log "port $PG_PORT was taken meanwhile; retrying on another port"
        read -r PG_PORT <<<"$(free_ports 1)"
        continue
    fi
    echo "---- tail of $PG_LOG ----" >&2
    tail -n 30 "$PG_LOG" >&2
    die "PostgreSQL failed to start on 127.0.0.1:$PG_PORT (waited up to ${START_TIMEOUT}s; log tail above)"
done

ready=0
deadline=$((SECONDS + START_TIMEOUT))
while [ "$SECONDS" -le "$deadline" ]; do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; then ready=1; break; fi
    sleep 0.1
done
if [ "$ready" -ne 1 ]; then
    echo "---- tail of $PG_LOG ----" >&2
    tail -n 30 "$PG_LOG" >&2
    die "PostgreSQL not accepting TCP connections on 127.0.0.1:$PG_PORT after ${START_TIMEOUT}s"
fi

# Roles and database (admin over the trusted local socket, as postgres).
as_pg env -u PGDATABASE -u PGUSER -u PGPASSWORD -u PGOPTIONS -u PGSERVICE \
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres \
    >"$TMP/setup-sql.log" 2>&1 <<'SQL' || { cat "$TMP/setup-sql.log" >&2; die "creating roles/database failed"; }
CREATE ROLE budstack_owner LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOBYPASSRLS
    PASSWORD 'budstack_owner';
CREATE ROLE budstack_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS
    PASSWORD 'budstack_app';
CREATE DATABASE budstack OWNER budstack_owner;
-- CONNECT (and TEMP) on every database, including ones budstack_owner creates
-- later such as test_budstack, comes from the default grant to PUBLIC; made
-- explicit here for the main database.
GRANT CONNECT ON DATABASE budstack TO budstack_app;
SQL

# -------------------------------------------------------------------- redis ---
for attempt in 1 2 3; do
    rm -f "$TMP/redis.pid"
    : >"$TMP/redis.log"
    REDIS_STARTED=1
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
        --daemonize yes --pidfile "$TMP/redis.pid" --dir "$TMP" \
        --logfile "$TMP/redis.log" </dev/null >"$TMP/redis-start.out" 2>&1 \
        || { tail -n 30 "$TMP/redis-start.out" "$TMP/redis.log" >&2; die "redis-server failed to start (output above)"; }
    ready=0
    deadline=$((SECONDS + START_TIMEOUT))
    while [ "$SECONDS" -le "$deadline" ]; do
        if [ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; then
            ready=1; break
        fi
        grep -q "Address already in use" "$TMP/redis.log" && break
        # the daemonized server wrote its pidfile and then died: stop waiting
        if [ -s "$TMP/redis.pid" ] && ! alive "$(tr -dc '0-9' <"$TMP/redis.pid")"; then break; fi
        sleep 0.1
    done
    [ "$ready" -eq 1 ] && break
    if [ "$attempt" -lt 3 ] && grep -q "Address already in use" "$TMP/redis.log"; then
        log "port $REDIS_PORT was taken meanwhile; retrying on another port"
        stop_redis
        read -r REDIS_PORT <<<"$(free_ports 1)"
        continue
    fi
    echo "---- tail of $TMP/redis.log ----" >&2
    tail -n 30 "$TMP/redis.log" >&2
    die "redis did not answer PONG on 127.0.0.1:$REDIS_PORT within ${START_TIMEOUT}s (log tail above)"
done

# ------------------------------------------------------------- environment ---
export DATABASE_URL="postgres://budstack_owner:budstack_owner@127.0.0.1:$PG_PORT/budstack"
export APP_DATABASE_URL="postgres://budstack_app:budstack_app@127.0.0.1:$PG_PORT/budstack"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/1"
export TEST_SERVICES_DIR="$TMP"
export PG_BIN
export PGHOST=127.0.0.1
export PGPORT="$PG_PORT"

PG_VERSION="$("$PG_BIN/postgres" --version | awk '{print $3}')"
REDIS_VERSION="$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
log "PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT, Redis ${REDIS_VERSION:-?} on 127.0.0.1:$REDIS_PORT (dir $TMP)"

# ------------------------------------------------------------------ command ---
# Background + wait so that our traps run promptly on INT/TERM; keep the
# caller's stdin (a non-interactive bash would give & jobs /dev/null) and undo
# the SIGINT/SIGQUIT ignoring bash applies to background jobs.
if { true <&0; } 2>/dev/null; then
    ( trap - INT QUIT; exec "$@" ) <&0 &
else
    ( trap - INT QUIT; exec "$@" ) </dev/null &
fi
CHILD_PID=$!
rc=0
wait "$CHILD_PID" || rc=$?
CHILD_PID=""
exit "$rc"
