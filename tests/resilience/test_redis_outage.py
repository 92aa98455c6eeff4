"""Redis goes away and comes back: the storefront keeps serving throughout.

A real redis-server is started on a port that was dead a moment before, so the same
cache configuration meets first an outage and then a recovery.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

from django.core.cache import cache

import pytest
import redis

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        if os.environ.get("BUDSTACK_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is required by make test")
        pytest.skip("redis-server not installed (make test installs it)")
    return found


@pytest.fixture
def dead_redis_cache(settings):
    port = free_port()
    settings.CACHES = {
        "default": {
            "BACKEND": "budstack.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "outage",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    return port


def start_redis(binary: str, port: int, workdir) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - our own redis-server binary and arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            return server
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    server.kill()
    raise AssertionError("redis-server did not start")


def test_storefront_serves_while_redis_is_down_and_uses_it_again_when_back(
    client, tenant_a, dead_redis_cache, redis_binary, tmp_path
):
    started = time.monotonic()
    for path in ("/store/alpha/", "/store/alpha/the-wire/", "/store/alpha/conditions/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/", HTTP_HOST="alpha.budstack.test").status_code == 200
    # Four pages with a dead cache: each failed call costs a refused connection, not a hang.
    assert time.monotonic() - started < 30
    assert cache.get("anything", "fallback") == "fallback"

    server = start_redis(redis_binary, dead_redis_cache, tmp_path)
    try:
        assert client.get("/store/alpha/").status_code == 200
        keys = redis.Redis(host="127.0.0.1", port=dead_redis_cache).keys("outage:*")
        assert keys, "with Redis back, the storefront caches again"
        cache.set("probe", "value", 30)
        assert cache.get("probe") == "value"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_contact_rate_limit_and_sign_in_work_without_redis(client, tenant_a, make_user, dead_redis_cache):
    from tests.conftest import PASSWORD

    make_user(tenant_a, email="pat@example.com")
    response = client.post("/store/alpha/auth/login/", {"username": "pat@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/store/alpha/account/"
    assert client.get("/store/alpha/account/").status_code == 200
