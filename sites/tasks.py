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


@shared_task(name="sites.export_tenant_data", acks_late=True, autoretry_for=(OSError,), max_retries=3,
             retry_backoff=True)  # fmt: skip
def export_tenant_data(tenant_id: int) -> str:
    """Offboarding's export (sites.lifecycle.export_tenant); idempotent: a rerun writes a new archive."""
    from sites.context import platform_scope
    from sites.lifecycle import export_tenant

    with platform_scope("load tenant for export"):
        tenant = Tenant.objects.select_related("site", "collection").get(pk=tenant_id)
    return export_tenant(tenant)


@shared_task(name="sites.delete_offboarded_tenants")
def delete_offboarded_tenants() -> list[str]:
    """Celery beat: delete tenants past OFFBOARDING_GRACE_DAYS."""
    from sites.lifecycle import delete_due_tenants

    return delete_due_tenants()
