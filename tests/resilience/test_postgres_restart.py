"""PostgreSQL restarts under a running app: the app answers again without a restart.

The shared test cluster must not be restarted (every other test holds connections to
it), so this test builds its own throwaway cluster, fills it with a copy of the
migrated test database, provisions one dispensary and serves it from gunicorn with
persistent connections (CONN_MAX_AGE=60, as in production). The cluster is then
restarted under the running gunicorn: the worker's kept connection is dead, and
CONN_HEALTH_CHECKS must notice that and reconnect, so the first request after the
restart is already answered.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A private PostgreSQL cluster run as the `postgres` user when we are root."""

    def __init__(self, pg_bin: Path, workdir: Path):
        self.pg_bin, self.workdir = pg_bin, workdir
        self.data = workdir / "pgdata"
        self.log = workdir / "postgresql.log"
        self.sockets = workdir / "sockets"
        self.port = _free_port()

    def run(self, tool: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
        command = [str(self.pg_bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(  # noqa: S603 - our own PostgreSQL tools and arguments
            command, cwd=self.workdir, check=True, capture_output=True, timeout=60, **kwargs
        )

    def init(self) -> None:
        self.data.mkdir(mode=0o700)
        self.sockets.mkdir(mode=0o755)
        self.log.touch()
        if os.geteuid() == 0:
            for path in (self.data, self.sockets, self.log):
                shutil.chown(path, "postgres")
        self.run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--no-sync", "--auth=trust", "--encoding=UTF8"
        )
        (self.data / "postgresql.auto.conf").write_text(
            f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.sockets}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )

    def pg_ctl(self, *args: str) -> None:
        self.run("pg_ctl", *args, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30")

    def psql(self, database: str, sql: str | None = None, *, stdin: bytes | None = None) -> str:
        args = [
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
        ]
        args += ["-d", database, "-At"] + (["-c", sql] if sql else [])
        return self.run("psql", *args, input=stdin).stdout.decode().strip()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/budstack"


def _get(url: str, timeout: float = 10.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def served_app() -> Iterator[tuple[Cluster, str]]:
    pg_bin = os.environ.get("PG_BIN")
    if not pg_bin or not os.environ.get("TEST_SERVICES_DIR") or connection.vendor != "postgresql":
        # Marked postgres, so SQLite runs deselect it; on PostgreSQL it needs the binaries.
        pytest.fail("run under scripts/with-services.sh: it provides PG_BIN and TEST_SERVICES_DIR")
    workdir = Path(tempfile.mkdtemp(prefix="budstack-pgrestart-", dir="/tmp"))
    workdir.chmod(0o755)
    cluster = Cluster(Path(pg_bin), workdir)
    server = None
    try:
        cluster.init()
        cluster.pg_ctl("start")
        cluster.psql("postgres", "CREATE DATABASE budstack")
        # A copy of the migrated test database: much faster than migrating anew.
        # As the shared cluster's superuser (over its socket): the owner role cannot
        # dump tables with FORCE row-level security.
        shared = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        dump = cluster.run(
            "pg_dump", "--no-owner", "--no-privileges", "-h", os.environ["TEST_SERVICES_DIR"] + "/pgsocket",
            "-p", str(shared.port), "-U", "postgres", connection.settings_dict["NAME"],
        )  # fmt: skip
        cluster.psql("budstack", stdin=dump.stdout)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "budstack.settings.test",
            "DATABASE_URL": cluster.url,
            "APP_DATABASE_URL": "",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "CONN_MAX_AGE": "60",
            "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)),
        }
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "create_tenant", "--slug", "phoenix", "--name", "Phoenix",
             "--country", "GB", "--admin-email", "owner@phoenix.example"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603
            [str(VENV_BIN / "gunicorn"), "budstack.wsgi", "--workers", "1", "--threads", "1",
             "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(workdir / "gunicorn.log").open("wb"),
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            with contextlib.suppress(OSError):
                if _get(f"{base}/healthz", timeout=2) == 200:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not start: " + (workdir / "gunicorn.log").read_text()[-2000:])
        yield cluster, base
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(workdir, ignore_errors=True)


def _app_connections(cluster: Cluster) -> int:
    return int(
        cluster.psql(
            "postgres",
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'budstack' AND pid <> pg_backend_pid()",
        )
    )


def test_the_app_answers_after_a_database_restart_without_restarting_itself(served_app):
    cluster, base = served_app
    storefront = f"{base}/store/phoenix/"
    assert _get(storefront) == 200
    assert _get(f"{base}/readyz") == 200
    # The worker keeps its connection between requests: that is what a restart breaks.
    assert _app_connections(cluster) == 1

    cluster.pg_ctl("restart", "-m", "fast")
    assert _app_connections(cluster) == 0
    # The very first requests after the restart are answered: the dead connection is
    # noticed by the health check and replaced, not handed to the view.
    assert _get(storefront) == 200
    assert _get(f"{base}/readyz") == 200

    # While the database is down the app says so quickly, and recovers when it is back.
    cluster.pg_ctl("stop", "-m", "fast")
    started = time.monotonic()
    assert _get(f"{base}/readyz") == 503
    assert time.monotonic() - started < 10
    cluster.pg_ctl("start")
    assert _get(storefront) == 200
    assert _get(f"{base}/readyz") == 200
