"""Webhook endpoints, their deliveries and attempts (tenant-owned), and inbound events."""

from __future__ import annotations

import uuid

from django.db import models

from budstack import encryption
from sites.models import TenantScopedModel


class WebhookEndpoint(TenantScopedModel):
    """A URL of the tenant's that receives the events it subscribed to.

    The signing secret is shown once when the endpoint is made and then stored encrypted
    (``budstack.encryption``): it has to be decrypted to sign each delivery.
    """

    url = models.URLField(max_length=500, verbose_name="URL")
    events = models.JSONField(default=list, help_text="Event names this endpoint receives.")
    description = models.CharField(max_length=200, blank=True)
    secret_encrypted = models.TextField(editable=False)
    is_active = models.BooleanField(default=True, verbose_name="active")
    # Deliveries in a row that failed after every retry; reset by a success.
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    @property
    def secret(self) -> str:
        return encryption.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = encryption.encrypt(value)

    def wants(self, event: str) -> bool:
        return event in (self.events or [])


class WebhookDelivery(TenantScopedModel):
    """One event for one endpoint; retried until it succeeds or the schedule runs out."""

    # Records, not content: no page or snippet links to them, so Wagtail's reference index
    # (a look-up and two savepoint blocks on every save) has nothing to learn from them.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # X-BudStack-Delivery: the same on every retry of this delivery, so receivers can dedupe.
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_id = models.CharField(max_length=40, db_index=True)
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # Retries used in the current run (a manual redelivery starts a new run).
    retries_used = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} → {self.endpoint_id}"


class WebhookAttempt(TenantScopedModel):
    """One HTTP try of a delivery, kept for the delivery log."""

    wagtail_reference_index_ignore = True  # a record, not content: see above

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    success = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"


class InboundEvent(models.Model):
    """An event Dr. Green (or its relay) sent us: platform-level, one row per event id.

    The unique event id is what makes duplicate deliveries harmless. It has no tenant
    foreign key on purpose: the tenant is only known after the payload was checked, and
    the dedupe must work across tenants.
    """

    class Status(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"

    event_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=64)
    api_key_fingerprint = models.CharField(max_length=64, blank=True)
    tenant_slug = models.CharField(max_length=63, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices)
    detail = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
