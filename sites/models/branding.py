from django.core.validators import RegexValidator
from django.db import models

from .scoped import TenantScopedModel

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour such as #1f6f4a.")


class Branding(TenantScopedModel):
    """What makes a white-label storefront the dispensary's own."""

    tagline = models.CharField(max_length=200, blank=True)
    # Empty colours fall back to the theme's design tokens.
    primary_colour = models.CharField(max_length=7, blank=True, validators=[hex_colour])
    accent_colour = models.CharField(max_length=7, blank=True, validators=[hex_colour])
    logo = models.ForeignKey(
        "media.TenantImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    support_email = models.EmailField(blank=True)

    class Meta:
        verbose_name_plural = "branding"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="branding_one_per_tenant")]

    def __str__(self) -> str:
        return f"Branding of {self.tenant}"
