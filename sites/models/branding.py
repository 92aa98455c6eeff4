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
    secondary_colour = models.CharField(max_length=7, blank=True, validators=[hex_colour])
    font_pairing = models.CharField(
        max_length=16,
        choices=[
            ("theme", "As the theme sets it"),
            ("serif", "Serif"),
            ("sans", "Sans-serif"),
            ("rounded", "Rounded"),
        ],
        default="theme",
    )
    favicon = models.ForeignKey(
        "media.TenantImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    footer_text = models.TextField(blank=True)
    support_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    instagram_url = models.URLField(blank=True)
    facebook_url = models.URLField(blank=True)
    x_url = models.URLField("X (Twitter) URL", blank=True)
    linkedin_url = models.URLField("LinkedIn URL", blank=True)

    class Meta:
        verbose_name_plural = "branding"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="branding_one_per_tenant")]

    def __str__(self) -> str:
        return f"Branding of {self.tenant}"

    FONT_STACKS = {
        "serif": "Georgia, 'Times New Roman', serif",
        "sans": "'Helvetica Neue', Arial, sans-serif",
        "rounded": "'Trebuchet MS', Verdana, sans-serif",
    }

    def font_stack(self) -> str:
        return self.FONT_STACKS.get(self.font_pairing, "")

    def social_links(self) -> list[tuple[str, str]]:
        links = [("Instagram", self.instagram_url), ("Facebook", self.facebook_url), ("X", self.x_url),
                 ("LinkedIn", self.linkedin_url)]  # fmt: skip
        return [(label, url) for label, url in links if url]
