"""Production-shaped fixtures: a database of its own, migrated and seeded by subprocesses.

These tests run the programs the containers run (manage.py, gunicorn, celery, nginx,
pgbouncer, pg_dump), so they need the PostgreSQL and Redis that `make test`
(scripts/with-services.sh) provides: DATABASE_URL (the owner role), APP_DATABASE_URL
(the non-owner application role) and REDIS_URL.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import environ
import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
# Fixed for the whole run, so what one process encrypts another decrypts.
SECRET_KEY = "deploy-tests-" + "k" * 60
FIELD_KEY = "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Database:
    name: str
    owner_url: str
    app_url: str
    host: str
    port: int
    app_user: str
    app_password: str

    def owner_connect(self) -> psycopg.Connection:
        # The platform bypass of the tenant policy, for the test's own inspection.
        return psycopg.connect(self.owner_url, autocommit=True, options="-c app.bypass_rls=on")


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment the containers get, pointed at the test's services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "CELERY_", "DATABASE_", "APP_DATABASE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="budstack.settings.production",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=FIELD_KEY,
        ALLOWED_HOSTS="*",
        BUDSTACK_DOMAIN="budstack.test",
        DATABASE_URL=database_url,
        DATABASE_APP_ROLE="budstack_app",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        MEDIA_ROOT=extra.pop("MEDIA_ROOT", "/tmp/budstack-deploy-media"),  # noqa: S108
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _require_postgres() -> tuple[str, str]:
    owner, app = os.environ.get("DATABASE_URL", ""), os.environ.get("APP_DATABASE_URL", "")
    if not owner.startswith(("postgres://", "postgresql://")) or not app:
        pytest.fail("deploy tests need DATABASE_URL and APP_DATABASE_URL (run via scripts/with-services.sh)")
    return owner, app


@contextmanager
def new_database() -> Iterator[Database]:
    """A new, empty database owned by budstack_owner, dropped afterwards."""
    owner, app = _require_postgres()
    name = f"budstack_deploy_{secrets.token_hex(4)}"
    parsed = environ.Env.db_url_config(app)
    with psycopg.connect(owner, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    database = Database(
        name=name,
        owner_url=_with_db(owner, name),
        app_url=_with_db(app, name),
        host=parsed["HOST"],
        port=int(parsed["PORT"]),
        app_user=parsed["USER"],
        app_password=parsed["PASSWORD"],
    )
    try:
        yield database
    finally:
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def fresh_database() -> Iterator[Database]:
    with new_database() as database:
        yield database


@pytest.fixture(scope="session")
def demo_database(fresh_database: Database) -> Database:
    """The fresh database migrated by `migrate` (as the container does) and seeded with the demo."""
    env = production_env(fresh_database.owner_url, CELERY_TASK_ALWAYS_EAGER="true", REDIS_URL="")
    result = manage(env, "migrate", "--noinput")
    assert result.returncode == 0, result.stderr[-3000:]
    # seed_demo publishes known passwords, so it refuses production settings: it runs
    # with the development settings against the same database and keys.
    result = manage({**env, "DJANGO_SETTINGS_MODULE": "budstack.settings.dev", "DEBUG": "true"}, "seed_demo")
    assert result.returncode == 0, result.stderr[-3000:]
    return fresh_database


SNAPSHOT_CODE = """
import hashlib, json
from sites.context import platform_scope
from sites.models import Tenant, User
from kyc.models import PatientProfile
from wagtail.models import Page
from integrations.models import DrGreenCredentials
with platform_scope("deploy test snapshot"):
    out = {
        "tenants": sorted(
            [t.slug, t.name, t.country_code, t.status, t.site.hostname] for t in Tenant.objects.select_related("site")
        ),
        "pages": sorted(
            [p.pk, p.url_path, p.title, p.live, str(p.go_live_at)] for p in Page.objects.all()
        ),
        "users": sorted(
            [u.email, u.tenant.slug if u.tenant else "", u.role, u.password] for u in User.objects.select_related("tenant")
        ),
        "patients": sorted(
            [p.tenant.slug, p.user.email, p.kyc_status] for p in PatientProfile.objects.select_related("tenant", "user")
        ),
        "credentials": sorted(
            [c.tenant.slug, c.api_key, hashlib.sha256(c.secret_key.encode()).hexdigest(), len(c.secret_key)]
            for c in DrGreenCredentials.objects.select_related("tenant")
        ),
    }
print("SNAPSHOT" + json.dumps(out))
"""


def snapshot(database: Database) -> dict:
    """Tenants, pages and decrypted Dr. Green credentials, read by a fresh Django process."""
    env = production_env(database.owner_url, REDIS_URL="")
    result = manage(env, "shell", "-c", SNAPSHOT_CODE, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("SNAPSHOT"))
    return json.loads(line.removeprefix("SNAPSHOT"))
