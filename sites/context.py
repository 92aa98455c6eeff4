"""The tenant a unit of work runs for, and the explicit platform bypass.

Every request, task and command that touches tenant-owned data runs inside exactly one
of these scopes. Tenant-scoped managers read the scope (wall 1); on PostgreSQL the scope
is also written into the transaction with ``set_config(..., true)`` so that row-level
security policies see it (wall 2) and it cannot leak to the next transaction on a pooled
connection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import connection, transaction

if TYPE_CHECKING:
    from sites.models import Tenant

logger = logging.getLogger("budstack.tenancy")

_current_tenant: ContextVar[Tenant | None] = ContextVar("budstack_tenant", default=None)
_platform: ContextVar[bool] = ContextVar("budstack_platform", default=False)


def get_current_tenant() -> Tenant | None:
    """The tenant of the innermost tenant scope, or None."""
    return _current_tenant.get()


def in_platform_scope() -> bool:
    """True inside :func:`platform_scope` (and not inside a nested tenant scope)."""
    return _platform.get()


def _write_db_scope(tenant_id: int | None, bypass: bool) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, true), set_config('app.bypass_rls', %s, true)",
            [str(tenant_id or ""), "on" if bypass else "off"],
        )


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    """Run the block for one tenant: scoped managers and RLS see only its rows."""
    tenant_token = _current_tenant.set(tenant)
    platform_token = _platform.set(False)
    try:
        with transaction.atomic():
            _write_db_scope(tenant.pk, bypass=False)
            yield tenant
    finally:
        _platform.reset(platform_token)
        _current_tenant.reset(tenant_token)


@contextmanager
def platform_scope(reason: str) -> Iterator[None]:
    """Explicit, logged bypass for platform work that spans tenants."""
    logger.info("platform scope entered: %s", reason)
    tenant_token = _current_tenant.set(None)
    platform_token = _platform.set(True)
    try:
        with transaction.atomic():
            _write_db_scope(None, bypass=True)
            yield
    finally:
        _platform.reset(platform_token)
        _current_tenant.reset(tenant_token)
