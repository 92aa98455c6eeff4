"""`migrate` on an empty PostgreSQL, and `check_migrations` before and after it."""

from __future__ import annotations

import psycopg
import pytest

from tests.deploy.conftest import manage, new_database, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.deploy]


def test_migrate_builds_an_empty_database_and_check_migrations_follows_it():
    with new_database() as database:
        env = production_env(database.owner_url, REDIS_URL="")

        # Given an empty database, the deploy check names what is missing.
        before = manage(env, "check_migrations")
        assert before.returncode == 1
        assert "Migrations not applied to 'default'" in before.stderr
        assert "tenancy.0001_initial" in before.stderr

        # When migrate runs (the system checks, RLS included, run first: nothing exists yet).
        migrated = manage(env, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr[-3000:]

        # Then nothing is pending, every tenant table is behind RLS, and the deploy checks pass.
        after = manage(env, "check_migrations")
        assert after.returncode == 0, after.stderr
        assert "Migrations are complete and applied." in after.stdout
        checked = manage(env, "check", "--deploy", "--database", "default")
        assert checked.returncode == 0, checked.stderr
        assert "System check identified no issues" in checked.stdout

        # And the application role was granted its tables, and RLS hides rows from it
        # outside a tenant scope.
        with psycopg.connect(database.app_url, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM tenancy_tenant").fetchone() is not None
            assert conn.execute("SELECT count(*) FROM commerce_product").fetchone() == (0,)


def test_check_migrations_finds_no_missing_migration_in_the_repository(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="")
    result = manage(env, "check_migrations", "--skip-unapplied")
    assert result.returncode == 0, result.stderr
