"""Products and the catalog page (regional gating)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.shortcuts import get_object_or_404

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from pages.models.base import StorefrontPage, json_ld
from sites.models import TenantScopedModel, TenantScopedQuerySet
from sites.models.scoped import TenantScopedManager
from sites.urls_helpers import tenant_absolute_url


class ProductQuerySet(TenantScopedQuerySet):
    def published(self) -> ProductQuerySet:
        return self.filter(is_published=True)

    def available_in(self, country_code: str) -> ProductQuerySet:
        """Products that may be shown and sold in ``country_code`` (ISO alpha-2)."""
        return self.filter(available_countries__contains=country_code)


class ProductManager(TenantScopedManager.from_queryset(ProductQuerySet)):
    pass


class Product(TenantScopedModel):
    class StrainType(models.TextChoices):
        INDICA = "indica", "Indica"
        SATIVA = "sativa", "Sativa"
        HYBRID = "hybrid", "Hybrid"
        CBD = "cbd", "CBD-dominant"

    class Form(models.TextChoices):
        FLOWER = "flower", "Flower"
        OIL = "oil", "Oil"
        CAPSULE = "capsule", "Capsule"
        VAPE = "vape", "Vape"
        EDIBLE = "edible", "Edible"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    sku = models.CharField("SKU", max_length=64)
    strain_type = models.CharField(max_length=16, choices=StrainType.choices)
    form = models.CharField(max_length=16, choices=Form.choices, default=Form.FLOWER)
    thc_percent = models.DecimalField("THC %", max_digits=5, decimal_places=2, default=Decimal("0"))
    cbd_percent = models.DecimalField("CBD %", max_digits=5, decimal_places=2, default=Decimal("0"))
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="GBP")
    stock = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    # Space-separated ISO alpha-2 codes, e.g. "GB PT"; the model grows with commerce.
    available_countries = models.CharField(max_length=255, blank=True)
    is_published = models.BooleanField(default=True)

    objects = ProductManager()
    all_tenants = models.Manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "sku"], name="product_sku_unique_per_tenant"),
            models.UniqueConstraint(fields=["tenant", "slug"], name="product_slug_unique_per_tenant"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_available_in(self, country_code: str) -> bool:
        return country_code in self.available_countries.split()


class CatalogPage(RoutablePageMixin, StorefrontPage):
    """The product catalog: only products available in the tenant's country are shown."""

    intro = RichTextField(blank=True)

    content_panels = StorefrontPage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    def visible_products(self, request):
        return Product.objects.published().available_in(request.tenant.country_code)

    @path("")
    def index(self, request):
        return self.render(request, context_overrides={"products": self.visible_products(request)})

    @path("<slug:product_slug>/")
    def product(self, request, product_slug):
        product = get_object_or_404(self.visible_products(request), slug=product_slug)
        canonical = tenant_absolute_url(request.tenant, f"{self.tenant_path()}{product.slug}/")
        data = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": product.name,
            "sku": product.sku,
            "description": product.description,
            "url": canonical,
            "offers": {
                "@type": "Offer",
                "price": str(product.price),
                "priceCurrency": product.currency,
                "availability": "https://schema.org/" + ("InStock" if product.stock else "OutOfStock"),
            },
        }
        return self.render(
            request,
            template="commerce/product_detail.html",
            context_overrides={
                "product": product,
                "canonical_url": canonical,
                "structured_data": json_ld(data),
            },
        )
