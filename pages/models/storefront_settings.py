"""Per-tenant storefront settings and navigation, edited by tenant admins."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from sites.models import TenantScopedModel

DEFAULT_DISCLAIMER = (
    "The information on this site is general and is not medical advice. Medical cannabis is "
    "only available on prescription; speak to a clinician about your treatment."
)


class StorefrontSettings(TenantScopedModel):
    age_gate_enabled = models.BooleanField(
        "ask visitors to confirm their age", default=False, help_text="Remembered for the visit."
    )
    minimum_age = models.PositiveSmallIntegerField(
        default=18, validators=[MinValueValidator(18), MaxValueValidator(25)]
    )
    age_gate_text = models.TextField(
        default="This site provides information about prescription medical cannabis. "
        "Please confirm your age to continue."
    )
    medical_disclaimer = models.TextField(default=DEFAULT_DISCLAIMER)

    panels = [
        MultiFieldPanel(
            [FieldPanel("age_gate_enabled"), FieldPanel("minimum_age"), FieldPanel("age_gate_text")],
            heading="Age check",
        ),
        FieldPanel("medical_disclaimer"),
    ]

    class Meta:
        verbose_name = "storefront settings"
        verbose_name_plural = "storefront settings"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="storefront_settings_one_per_tenant")]

    def __str__(self) -> str:
        return f"Storefront settings of {self.tenant}"

    @classmethod
    def for_tenant(cls, tenant) -> StorefrontSettings:
        """The tenant's settings (cached); defaults if none were saved yet."""
        from pages.caching import tenant_key
        from pages.versioned_cache import versioned_cache

        # Under the content version, which saving settings bumps (pages.cache_signals).
        return versioned_cache.get_or_set(
            tenant_key(tenant.pk, "storefront-settings"),
            lambda: cls.objects.filter(tenant=tenant).first() or cls(tenant=tenant),
            300,
        )


class NavigationMenu(TenantScopedModel, ClusterableModel):
    """The storefront's main menu; without items, the home page's menu pages are shown."""

    panels = [InlinePanel("items", label="Menu items")]

    class Meta:
        verbose_name = "navigation menu"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="navigation_menu_one_per_tenant")]

    def __str__(self) -> str:
        return f"Navigation of {self.tenant}"


class NavigationMenuItem(Orderable):
    menu = ParentalKey(NavigationMenu, on_delete=models.CASCADE, related_name="items")
    label = models.CharField(max_length=60)
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField("external link", blank=True)

    panels = [FieldPanel("label"), FieldPanel("page"), FieldPanel("url")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if bool(self.page_id) == bool(self.url):
            raise ValidationError("Choose a page or enter an external link (one of the two).")
