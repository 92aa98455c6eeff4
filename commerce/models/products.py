"""Products and the catalog page (regional gating)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from pages.models.base import StorefrontPage, json_ld
from sites.models import TenantScopedModel, TenantScopedQuerySet
from sites.models.scoped import TenantScopedManager
from sites.urls_helpers import tenant_absolute_url

_COUNTRY_SPLIT = re.compile(r"[\s,;]+")


def normalise_countries(value: str) -> str:
    """``"gb, pt"`` -> ``"GB PT"``: one canonical, space-separated spelling of the codes."""
    codes = [code.upper() for code in _COUNTRY_SPLIT.split(value or "") if code]
    return " ".join(dict.fromkeys(codes))


class ProductQuerySet(TenantScopedQuerySet):
    def published(self, at: datetime | None = None) -> ProductQuerySet:
        """Published and inside its publication window (scheduled publish/unpublish)."""
        at = at or timezone.now()
        return self.filter(
            Q(publish_at__isnull=True) | Q(publish_at__lte=at),
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=at),
            is_published=True,
        )

    def available_in(self, country_code: str) -> ProductQuerySet:
        """Products that may be shown and sold in ``country_code`` (ISO alpha-2).

        A whole-word match: "GB" must not match inside another code.
        """
        code = (country_code or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            return self.none()
        return self.filter(available_countries__regex=rf"(^|\s){code}(\s|$)")


class ProductManager(TenantScopedManager.from_queryset(ProductQuerySet)):
    pass


class PotencyUnit(models.TextChoices):
    PERCENT = "%", "% (of weight)"
    MG = "mg", "mg (per unit)"
    MG_ML = "mg/ml", "mg/ml"


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
    thc_percent = models.DecimalField("THC", max_digits=7, decimal_places=2, default=Decimal("0"))
    thc_unit = models.CharField(
        "THC unit", max_length=8, choices=PotencyUnit.choices, default=PotencyUnit.PERCENT
    )
    cbd_percent = models.DecimalField("CBD", max_digits=7, decimal_places=2, default=Decimal("0"))
    cbd_unit = models.CharField(
        "CBD unit", max_length=8, choices=PotencyUnit.choices, default=PotencyUnit.PERCENT
    )
    terpenes = models.CharField(
        max_length=255, blank=True, help_text="Comma-separated, e.g. “myrcene, limonene”."
    )
    unit_weight_grams = models.DecimalField(
        "unit weight (g)", max_digits=8, decimal_places=3, null=True, blank=True
    )
    unit_volume_ml = models.DecimalField(
        "unit volume (ml)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    flower_equivalent_grams = models.DecimalField(
        "flower equivalent (g per unit)",
        max_digits=8,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
        help_text="Grams of flower one unit counts as against a patient's prescribed allowance.",
    )
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="GBP")
    stock = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    image = models.ForeignKey(
        "media.TenantImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image_url = models.URLField(blank=True, help_text="The supplier's picture, used when no image is chosen.")
    coa_document = models.ForeignKey(
        "media.TenantDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="lab certificate (COA)",
    )
    # Space-separated ISO alpha-2 codes, e.g. "GB PT" (normalised on save).
    available_countries = models.CharField(max_length=255, blank=True)
    is_published = models.BooleanField(default=True)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="Shown from this moment (empty: now).")
    unpublish_at = models.DateTimeField(
        null=True, blank=True, help_text="Hidden from this moment (empty: never)."
    )
    drgreen_strain_id = models.CharField("Dr. Green product id", max_length=64, blank=True, editable=False)
    drgreen_synced_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ProductManager()
    all_tenants = models.Manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "sku"], name="product_sku_unique_per_tenant"),
            models.UniqueConstraint(fields=["tenant", "slug"], name="product_slug_unique_per_tenant"),
            models.UniqueConstraint(
                fields=["tenant", "drgreen_strain_id"],
                condition=~Q(drgreen_strain_id=""),
                name="product_drgreen_id_unique_per_tenant",
            ),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.available_countries = normalise_countries(self.available_countries)
        super().save(*args, **kwargs)

    def is_available_in(self, country_code: str) -> bool:
        return (country_code or "").upper() in self.available_countries.split()

    @property
    def thc_display(self) -> str:
        return f"{self.thc_percent.normalize():f} {self.thc_unit}".replace(" %", "%")

    @property
    def cbd_display(self) -> str:
        return f"{self.cbd_percent.normalize():f} {self.cbd_unit}".replace(" %", "%")

    @property
    def terpene_list(self) -> list[str]:
        return [t.strip() for t in self.terpenes.split(",") if t.strip()]

    @property
    def size_display(self) -> str:
        if self.unit_weight_grams:
            return f"{self.unit_weight_grams.normalize():f} g"
        if self.unit_volume_ml:
            return f"{self.unit_volume_ml.normalize():f} ml"
        return ""

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class CatalogPage(RoutablePageMixin, StorefrontPage):
    """The product catalog at ``/products/``: filters, sorting, pages, product details.

    Every product it lists or shows comes through ``commerce.catalog``, the one place
    that applies regional gating: a product not sold in the tenant's country (or the
    verified patient's) is neither listed nor reachable by its URL.
    """

    intro = RichTextField(blank=True)
    per_page = models.PositiveSmallIntegerField(default=12, validators=[MinValueValidator(1)])

    content_panels = StorefrontPage.content_panels + [FieldPanel("intro"), FieldPanel("per_page")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    def visible_products(self, request) -> ProductQuerySet:
        from commerce.catalog import products_for_request

        return products_for_request(request)

    @path("")
    def index(self, request):
        from commerce.catalog import CatalogFilterForm
        from themes.fragments import kept_count

        form = CatalogFilterForm(request.GET or None)
        products = form.apply(self.visible_products(request))
        vary = form.cache_vary()
        paginator = Paginator(products, self.per_page)
        if vary is not None:  # free numeric bounds: counted each time, like the listing
            paginator.__dict__["count"] = kept_count(request, "catalog-count", [self.pk, vary], products)
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return self.render(
            request,
            context_overrides={
                "products": page,
                "page_obj": page,
                "filter_form": form,
                "query_string": query.urlencode(),
                "catalog_vary": vary,
                "catalog_uncached": vary is None,
            },
        )

    @path("<slug:product_slug>/")
    def product(self, request, product_slug):
        product = get_object_or_404(self.visible_products(request), slug=product_slug)
        canonical = tenant_absolute_url(request.tenant, f"{self.tenant_path(request.tenant)}{product.slug}/")
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
