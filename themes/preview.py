"""Theme preview links for super admins.

A super admin has no account at any dispensary, so on a storefront they are anonymous
(a session is only good at the tenant it was made for, see
``sites.middleware.TenantScopeMiddleware``), and on a subdomain or custom domain their
admin session cookie is not even sent. The tenant admin's session-based preview cannot
work for them. Instead the Themes screen mints a signed, expiring link for one tenant
and one theme; opening it stores the token (not a theme id) in that browser's session
for the tenant, and every request re-checks it: signature, age, tenant, theme, and
that the account that minted it is still an active super admin. Patients, other
browsers and other tenants see nothing different.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

from sites.context import platform_scope
from sites.models import Tenant
from themes.models import Theme

SALT = "budstack.themes.preview"
TOKEN_PARAM = "theme_preview_token"  # noqa: S105 - a query parameter name


def max_age() -> int:
    """Seconds a preview link stays good (``THEME_PREVIEW_MAX_AGE``, 30 minutes by default)."""
    return int(settings.THEME_PREVIEW_MAX_AGE)


def session_key(tenant: Tenant) -> str:
    return f"theme_preview_token:{tenant.pk}"


@dataclass(frozen=True)
class PreviewGrant:
    theme: Theme
    user_id: int


def make_token(tenant: Tenant, theme: Theme, user) -> str:
    """A token letting whoever holds it see ``tenant``'s storefront in ``theme`` for a while."""
    if not (user.is_active and user.is_superuser):
        raise PermissionError("Only super admins mint theme preview links.")
    return signing.dumps({"tenant": tenant.pk, "theme": theme.pk, "user": user.pk}, salt=SALT, compress=True)


def read_token(token: str, tenant: Tenant) -> PreviewGrant | None:
    """The theme ``token`` grants on ``tenant`` now, or None (bad, expired, revoked, elsewhere)."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=max_age())
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(claims, dict) or claims.get("tenant") != tenant.pk:
        return None
    # Super admins belong to no tenant: under the storefront's tenant scope (and RLS)
    # their row is invisible, so the check runs as explicit platform work.
    with platform_scope("theme preview: is the link's super admin still one"):
        still_allowed = (
            get_user_model().objects.filter(pk=claims.get("user"), is_active=True, is_superuser=True).exists()
        )
    if not still_allowed:
        return None
    theme = Theme.objects.filter(pk=claims.get("theme")).first()
    return PreviewGrant(theme, claims["user"]) if theme is not None else None


def storefront_preview_url(tenant: Tenant, token: str) -> str:
    """The path-style storefront address that starts the preview on this host."""
    return f"/store/{tenant.slug}/?{TOKEN_PARAM}={token}"
