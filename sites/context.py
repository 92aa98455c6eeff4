"""The tenant a unit of work runs for, and the explicit platform bypass.

Every request, task and command that touches tenant-owned data runs inside exactly one
of these scopes. Tenant-scoped managers read the scope (wall 1); on PostgreSQL the scope
is also written into the transaction with ``set_config(..., true)`` so that row-level
security policies see it (wall 2). Being transaction-local, the setting cannot leak to
the next transaction on a pooled connection (pgbouncer in transaction mode).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, transaction

if TYPE_CHECKING:
    from sites.models import Tenant

logger = logging.getLogger("budstack.tenancy")


@dataclass(frozen=True)
class _Scope:
    tenant: Tenant | None = None
    platform: bool = False


_NO_SCOPE = _Scope()
_scope: ContextVar[_Scope] = ContextVar("budstack_scope", default=_NO_SCOPE)  # noqa: B039 - frozen


def get_current_tenant() -> Tenant | None:
    """The tenant of the innermost tenant scope, or None."""
    return _scope.get().tenant


def in_platform_scope() -> bool:
    """True inside :func:`platform_scope` (and not inside a nested tenant scope)."""
    return _scope.get().platform


def _write_db_scope(scope: _Scope) -> None:
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, true), set_config('app.bypass_rls', %s, true)",
            [str(scope.tenant.pk) if scope.tenant else "", "on" if scope.platform else "off"],
        )


@contextmanager
def _enter(scope: _Scope) -> Iterator[None]:
    token = _scope.set(scope)
    outer = token.old_value if token.old_value is not token.MISSING else _NO_SCOPE
    ends_transaction = not connection.in_atomic_block
    try:
        with transaction.atomic():
            _write_db_scope(scope)
            yield
            # set_config(..., true) outlives a released savepoint, so an inner scope
            # hands the transaction back to the enclosing one. (On an exception the
            # savepoint rollback restores it.)
            if not ends_transaction:
                _write_db_scope(outer)
    finally:
        _scope.reset(token)


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    """Run the block for one tenant: scoped managers and RLS see only its rows."""
    if tenant is None or tenant.pk is None:
        raise ValueError("tenant_scope() needs a saved tenant")
    with _enter(_Scope(tenant=tenant)):
        yield tenant


@contextmanager
def platform_scope(reason: str) -> Iterator[None]:
    """Explicit, logged bypass for platform work that spans tenants."""
    logger.info("platform scope entered: %s", reason)
    with _enter(_Scope(platform=True)):
        yield
