"""Celery tasks that work for one tenant.

A task takes the tenant's primary key (never a model instance), re-enters the tenant's
scope before touching data, and is enqueued only once the transaction that asked for it
has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction

from celery import shared_task

from sites.context import tenant_scope
from sites.models import Tenant


def tenant_task(**options: Any) -> Callable:
    """Decorate ``fn(tenant, *args)``: the task is called as ``task.delay(tenant_id, *args)``."""

    def decorator(fn: Callable) -> Callable:
        @shared_task(name=options.pop("name", f"{fn.__module__}.{fn.__name__}"), **options)
        @wraps(fn)
        def run(tenant_id: int, *args: Any, **kwargs: Any) -> Any:
            tenant = Tenant.objects.select_related("site").get(pk=tenant_id)
            with tenant_scope(tenant):
                return fn(tenant, *args, **kwargs)

        return run

    return decorator


def enqueue_for_tenant(task, tenant: Tenant, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` for ``tenant`` after the current transaction commits."""
    transaction.on_commit(lambda: task.delay(tenant.pk, *args, **kwargs))
