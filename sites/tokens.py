"""Issuing, checking and revoking API bearer tokens (:class:`sites.models.ApiToken`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from sites.context import platform_scope
from sites.models import ApiToken, Tenant, User
from sites.models.tokens import TOKEN_PREFIX, hash_token, new_raw_token

# last_used_at is a hint for people reviewing tokens, not an access log: write it at
# most this often so that reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once to the caller, never stored


def issue_token(user: User, *, name: str = "", expires_at=None) -> IssuedToken:
    """A new token for ``user``, bound to the user's tenant (none for super admins)."""
    raw = new_raw_token()
    token = ApiToken(
        user=user,
        tenant=user.tenant if user.tenant_id else None,
        name=name[:100],
        prefix=raw[: len(TOKEN_PREFIX) + 8],
        key_hash=hash_token(raw),
        expires_at=expires_at,
    )
    if token.tenant_id is None:
        with platform_scope(f"issue API token for super admin {user.pk}"):
            token.save()
    else:
        token.save()
    return IssuedToken(token, raw)


def find_token(raw: str) -> ApiToken | None:
    """The active token whose hash matches ``raw``, with its user and tenant loaded.

    Looked up under the platform bypass, like a sign-in: which tenant the token belongs
    to is what the lookup finds out. The caller then checks it against the request.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    with platform_scope("API bearer token lookup"):
        token = (
            ApiToken.all_tenants.select_related("user", "user__tenant", "tenant")
            .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.all_tenants.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.all_tenants.filter(pk=token.pk).update(revoked_at=token.revoked_at)


def tokens_visible_to(user: User, tenant: Tenant | None):
    """A user's own tokens; tenant admins also see their tenant's, super admins all."""
    from sites.models import Role

    queryset = ApiToken.objects.select_related("user")
    if user.is_super_admin or user.role == Role.TENANT_ADMIN:
        return queryset
    return queryset.filter(user=user)
