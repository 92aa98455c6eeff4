#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory (as
# /docker-entrypoint-initdb.d/10-roles.sh). Creates the same two roles as
# scripts/with-services.sh:
#   budstack_owner: owns the database and its tables, runs migrations (connects directly)
#   budstack_app:   NOSUPERUSER NOBYPASSRLS, what web and workers use (through pgbouncer),
#                   so FORCE'd row-level security applies to every query they make.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_password="$DB_OWNER_PASSWORD" -v app_password="$DB_APP_PASSWORD" <<'SQL'
CREATE ROLE budstack_owner LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOBYPASSRLS
    PASSWORD :'owner_password';
CREATE ROLE budstack_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS
    PASSWORD :'app_password';
CREATE DATABASE budstack OWNER budstack_owner;
GRANT CONNECT ON DATABASE budstack TO budstack_app;
-- Django compares the session time zone with UTC at connect; answering UTC up front saves
-- a SET on every server connection (pgbouncer tracks TimeZone either way).
ALTER DATABASE budstack SET timezone TO 'UTC';
SQL
