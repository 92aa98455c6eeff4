"""Plans: what a dispensary pays each month and what it may use for that."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from sites.models import TenantScopedModel


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


class Invoice(TenantScopedModel):
    """One month of a tenant's plan, billed: a snapshot of the plan's name and price.

    Issued once per tenant and period (a unique constraint, so a re-run of the monthly
    task creates nothing new); numbers are derived from the period and the tenant.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        OVERDUE = "overdue", "Overdue"
        VOID = "void", "Void"

    number = models.CharField(max_length=32, unique=True)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period, inclusive.")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices")
    plan_name = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-period_start", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period_start"], name="invoice_one_per_tenant_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="invoice_period_ordered"
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.OVERDUE)
