"""Prometheus metrics: HTTP traffic by tenant, and gauges read at scrape time.

Under gunicorn every worker is its own process; with ``PROMETHEUS_MULTIPROC_DIR`` set,
prometheus_client keeps the counters in files there and :func:`render` merges them
(gunicorn.conf.py cleans up after exited workers). Gauges that are read from PostgreSQL
or Redis at scrape time live in one collector, so any process can answer a scrape.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

logger = logging.getLogger("budstack.ops")

REQUESTS = Counter(
    "budstack_http_requests",
    "HTTP requests answered, by tenant, method and status code.",
    ["tenant", "method", "status"],
)
LATENCY = Histogram(
    "budstack_http_request_duration_seconds",
    "Time to answer an HTTP request, by tenant.",
    ["tenant", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter(
    "budstack_http_errors",
    "HTTP requests that ended in a server error (5xx or an unhandled exception), by tenant.",
    ["tenant"],
)
TASKS = Counter(
    "budstack_celery_tasks",
    "Celery tasks finished in this process, by task name and outcome.",
    ["task", "outcome"],
)


class ScrapeTimeCollector(Collector):
    """Database connections, Celery queue depth and business counters, read when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for gather in (self._db_connections, self._queue_depth, self._business):
            try:
                yield from gather()
            except Exception:  # noqa: BLE001 - a broken dependency must not break the scrape
                logger.warning("metrics: %s failed", gather.__name__, exc_info=True)

    def _db_connections(self) -> Iterator[GaugeMetricFamily]:
        if connection.vendor != "postgresql":
            return
        family = GaugeMetricFamily(
            "budstack_db_connections",
            "Server connections to the application database, by state.",
            labels=["state"],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() GROUP BY 1"
            )
            for state, count in cursor.fetchall():
                family.add_metric([state], count)
        yield family

    def _queue_depth(self) -> Iterator[GaugeMetricFamily]:
        broker = getattr(settings, "CELERY_BROKER_URL", "")
        if not broker.startswith(("redis://", "rediss://")):
            return
        import redis

        family = GaugeMetricFamily(
            "budstack_celery_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        client = redis.Redis.from_url(broker, socket_timeout=2, socket_connect_timeout=2)
        try:
            for queue in metric_queues():
                family.add_metric([queue], client.llen(queue))
        finally:
            client.close()
        yield family

    def _business(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count

        from sites.context import platform_scope
        from sites.models import Tenant, User

        tenants = GaugeMetricFamily("budstack_tenants", "Tenants, by status.", labels=["status"])
        users = GaugeMetricFamily("budstack_users", "Accounts, by role.", labels=["role"])
        with platform_scope("metrics scrape: business counters"):
            for row in Tenant.objects.values("status").annotate(n=Count("pk")).order_by():
                tenants.add_metric([row["status"]], row["n"])
            for row in User.objects.values("role").annotate(n=Count("pk")).order_by():
                users.add_metric([row["role"] or "none"], row["n"])
        yield tenants
        yield users


def metric_queues() -> list[str]:
    queues = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")}
    queues.update(getattr(settings, "METRICS_CELERY_QUEUES", []))
    return sorted(queues)


_SCRAPE_COLLECTOR = ScrapeTimeCollector()


def render() -> bytes:
    """The exposition text for one scrape."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
        registry.register(_SCRAPE_COLLECTOR)
        return generate_latest(registry)
    return generate_latest(REGISTRY) + generate_latest(_registry_with(_SCRAPE_COLLECTOR))


def _registry_with(collector: Collector) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(collector)
    return registry
