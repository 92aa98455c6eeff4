"""Support tickets: a dispensary's questions to the platform, and the thread of answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sites.models import TenantScopedModel


class Ticket(TenantScopedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"  # waiting for the platform
        ANSWERED = "answered", "Answered"  # waiting for the dispensary
        CLOSED = "closed", "Closed"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class Category(models.TextChoices):
        TECHNICAL = "technical", "Technical problem"
        BILLING = "billing", "Billing and plans"
        ACCOUNT = "account", "Accounts and access"
        COMPLIANCE = "compliance", "KYC and compliance"
        FEATURE = "feature", "Feature request"
        OTHER = "other", "Other"

    subject = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.TECHNICAL)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "status"], name="ticket_tenant_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class TicketMessage(TenantScopedModel):
    """One message of a ticket's thread; the first one is the ticket's body."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # Kept when the author's account goes: "Platform support" or the staff member's name.
    author_label = models.CharField(max_length=255, blank=True)
    from_platform = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.body[:40]}"
