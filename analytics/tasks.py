"""Periodic work of the analytics app."""

from __future__ import annotations

from celery import shared_task

from .tracking import flush_page_views


@shared_task(name="analytics.flush_page_views", ignore_result=True)
def flush_page_views_task() -> int:
    """Beat, every minute: buffered page views (Redis) into PageViewDay rows."""
    return flush_page_views()
