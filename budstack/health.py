"""Liveness and readiness probes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving; no dependency is touched."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_redis() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def _check_storage() -> None:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        if not default_storage.exists(name):
            raise RuntimeError("written file is missing")
    finally:
        default_storage.delete(name)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Every dependency answers: 200 with details, or 503 naming what failed."""
    checks = {"database": _check_database, "storage": _check_storage}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    results: dict[str, dict[str, str]] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - a probe reports any failure
            results[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"status": "ok"}
    failing = [name for name, result in results.items() if result["status"] != "ok"]
    body = {"status": "ok" if not failing else "error", "failing": failing, "checks": results}
    return JsonResponse(body, status=503 if failing else 200)
