"""Counting storefront page views without adding work to the page itself.

With Redis (every deployment, and ``make test``) a view is one ``HINCRBY`` on a hash per
day, no SQL: the page cache's zero-query hits stay zero-query. ``analytics.flush_page_views``
(Celery beat, every minute, and every dashboard before it reads) moves the counts into
:class:`analytics.models.PageViewDay` with one UPSERT per tenant and day. Without Redis
(``make run`` with the local-memory cache) the counts wait in the process's memory, as
the local-memory cache itself does, until the next flush.

Only the tenant, the day and the path (no query string) are kept: no personal data.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from datetime import date

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.utils import timezone

from budstack.cache import UNAVAILABLE
from sites.context import platform_scope

logger = logging.getLogger("budstack.analytics")

KEY_PREFIX = "budstack:analytics:pageviews"
DAYS_KEY = f"{KEY_PREFIX}:days"
# Unflushed counts survive a week of a stopped beat; after that they are dropped.
KEEP_SECONDS = 7 * 24 * 3600
MAX_PATH = 255

# Without Redis: (day, tenant id, path) -> views, for this process only.
_local_counts: Counter[tuple[str, int, str]] = Counter()
_local_lock = threading.Lock()


def _redis():
    """The raw Redis client behind the default cache, or None (local-memory cache)."""
    if isinstance(cache, RedisCache):
        return cache._cache.get_client(write=True)
    return None


def _day_key(day: str) -> str:
    return f"{KEY_PREFIX}:{day}"


def _upsert(tenant_id: int, day: date, counts: dict[str, int]) -> None:
    """Add ``counts`` (path -> views) to the tenant's rows of ``day``, in one statement."""
    if not counts:
        return
    rows = list(counts.items())
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list = []
    for path, views in rows:
        params += [tenant_id, day, path[:MAX_PATH], views]
    sql = (
        f"INSERT INTO analytics_pageviewday (tenant_id, date, path, views) VALUES {values} "  # noqa: S608
        "ON CONFLICT (tenant_id, date, path) DO UPDATE "
        "SET views = analytics_pageviewday.views + EXCLUDED.views"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record_page_view(tenant, path: str) -> None:
    """Count one view of ``path`` (below the tenant's storefront root) for today."""
    path = path[:MAX_PATH] or "/"
    day = timezone.localdate().isoformat()
    client = _redis()
    if client is None:
        with _local_lock:
            _local_counts[(day, tenant.pk, path)] += 1
        return
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(_day_key(day), f"{tenant.pk}|{path}", 1)
        pipe.expire(_day_key(day), KEEP_SECONDS)
        pipe.sadd(DAYS_KEY, day)
        pipe.execute()
    except UNAVAILABLE:
        # A lost count is better than a storefront error while Redis is away.
        logger.warning("page view of tenant %s not counted: Redis unavailable", tenant.pk)


def flush_page_views() -> int:
    """Move buffered counts from Redis into the database; returns the views moved.

    Each day's hash is renamed before it is read, so views counted meanwhile go to a fresh
    hash; a flush that fails leaves the renamed hash to be retried by the next run.
    """
    client = _redis()
    if client is None:
        return _flush_local()
    moved = 0
    today = timezone.localdate().isoformat()
    for raw_day in sorted(client.smembers(DAYS_KEY)):
        day = raw_day.decode() if isinstance(raw_day, bytes) else raw_day
        key, pending = _day_key(day), f"{_day_key(day)}:flushing"
        if not client.exists(pending) and client.exists(key):
            client.renamenx(key, pending)
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for field, value in client.hgetall(pending).items():
            tenant_id, _, path = field.decode().partition("|")
            counts[int(tenant_id)][path] = int(value)
        if counts:
            moved += _store(day, counts)
        client.delete(pending)
        if day < today and not client.exists(key):
            client.srem(DAYS_KEY, raw_day)
    return moved


def _store(day: str, counts: dict[int, dict[str, int]]) -> int:
    from sites.models import Tenant

    moved = 0
    with platform_scope("analytics: flush page views"), transaction.atomic():
        # Counts of a tenant deleted meanwhile are dropped with it.
        alive = set(Tenant.objects.filter(pk__in=counts).values_list("pk", flat=True))
        for tenant_id in sorted(alive):
            _upsert(tenant_id, date.fromisoformat(day), counts[tenant_id])
            moved += sum(counts[tenant_id].values())
    return moved


def _flush_local() -> int:
    with _local_lock:
        pending = dict(_local_counts)
        _local_counts.clear()
    by_day: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for (day, tenant_id, path), views in pending.items():
        by_day[day][tenant_id][path] = views
    return sum(_store(day, counts) for day, counts in sorted(by_day.items()))


def discard_buffered_page_views() -> None:
    """Forget counts not yet flushed (tests; Redis buffers go with ``cache.clear()``)."""
    with _local_lock:
        _local_counts.clear()
    client = _redis()
    if client is not None:
        for raw_day in client.smembers(DAYS_KEY):
            day = raw_day.decode() if isinstance(raw_day, bytes) else raw_day
            client.delete(_day_key(day), f"{_day_key(day)}:flushing")
        client.delete(DAYS_KEY)
