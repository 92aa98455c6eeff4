"""Per-tenant daily counts of what patients search for (no personal data).

One upsert per rendered search, in the request's transaction (RLS sees the tenant): a
page served from the full-page cache does no database work at all, so a query repeated
within ``PAGE_CACHE_SECONDS`` of an identical one is counted once. Queries that look
like personal data (an email address, a long number) are not kept.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from search.models import SearchQueryLog

_PERSONAL = re.compile(r"@|\d{6,}")
# One statement on PostgreSQL and SQLite alike; the unique constraint is the conflict target.
_UPSERT = (
    "INSERT INTO search_searchquerylog (tenant_id, day, query, count, results) VALUES (%s, %s, %s, 1, %s) "
    "ON CONFLICT (tenant_id, day, query) DO UPDATE SET count = search_searchquerylog.count + 1, "
    "results = EXCLUDED.results"
)


def normalise(query: str) -> str:
    return " ".join(query.lower().split())[:100]


def record_query(tenant, query: str, results: int, day: date | None = None) -> None:
    """Count ``query`` (as typed) for today; the stored form is its words, lower-cased."""
    from search.engine import search_terms

    if _PERSONAL.search(query):
        return
    text = normalise(search_terms(query))
    if not text:
        return
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [tenant.pk, day or timezone.localdate(), text, results])


def top_queries(tenant, days: int = 30, limit: int = 10, zero_results: bool = False) -> list[dict]:
    since = timezone.localdate() - timedelta(days=days)
    rows = SearchQueryLog.objects.filter(tenant=tenant, day__gte=since)
    if zero_results:
        rows = rows.filter(results=0)
    return list(rows.values("query").annotate(searches=Sum("count")).order_by("-searches", "query")[:limit])
