"""A patient's verification state at the dispensary and at Dr. Green."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sites.models import TenantScopedModel


class KycStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    VERIFIED = "VERIFIED", "Verified"
    REJECTED = "REJECTED", "Rejected"


class PatientProfile(TenantScopedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_profile"
    )
    # The approval (CONTRACT.md: PENDING, VERIFIED, REJECTED); only kyc.status changes it.
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.PENDING)
    kyc_verified = models.BooleanField(
        default=False, help_text="Identity verified by the KYC provider (or confirmed by staff)."
    )
    rejection_reason = models.TextField(blank=True)
    drgreen_client_id = models.CharField(max_length=64, blank=True)
    kyc_link = models.URLField(blank=True)
    # Prescribed monthly allowance in grams of flower equivalent over a rolling 30 days;
    # empty means none set yet, and checkout refuses until staff set one.
    monthly_allowance_grams = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Grams of flower equivalent a patient may order over a rolling 30 days.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Registration with Dr. Green, retried in the background while the supplier is away.
    registration_attempts = models.PositiveSmallIntegerField(default=0)
    registration_error = models.CharField(max_length=255, blank=True)
    next_registration_at = models.DateTimeField(null=True, blank=True)
    needs_attention = models.BooleanField(
        default=False, help_text="Background work gave up; staff should look at this patient."
    )
    # Polling Dr. Green for KYC and approval changes, with backoff.
    poll_failures = models.PositiveSmallIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "patient"

    def __str__(self) -> str:
        return f"{self.user} ({self.get_kyc_status_display()})"

    @property
    def is_verified(self) -> bool:
        return self.kyc_status == KycStatus.VERIFIED

    @property
    def may_order(self) -> bool:
        return self.is_verified and self.kyc_verified

    @property
    def is_registered(self) -> bool:
        return bool(self.drgreen_client_id)
