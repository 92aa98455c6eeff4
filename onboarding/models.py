"""Applications of dispensaries that want a storefront: platform data, not a tenant's."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sites.validators import validate_country_code, validate_tenant_slug

# What an applicant fills in: the public form, the API and the admin's review show these.
APPLICATION_FIELDS = [
    "business_name",
    "slug",
    "country_code",
    "contact_name",
    "contact_email",
    "contact_phone",
    "licence_number",
    "plan",
    "theme",
]


class TenantApplication(models.Model):
    """One application from the public form or ``POST /api/v1/onboarding``.

    Approval provisions a tenant (``onboarding.services.approve``); until then the slug is
    held: no second pending application, and no tenant, may take it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    business_name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=63,
        validators=[validate_tenant_slug],
        help_text="Becomes the storefront's address: <slug>.<platform domain> and /store/<slug>/.",
    )
    country_code = models.CharField(max_length=2, validators=[validate_country_code])
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(max_length=254)
    contact_phone = models.CharField(max_length=40)
    licence_number = models.CharField(max_length=100)
    plan = models.ForeignKey("billing.Plan", on_delete=models.PROTECT, related_name="applications")
    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Not named "tenant": an application is not tenant-owned data (no RLS, no scoping).
    provisioned_tenant = models.OneToOneField(
        "tenancy.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            # The database, not a check-then-insert, keeps two pending applications apart.
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(status="pending"),
                name="onboarding_one_pending_application_per_slug",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_name} ({self.slug})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
