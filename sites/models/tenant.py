from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction

from sites.validators import validate_country_code, validate_tenant_slug


def tenant_cache_keys(slug: str | None, custom_domain: str | None) -> list[str]:
    keys = []
    if slug:
        keys.append(f"tenant:slug:{slug}")
    if custom_domain:
        keys.append(f"tenant:domain:{custom_domain}")
    return keys


class Tenant(models.Model):
    """A dispensary: one Wagtail Site, one page tree, one media collection."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        # Exported and waiting out the grace period before deletion; closed like a suspension.
        OFFBOARDING = "offboarding", "Offboarding"

    slug = models.SlugField(max_length=63, unique=True, validators=[validate_tenant_slug])
    name = models.CharField(max_length=200)
    country_code = models.CharField(
        max_length=2,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 code of the country the dispensary serves.",
    )
    custom_domain = models.CharField(
        max_length=253,
        unique=True,
        null=True,
        blank=True,
        help_text="Optional own hostname, e.g. shop.healingbuds.co.uk.",
    )
    custom_domain_token = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Value of the TXT record _budstack-challenge.<domain> that proves the domain is theirs.",
    )
    custom_domain_verified_at = models.DateTimeField(
        null=True, blank=True, help_text="Only a verified custom domain routes to the storefront."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    theme = models.ForeignKey(
        "themes.Theme", on_delete=models.PROTECT, related_name="tenants", help_text="The storefront's theme."
    )
    previous_theme = models.ForeignKey(
        "themes.Theme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Kept for one-click rollback.",
    )
    plan = models.ForeignKey(
        "billing.Plan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tenants",
        help_text="What the dispensary pays for and may use; empty means no plan limits (internal tenants).",
    )
    site = models.OneToOneField("wagtailcore.Site", on_delete=models.PROTECT, related_name="tenant")
    collection = models.OneToOneField(
        "wagtailcore.Collection", on_delete=models.PROTECT, related_name="tenant"
    )
    offboarding_started_at = models.DateTimeField(null=True, blank=True)
    delete_after = models.DateTimeField(
        null=True, blank=True, help_text="An offboarding tenant is deleted after this moment."
    )
    export_file = models.CharField(
        max_length=255, blank=True, default="", help_text="Name of the data export in private storage."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(custom_domain__isnull=True) | ~models.Q(custom_domain=""),
                name="tenant_custom_domain_not_blank",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.custom_domain is not None:
            self.custom_domain = self.custom_domain.strip().lower().rstrip(".") or None
        old_domain = getattr(self, "_cache_identity", (None, None))[1]
        if self.custom_domain != old_domain and self.pk is not None:
            # A new name must be proven again before it routes (see sites.domains).
            self.custom_domain_verified_at = None
            self.custom_domain_token = ""
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "custom_domain_verified_at",
                    "custom_domain_token",
                }
        super().save(*args, **kwargs)
        self._invalidate_cache()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._invalidate_cache()
        return result

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._cache_identity = (instance.__dict__.get("slug"), instance.__dict__.get("custom_domain"))
        return instance

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def custom_domain_verified(self) -> bool:
        return bool(self.custom_domain and self.custom_domain_verified_at)

    @property
    def root_page(self):
        return self.site.root_page

    @property
    def primary_hostname(self) -> str:
        if self.custom_domain_verified:
            return self.custom_domain
        return f"{self.slug}.{settings.BUDSTACK_DOMAIN}"

    def _invalidate_cache(self) -> None:
        old_slug, old_domain = getattr(self, "_cache_identity", (None, None))
        keys = tenant_cache_keys(self.slug, self.custom_domain) + tenant_cache_keys(old_slug, old_domain)
        cache.delete_many(keys)
        # A concurrent request may re-cache the old row before this transaction commits.
        transaction.on_commit(lambda: cache.delete_many(keys))
        self._cache_identity = (self.slug, self.custom_domain)
