from __future__ import annotations

from django.db import models
from django.utils.functional import SimpleLazyObject

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable

from pages.blocks import BodyBlock, TrustNoticeBlock
from pages.routing import public

from .base import StorefrontPage

FEATURED_PRODUCTS = 4


class HomePage(StorefrontPage):
    """A dispensary's storefront home; the root page of its Wagtail Site."""

    hero_title = models.CharField(max_length=200, blank=True)
    hero_text = models.TextField(blank=True)
    hero_image = models.ForeignKey(
        "media.TenantImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_cta_label = models.CharField(max_length=60, default="Start your consultation")
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    featured_products = ParentalManyToManyField(
        "commerce.Product",
        blank=True,
        related_name="+",
        help_text="Products not sold in your country are never shown.",
    )
    trust_notices = StreamField([("notice", TrustNoticeBlock())], blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = StorefrontPage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_label"),
                PageChooserPanel("hero_cta_page"),
            ],
            heading="Hero",
        ),
        FieldPanel("featured_products"),
        InlinePanel("featured_conditions", label="Featured conditions", max_num=6),
        FieldPanel("trust_notices"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.AboutPage",
        "pages.ContactPage",
        "pages.ConditionsIndexPage",
        "pages.WireIndexPage",
        "pages.TraceabilityPage",
        "commerce.CatalogPage",
        "kyc.ConsultationPage",
    ]

    class Meta:
        verbose_name = "storefront home"

    def shown_products(self, tenant):
        from commerce.catalog import sellable_products

        gated = sellable_products(tenant)
        chosen = gated.filter(pk__in=self.featured_products.values("pk"))
        return list(chosen[:FEATURED_PRODUCTS]) or list(gated.order_by("-pk")[:FEATURED_PRODUCTS])

    def get_context(self, request, *args, **kwargs):
        from .wire import ArticlePage

        context = super().get_context(request, *args, **kwargs)
        context["latest_articles"] = public(ArticlePage.objects.live().descendant_of(self)).order_by(
            "-date", "-pk"
        )[:3]
        # Lazy: read only when the {% fragment %} around them is not cached.
        tenant = getattr(request, "tenant", None)
        context["featured_products"] = SimpleLazyObject(lambda: self.shown_products(tenant) if tenant else [])
        context["featured_conditions"] = SimpleLazyObject(
            lambda: [
                item.condition
                for item in self.featured_conditions.select_related("condition")
                if item.condition.live
            ]
        )
        return context

    def structured_data(self, request):
        return {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": request.tenant.name,
            "url": self.canonical_url(request.tenant),
        }


class HomeFeaturedCondition(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_conditions")
    condition = models.ForeignKey("pages.ConditionPage", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("condition", "pages.ConditionPage")]
