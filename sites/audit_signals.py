"""Sign-ins, sign-outs and failed sign-ins go into the audit trail."""

from __future__ import annotations

import hashlib

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from sites.audit import record_audit
from sites.context import get_current_tenant, platform_scope, tenant_scope


def _record_for(tenant, action: str, **kwargs) -> None:
    # Staff sign in at /admin/, outside any tenant scope: enter the one the entry belongs to.
    if tenant is None:
        with platform_scope(f"audit: {action}"):
            record_audit(action, **kwargs)
    elif get_current_tenant() == tenant:
        record_audit(action, tenant=tenant, **kwargs)
    else:
        with tenant_scope(tenant):
            record_audit(action, tenant=tenant, **kwargs)


def _where(request: HttpRequest | None) -> str:
    return "admin" if request is not None and request.path.startswith("/admin/") else "storefront"


def on_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    _record_for(user.tenant, "auth.login", actor=user, request=request, data={"where": _where(request)})


def on_logout(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if user is None:
        return
    _record_for(user.tenant, "auth.logout", actor=user, request=request, data={"where": _where(request)})


def on_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    identifier = str(credentials.get("username") or credentials.get("email") or "").strip().lower()
    # A digest, not the address: failed attempts on one account still correlate, and an
    # erased patient's email never sits in the trail.
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:16] if identifier else ""
    tenant = getattr(request, "tenant", None) if request is not None else None
    _record_for(
        tenant,
        "auth.login_failed",
        actor=None,
        request=request,
        data={"where": _where(request), "account_digest": digest},
    )


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="budstack_audit_login")
    user_logged_out.connect(on_logout, dispatch_uid="budstack_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="budstack_audit_login_failed")
