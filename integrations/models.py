"""Per-tenant integration settings."""

from __future__ import annotations

from django.db import models

from budstack import encryption
from sites.models import TenantScopedModel


class DrGreenCredentials(TenantScopedModel):
    """A dispensary's Dr. Green key pair (one per tenant).

    The API key is a public key and is stored as is; the secret key is encrypted at rest
    (``budstack.encryption``) and only ever decrypted to sign requests. Without a row,
    the tenant uses the platform's ``DRGREEN_*`` settings (see ``client_for_tenant``).
    """

    api_key = models.TextField(help_text="Base64 of the PEM public key (secp256k1) Dr. Green issued.")
    secret_key_encrypted = models.TextField(editable=False)
    enabled = models.BooleanField(
        default=True, help_text="Off: the storefront works without live Dr. Green calls."
    )
    base_url = models.URLField(
        blank=True, help_text="Leave empty for the platform default (DRGREEN_API_URL)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Dr. Green credentials"
        verbose_name_plural = "Dr. Green credentials"
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="drgreen_credentials_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"Dr. Green credentials of {self.tenant}"

    @property
    def secret_key(self) -> str:
        return encryption.decrypt(self.secret_key_encrypted)

    @secret_key.setter
    def secret_key(self, value: str) -> None:
        self.secret_key_encrypted = encryption.encrypt(value)

    @property
    def has_secret_key(self) -> bool:
        return bool(self.secret_key_encrypted)

    def reencrypt(self) -> None:
        """Move the secret to the newest FIELD_ENCRYPTION_KEYS key (after a rotation)."""
        self.secret_key_encrypted = encryption.rotate(self.secret_key_encrypted)
        self.save(update_fields=["secret_key_encrypted", "updated_at"])


# Webhook models live in their subpackage; importing them here registers them with the app.
from integrations.webhooks.models import (  # noqa: E402
    InboundEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

__all__ = ["DrGreenCredentials", "InboundEvent", "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]
