"""Upsert a tenant's products from the Dr. Green catalog.

The strains the supplier sells in the tenant's country become products: new ones are
created, known ones (matched on the Dr. Green id) updated, and synced products that
disappeared from the supplier's list are unpublished (never deleted: orders refer to
them). Prices are the supplier's fixed price in the tenant's currency, never converted;
a strain without one is skipped.

Safe to run concurrently and again: the catalog is fetched first, then written in one
transaction holding a per-tenant PostgreSQL advisory lock, and a unique constraint on
(tenant, Dr. Green id) backs the upsert.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

import pycountry

from billing.limits import count_products, limit_of
from commerce.models import Product
from integrations.drgreen.credentials import client_for_tenant
from integrations.drgreen.types import Strain
from integrations.webhooks.wiring import announce_products

CURRENCIES = {"GB": "GBP", "PT": "EUR", "ZA": "ZAR", "TH": "THB"}
_TYPES = {"indica": "indica", "sativa": "sativa", "hybrid": "hybrid"}


@dataclass
class SyncSummary:
    tenant: str
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unpublished: int = 0
    skipped: list[str] = field(default_factory=list)
    # New strains not added because the plan's product limit was reached.
    not_added: int = 0
    limit_message: str = ""
    room: int | None = None  # products the plan still allows (None: unlimited)

    def __str__(self) -> str:
        text = (
            f"{self.tenant}: {self.fetched} strains, {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.unpublished} unpublished"
        )
        if self.skipped:
            text += f", {len(self.skipped)} skipped ({'; '.join(self.skipped[:5])})"
        if self.not_added:
            text += f", {self.not_added} new not added ({self.limit_message})"
        return text


def _alpha2(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code.upper())
    return country.alpha_2 if country else ""


def _advisory_lock(tenant) -> None:
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"budstack.sync_drgreen.{tenant.pk}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _fields(strain: Strain, country: str, currency: str) -> dict | None:
    price = strain.price_in(currency)
    if price is None:
        return None
    location = strain.location(country)
    stock = location.stock_quantity if location else (strain.stock_quantity or Decimal(0))
    countries = [_alpha2(loc.country_code) for loc in strain.locations if loc.is_active and loc.is_available]
    cbd_heavy = (strain.cbd or 0) > (strain.thc or 0)
    return {
        "name": strain.name[:200],
        "strain_type": "cbd" if cbd_heavy else _TYPES.get(strain.type.lower(), "hybrid"),
        "form": Product.Form.FLOWER,
        "thc_percent": (strain.thc or Decimal(0)).quantize(Decimal("0.01")),
        "cbd_percent": (strain.cbd or Decimal(0)).quantize(Decimal("0.01")),
        "terpenes": ", ".join(strain.flavour)[:255],
        "price": price.retail_price.quantize(Decimal("0.01")),
        "currency": currency,
        # One unit is one gram, the supplier's unit of sale.
        "stock": int(max(stock, Decimal(0)).to_integral_value(ROUND_FLOOR)),
        "description": strain.description,
        "image_url": (strain.images[0].url if strain.images else strain.image_url)[:200],
        "available_countries": " ".join(c for c in countries if c),
        "is_published": strain.is_active and strain.is_available,
    }


def _free_slug(name: str, strain_id: str) -> str:
    base = slugify(name)[:180] or "product"
    if not Product.objects.filter(slug=base).exclude(drgreen_strain_id=strain_id).exists():
        return base
    return f"{base}-{slugify(strain_id)[:12]}"


def sync_tenant(tenant, progress: Callable[[int, int], None] | None = None) -> SyncSummary:
    """Upsert ``tenant``'s products from Dr. Green (call inside the tenant's scope)."""
    country = tenant.country_code
    currency = CURRENCIES.get(country, "EUR")
    with client_for_tenant(tenant) as client:
        strains = list(client.iter_strains(country, take=50))
    summary = SyncSummary(tenant=tenant.slug, fetched=len(strains))
    now = timezone.now()
    with transaction.atomic():
        _advisory_lock(tenant)
        limit = limit_of(tenant, "products")
        if limit is not None:
            summary.room = max(limit - count_products(tenant), 0)
        seen: set[str] = set()
        for done, strain in enumerate(strains, start=1):
            seen.add(strain.id)
            values = _fields(strain, country, currency)
            if values is None:
                summary.skipped.append(f"{strain.name}: no {currency} price")
            else:
                _upsert(tenant, strain.id, values, now, summary)
            if progress:
                progress(done, len(strains))
        gone = Product.objects.filter(tenant=tenant, is_published=True).exclude(drgreen_strain_id="")
        gone = gone.exclude(drgreen_strain_id__in=seen)
        withdrawn = list(gone.values_list("pk", flat=True))
        summary.unpublished = gone.update(is_published=False, drgreen_synced_at=now)
        announce_products(tenant, Product.objects.filter(pk__in=withdrawn).order_by("pk"))
    if summary.unpublished:
        # QuerySet.update sends no signals: cached catalog and search pages must not go on
        # listing the withdrawn products (search itself re-checks publication per query).
        from pages.caching import bump_content_version

        bump_content_version(tenant.pk)
    return summary


def _upsert(tenant, strain_id: str, values: dict, now, summary: SyncSummary) -> None:
    product = Product.objects.filter(tenant=tenant, drgreen_strain_id=strain_id).first()
    if product is None:
        if summary.room is not None:
            if summary.room <= 0:
                # Stop adding, keep updating: the plan is full, the sync is not an error.
                summary.not_added += 1
                summary.limit_message = (
                    f"the {tenant.plan.name} plan allows {limit_of(tenant, 'products')} products"
                )
                return
            summary.room -= 1
        Product.objects.create(
            tenant=tenant,
            drgreen_strain_id=strain_id,
            drgreen_synced_at=now,
            sku=f"DG-{strain_id}"[:64],
            slug=_free_slug(values["name"], strain_id),
            unit_weight_grams=Decimal("1"),
            flower_equivalent_grams=Decimal("1"),
            **values,
        )
        summary.created += 1
        return
    changed = {k: v for k, v in values.items() if getattr(product, k) != v}
    if not changed:
        summary.unchanged += 1
        return
    for key, value in changed.items():
        setattr(product, key, value)
    product.drgreen_synced_at = now
    product.save()
    summary.updated += 1
