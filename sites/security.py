"""Account protection: lockout after failed sign-ins, and signing out everywhere.

Failed sign-ins are counted by django-axes per account and per IP address. An account
is named by tenant and email (``healingbuds:jane@example.com``): the same address at two
dispensaries is two accounts, and hammering one never locks the other. The lockout
answer is the same whether or not the account exists.
"""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from axes.backends import AxesStandaloneBackend

from sites.models import User


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    credentials = credentials or {}
    email = str(credentials.get("username") or credentials.get("email") or "").strip().lower()
    tenant = getattr(request, "tenant", None)
    return f"{tenant.slug if tenant else 'platform'}:{email}"


def locked_out(request: HttpRequest, credentials: dict | None, *args, **kwargs) -> HttpResponse:
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path_info.startswith("/api/"):
        from budstack.api.errors import error_response

        response = error_response(
            request, 429, "ACCOUNT_LOCKED", "Too many failed sign-ins: try again later.",
            {"retry_after": int(settings.AXES_COOLOFF_TIME.total_seconds())},
        )  # fmt: skip
        response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
        return response
    template = (
        "sites/auth/locked_out.html" if getattr(request, "tenant", None) else "sites/admin/locked_out.html"
    )
    response = render(request, template, {"minutes": minutes}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class HttpLoginLockoutBackend(AxesStandaloneBackend):
    """Axes guards sign-ins made over HTTP; code that authenticates without a request
    (management commands, the test client's ``login``) has no address to count."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def sign_out_everywhere(request: HttpRequest) -> None:
    """End every session of the signed-in user except this one."""
    user = request.user
    User.all_tenants.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, user)


def end_sessions_on_group_change(sender, instance, action: str, **kwargs) -> None:
    """Group membership is a privilege: changing it ends the account's sessions."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, User):
        User.all_tenants.filter(pk=instance.pk).update(session_epoch=F("session_epoch") + 1)
    else:  # a group, changed from its side
        ids = kwargs.get("pk_set") or []
        User.all_tenants.filter(pk__in=ids).update(session_epoch=F("session_epoch") + 1)
