import socket

from django.test import override_settings

import pytest


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_dependency(client, settings):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    expected = {"database", "storage"} | ({"redis"} if settings.REDIS_URL else set())
    assert set(body["checks"]) == expected


@pytest.mark.django_db
def test_readyz_names_the_failing_part(client, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    settings.MEDIA_ROOT = str(blocker)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


@pytest.mark.django_db
def test_readyz_503_when_redis_is_down(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    redis_url = f"redis://127.0.0.1:{closed_port}/0"
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    with override_settings(REDIS_URL=redis_url, CACHES=caches):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"] and body["checks"]["database"]["status"] == "ok"
