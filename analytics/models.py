"""Storefront page views, counted per tenant, day and path."""

from __future__ import annotations

from django.db import models

from sites.models import TenantScopedModel


class PageViewDay(TenantScopedModel):
    """How many HTML pages were served at one path of a tenant's storefront on one day.

    Nothing about the visitor is kept (no address, session, user or query string), so the
    counter holds no personal data and needs no consent.
    """

    date = models.DateField()
    path = models.CharField(max_length=255)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "date", "path"], name="pageviewday_unique_path"),
        ]
        indexes = [models.Index(fields=["tenant", "date"], name="pageviewday_tenant_date")]
        verbose_name = "page views of a day"
        verbose_name_plural = "page views by day"

    def __str__(self) -> str:
        return f"{self.date} {self.path}: {self.views}"
