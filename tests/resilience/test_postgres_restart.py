"""PostgreSQL restarts under a running site: the next requests are served again.

The live server keeps its connection between requests (CONN_MAX_AGE, as in production),
so after the restart it holds a dead connection; the health check before reuse must
replace it without a restart of the application.
"""

from __future__ import annotations

import os
import subprocess
import urllib.error
import urllib.request

from django.db import connections

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def restart_postgres() -> None:
    services = os.environ.get("TEST_SERVICES_DIR")
    pg_bin = os.environ.get("PG_BIN")
    if not services or not pg_bin:
        pytest.fail("needs the PostgreSQL that scripts/with-services.sh started (make test)")
    command = [f"{pg_bin}/pg_ctl", "restart", "-D", f"{services}/pgdata", "-m", "fast", "-w", "-t", "60",
               "-l", f"{services}/postgresql.log"]  # fmt: skip
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    # The new postmaster must not inherit our pipes, or run() waits for it to exit.
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=services)  # noqa: S603


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback test server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_site_answers_again_after_a_database_restart(live_server, settings, make_tenant):
    make_tenant("alpha")
    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = 600
    home = f"{live_server.url}/store/alpha/"
    assert fetch(home) == 200
    assert fetch(home) == 200  # a kept connection is now in use

    restart_postgres()
    for alias in connections:
        connections[alias].close()  # this test's own connection died with the server

    # The first request after the restart may still meet the dead connection only if the
    # health check is missing; with it, every request is answered.
    answers = [fetch(home) for _ in range(3)]
    assert answers == [200, 200, 200]
    assert fetch(f"{live_server.url}/readyz") == 200
