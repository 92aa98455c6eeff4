"""A large, repeatable dataset for `make bench`: tenants, products and Wire articles.

Idempotent: tenants are ``bench-000``, ``bench-001``...; each run only adds what is
missing, so running it again (or with bigger numbers) is cheap. Products go in with
``bulk_create``; articles are Wagtail pages, so their tree paths are computed here
(treebeard's materialised paths) and inserted in batches, base rows then child rows,
instead of one ``add_child`` (a dozen queries) per page.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from commerce.models import Product
from pages.bench_text import words
from pages.models import ArticleCategory, ArticlePage, ConditionPage, ConditionsIndexPage, WireIndexPage
from search.indexing import reindex_tenant
from sites.context import platform_scope
from sites.models import Tenant
from sites.provisioning import TenantSpec, provision_tenant

THEMES = ("sage", "clinic", "nocturne")
STRAINS = [choice for choice, _ in Product.StrainType.choices]
FORMS = [choice for choice, _ in Product.Form.choices]
CATEGORIES = ("Research", "Patient stories", "Policy", "Clinic news")
BATCH = 500


class Progress:
    """A one-line progress bar on stderr (the table of results goes to stdout)."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.done, self.started = max(total, 1), label, 0, time.monotonic()

    def advance(self, note: str = "") -> None:
        self.done += 1
        width = 30
        filled = width * self.done // self.total
        elapsed = time.monotonic() - self.started
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
            f"{elapsed:5.0f}s {note:<24}"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class Command(BaseCommand):
    help = "Generate the benchmark dataset (idempotent): tenants x products x articles."

    def add_arguments(self, parser):
        parser.add_argument("--tenants", type=int, default=50)
        parser.add_argument("--products", type=int, default=1000, help="per tenant")
        parser.add_argument("--articles", type=int, default=200, help="per tenant")
        parser.add_argument("--conditions", type=int, default=20, help="per tenant")
        parser.add_argument("--no-index", action="store_true", help="skip the search index of new articles")

    def handle(
        self, *args, tenants: int, products: int, articles: int, conditions: int, no_index: bool, **options
    ):
        started = time.monotonic()
        progress = Progress(tenants, "bench data")
        made = {"tenants": 0, "products": 0, "articles": 0}
        for number in range(tenants):
            slug = f"bench-{number:03d}"
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                spec = TenantSpec(
                    slug, f"Bench Dispensary {number}", "GB", THEMES[number % 3], f"owner@{slug}.test"
                )
                tenant = provision_tenant(spec).tenant
                made["tenants"] += 1
            with platform_scope(f"bench data for {slug}"), transaction.atomic():
                new_products = self._products(tenant, products)
                made["products"] += new_products
                new_articles = self._articles(tenant, articles)
                self._conditions(tenant, conditions)
                made["articles"] += len(new_articles)
            if new_articles and not no_index:
                # Wagtail's index serves the admin's search.
                with platform_scope(f"index bench articles of {slug}"):
                    get_search_backend().add_bulk(
                        ArticlePage, ArticlePage.objects.filter(pk__in=new_articles)
                    )
            if (new_articles or new_products) and not no_index:
                # Bulk inserts skip the signals that keep the storefront's search index in step.
                reindex_tenant(tenant)
            progress.advance(slug)
        self.stdout.write(
            f"Bench data ready in {time.monotonic() - started:.0f}s: added {made['tenants']} tenants, "
            f"{made['products']} products, {made['articles']} articles "
            f"(target {tenants} x {products} products x {articles} articles)."
        )

    def _products(self, tenant: Tenant, target: int) -> int:
        existing = set(Product.all_tenants.filter(tenant=tenant).values_list("sku", flat=True))
        new = [
            Product(
                tenant=tenant,
                name=f"{words(i, 2).title()} {i}",
                slug=f"bench-product-{i}",
                sku=f"BENCH-{i:05d}",
                strain_type=STRAINS[i % len(STRAINS)],
                form=FORMS[i % len(FORMS)],
                thc_percent=Decimal(i % 28),
                cbd_percent=Decimal(i % 13),
                price=Decimal(20 + i % 180),
                stock=i % 50,
                description=words(i, 30),
                # One in ten is not sold in the tenant's country: gating has work to do.
                available_countries="PT" if i % 10 == 9 else "GB PT",
            )
            for i in range(target)
            if f"BENCH-{i:05d}" not in existing
        ]
        Product.all_tenants.bulk_create(new, batch_size=BATCH)
        return len(new)

    def _articles(self, tenant: Tenant, target: int) -> list[int]:
        wire = WireIndexPage.objects.child_of(tenant.site.root_page).first()
        if wire is None:
            return []
        existing = set(
            ArticlePage.objects.child_of(wire)
            .filter(slug__startswith="bench-article-")
            .values_list("slug", flat=True)
        )
        missing = [i for i in range(target) if f"bench-article-{i}" not in existing]
        if not missing:
            return []
        categories = [
            ArticleCategory.all_tenants.get_or_create(
                tenant=tenant, slug=name.lower().replace(" ", "-"), defaults={"name": name}
            )[0]
            for name in CATEGORIES
        ]
        titles = {i: f"{words(i, 4).capitalize()} ({i})" for i in missing}
        pages, ids = _bulk_pages(wire, ArticlePage, [(f"bench-article-{i}", titles[i]) for i in missing])
        today = timezone.localdate()
        children = [
            ArticlePage(
                page_ptr_id=ids[page.path],
                date=today - timedelta(days=i % 720),
                author_name="Bench Author",
                intro=words(i, 25),
                category=categories[i % len(categories)],
                body=[("paragraph", f"<p>{words(i, 120)}</p>")],
            )
            for page, i in zip(pages, missing, strict=True)
        ]
        fields = ArticlePage._meta.local_concrete_fields
        for start in range(0, len(children), BATCH):
            ArticlePage._base_manager._insert(children[start : start + BATCH], fields=fields, raw=True)
        return list(ids.values())

    def _conditions(self, tenant: Tenant, target: int) -> None:
        index = ConditionsIndexPage.objects.child_of(tenant.site.root_page).first()
        if index is None:
            return
        existing = set(ConditionPage.objects.child_of(index).values_list("slug", flat=True))
        missing = [i for i in range(target) if f"bench-condition-{i}" not in existing]
        if not missing:
            return
        items = [(f"bench-condition-{i}", f"{words(i + 3, 2).capitalize()} {i}") for i in missing]
        pages, ids = _bulk_pages(index, ConditionPage, items)
        children = [
            ConditionPage(
                page_ptr_id=ids[page.path], summary=words(i, 20), symptoms="Pain\nPoor sleep\nFatigue",
                body=[("paragraph", f"<p>{words(i, 80)}</p>")],
            )
            for page, i in zip(pages, missing, strict=True)
        ]  # fmt: skip
        ConditionPage._base_manager._insert(
            children, fields=ConditionPage._meta.local_concrete_fields, raw=True
        )


def _bulk_pages(parent: Page, model, items: list[tuple[str, str]]) -> tuple[list[Page], dict[str, int]]:
    """Live base Page rows for ``model`` below ``parent`` (slug, title): paths computed here."""
    content_type = ContentType.objects.get_for_model(model)
    now = timezone.now()
    last = parent.get_last_child()
    step = Page._str2int(last.path[-Page.steplen :]) if last else 0
    pages = [
        Page(
            title=title, draft_title=title, slug=slug,
            path=Page._get_path(parent.path, parent.depth + 1, step + offset), depth=parent.depth + 1,
            numchild=0, url_path=f"{parent.url_path}{slug}/", content_type=content_type,
            locale_id=parent.locale_id, live=True, has_unpublished_changes=False,
            first_published_at=now, last_published_at=now, show_in_menus=False,
        )
        for offset, (slug, title) in enumerate(items, start=1)
    ]  # fmt: skip
    Page.objects.bulk_create(pages, batch_size=BATCH)
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + len(pages))
    ids = dict(Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "pk"))
    return pages, ids
