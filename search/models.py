"""The storefront's search index and query log: both tenant-owned, both behind RLS.

``SearchDocument`` is one row per searchable page or product of a tenant, with a
weighted ``tsvector`` built in the tenant's text-search configuration (see
:mod:`search.language`). It is a copy for finding things, never for deciding what may be
shown: every query re-checks the live, public and gated sets (see :mod:`search.engine`),
so a stale row can only cost a miss, never a leak.

``SearchQueryLog`` is a daily aggregate per tenant and normalised query. It holds no user,
session or address: only what was asked, how many times that day and how many results
the last time.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from sites.models import TenantScopedModel


class SearchDocument(TenantScopedModel):
    class Source(models.TextChoices):
        PAGE = "page", "Page"
        PRODUCT = "product", "Product"

    class Kind(models.TextChoices):
        PRODUCT = "product", "Product"
        ARTICLE = "article", "Article"
        CONDITION = "condition", "Condition"
        PAGE = "page", "Page"

    source = models.CharField(max_length=8, choices=Source.choices)
    object_id = models.BigIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=255)
    slug = models.CharField(max_length=255, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # Weighted title (A) / summary (B) / body (C); only filled on PostgreSQL.
    vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "source", "object_id"], name="search_document_unique_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class SearchQueryLog(TenantScopedModel):
    day = models.DateField()
    query = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=1)
    results = models.PositiveIntegerField(default=0, help_text="Result count the last time it was asked.")

    class Meta:
        ordering = ["-day", "-count"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day", "query"], name="search_query_log_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.query!r} x{self.count}"
