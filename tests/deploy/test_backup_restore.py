"""deploy/backup.sh and deploy/restore.sh round-trip the demo exactly."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from tests.deploy.conftest import ROOT, Database, snapshot

pytestmark = [pytest.mark.postgres, pytest.mark.deploy]


def run_script(name: str, database: Database, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(ROOT / "deploy" / name), *args],
        env={**os.environ, "DATABASE_URL": database.owner_url, "DATABASE_APP_ROLE": database.app_user, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_wipe_restore_brings_back_every_tenant_page_account_and_decryptable_secret(
    demo_database, tmp_path
):
    before = snapshot(demo_database)
    assert {row[0] for row in before["tenants"]} == {"healingbuds", "greenleaf"}
    assert len(before["pages"]) > 30
    assert {row[0] for row in before["credentials"]} == {"healingbuds", "greenleaf"}
    assert all(row[3] > 0 for row in before["credentials"])  # secret keys decrypted to something

    dump = tmp_path / "demo.dump"
    backup = run_script("backup.sh", demo_database, str(dump))
    assert backup.returncode == 0, backup.stderr
    assert dump.stat().st_size > 10_000

    # The database is lost...
    with demo_database.owner_connect() as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
        assert conn.execute("SELECT to_regclass('public.tenancy_tenant')").fetchone() == (None,)

    restore = run_script("restore.sh", demo_database, str(dump))
    assert restore.returncode == 0, restore.stderr

    # ...and comes back exactly: tenants, pages, accounts, KYC states, and Dr. Green secret
    # keys that still decrypt with the same FIELD_ENCRYPTION_KEYS.
    assert snapshot(demo_database) == before

    # The application role has its grants back, and row-level security still holds for it.
    with psycopg.connect(demo_database.app_url) as conn:
        assert conn.execute("SELECT count(*) FROM commerce_product").fetchone() == (0,)
        tenant_id = conn.execute(
            "SELECT set_config('app.bypass_rls', 'on', true), (SELECT id FROM tenancy_tenant WHERE slug = 'healingbuds')"
        ).fetchone()[1]
        conn.execute(
            "SELECT set_config('app.bypass_rls', 'off', true), set_config('app.tenant_id', %s, true)",
            [str(tenant_id)],
        )
        assert conn.execute("SELECT count(*) FROM commerce_product").fetchone()[0] >= 12
        assert conn.execute("SELECT count(DISTINCT tenant_id) FROM commerce_product").fetchone() == (1,)


def test_a_failed_restore_leaves_the_database_as_it_was(demo_database, tmp_path):
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a dump")
    before = snapshot(demo_database)
    result = run_script("restore.sh", demo_database, str(broken))
    assert result.returncode != 0
    assert snapshot(demo_database) == before


def test_scheduled_backups_prune_dumps_older_than_the_retention(demo_database, tmp_path: Path):
    old = tmp_path / "budstack-20200101T000000Z.dump"
    old.write_bytes(b"old")
    twenty_days_ago = time.time() - 20 * 86400
    os.utime(old, (twenty_days_ago, twenty_days_ago))
    keep = tmp_path / "budstack-notes.txt"
    keep.write_text("not a dump")

    result = run_script("backup.sh", demo_database, BACKUP_DIR=str(tmp_path), BACKUP_RETENTION_DAYS="14")

    assert result.returncode == 0, result.stderr
    assert not old.exists()
    assert keep.exists()
    dumps = sorted(tmp_path.glob("budstack-*.dump"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 10_000
    assert f"pruned {old}" in result.stdout
