"""Plans: what a dispensary pays each month and what it may use for that."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models


class Plan(models.Model):
    """A platform-wide offer (Starter, Professional, Enterprise); editable by super admins.

    A limit left empty means "unlimited". Plans are platform data, not tenant data: every
    tenant may read them (the onboarding form lists them), only super admins change them.
    """

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    monthly_price = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, default="USD")
    description = models.TextField(blank=True)
    max_staff_users = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    max_patients = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    max_orders_per_month = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    max_products = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    max_storage_mb = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    allows_custom_domain = models.BooleanField(default=False)
    allows_api_access = models.BooleanField(default=False)
    allows_webhooks = models.BooleanField(default=False)
    allows_custom_themes = models.BooleanField(default=False)
    is_public = models.BooleanField(default=True, help_text="Offered on the onboarding form.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "monthly_price"]

    def __str__(self) -> str:
        return self.name
