"""API bearer tokens: one per user and tenant, shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from sites.context import get_current_tenant, in_platform_scope

from .scoped import TenantScopedModel

TOKEN_PREFIX = "bst_"  # noqa: S105 - marks BudStack tokens, e.g. for secret scanners


def hash_token(raw: str) -> str:
    """SHA-256 is enough here: tokens carry 256 random bits, so no one can guess one
    from its hash, and a fast hash keeps every authenticated request cheap."""
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(TenantScopedModel):
    """A bearer token for ``Authorization: Bearer <token>``.

    A tenant's staff and patients get tokens that work for that tenant only; super
    admins' tokens have no tenant (row-level security shows them under the platform
    bypass only). The raw token is returned once, when it is issued.
    """

    tenant = models.ForeignKey(
        "tenancy.Tenant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        editable=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budstack_api_tokens"
    )
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    # The first characters of the token, to recognise it in a listing.
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        verbose_name_plural = "API tokens"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    def save(self, *args, **kwargs) -> None:
        if self.tenant_id is None and get_current_tenant() is None and in_platform_scope():
            # A super admin's token: skip the base class's tenant stamping.
            return models.Model.save(self, *args, **kwargs)
        super().save(*args, **kwargs)
