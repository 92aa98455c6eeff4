from __future__ import annotations

from itertools import groupby

from django.db import models
from django.utils.functional import SimpleLazyObject

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from pages.blocks import BodyBlock
from pages.routing import public

from .base import StorefrontPage


class ConditionsIndexPage(StorefrontPage):
    intro = RichTextField(blank=True)

    content_panels = StorefrontPage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ConditionPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "conditions library"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        conditions = public(ConditionPage.objects.child_of(self).live()).order_by("title")
        query = request.GET.get("q", "").strip()[:100]
        if query:
            conditions = conditions.filter(
                models.Q(title__icontains=query)
                | models.Q(summary__icontains=query)
                | models.Q(symptoms__icontains=query)
            )
        context["query"] = query
        context["conditions"] = conditions
        # Lazy: read only when the {% fragment %} around the list is not cached.
        context["alphabet"] = SimpleLazyObject(
            lambda: [
                (letter, list(items))
                for letter, items in groupby(conditions, key=lambda c: c.title[:1].upper())
            ]
        )
        return context


class ConditionPage(StorefrontPage):
    class Evidence(models.TextChoices):
        STRONG = "strong", "Strong: several good-quality trials"
        MODERATE = "moderate", "Moderate: some trials, mixed results"
        LIMITED = "limited", "Limited: small studies and observational data"
        EMERGING = "emerging", "Emerging: early research only"

    summary = models.TextField(help_text="One or two sentences shown in lists and search results.")
    symptoms = models.TextField(blank=True, help_text="One symptom per line.")
    evidence_level = models.CharField(max_length=16, choices=Evidence.choices, default=Evidence.LIMITED)
    evidence_notes = RichTextField(blank=True, features=["bold", "italic", "link", "ul"])
    body = StreamField(BodyBlock(), blank=True)
    related_products = ParentalManyToManyField(
        "commerce.Product",
        blank=True,
        related_name="+",
        help_text="Only products sold in your country appear.",
    )

    content_panels = StorefrontPage.content_panels + [
        FieldPanel("summary"),
        FieldPanel("symptoms"),
        MultiFieldPanel([FieldPanel("evidence_level"), FieldPanel("evidence_notes")], heading="Evidence"),
        FieldPanel("body"),
        FieldPanel("related_products"),
    ]
    search_fields = StorefrontPage.search_fields + [
        index.SearchField("summary"),
        index.SearchField("symptoms"),
        index.SearchField("body"),
    ]
    parent_page_types = ["pages.ConditionsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "condition"

    def symptom_list(self) -> list[str]:
        return [line.strip() for line in self.symptoms.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        from pages.models.storefront_settings import StorefrontSettings

        from .wire import ArticlePage

        context = super().get_context(request, *args, **kwargs)
        from commerce.catalog import products_for_request

        # Lazy: read only when the {% fragment %} around them is not cached.
        context["related_products"] = SimpleLazyObject(
            lambda: list(products_for_request(request).filter(pk__in=self.related_products.values("pk")))
        )
        context["related_articles"] = SimpleLazyObject(
            lambda: list(public(ArticlePage.objects.live()).filter(conditions=self).order_by("-date")[:3])
        )
        context["disclaimer"] = StorefrontSettings.for_tenant(request.tenant).medical_disclaimer
        return context

    def structured_data(self, request):
        return {
            "@context": "https://schema.org",
            "@type": "MedicalCondition",
            "name": self.title,
            "description": self.summary,
            "url": self.canonical_url(request.tenant),
        }
