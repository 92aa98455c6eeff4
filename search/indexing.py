"""Keeping ``SearchDocument`` rows in step with pages and products.

Pages are indexed when they go live (publish, or a save of a live page) and removed when
unpublished or deleted; products are indexed when saved or synced and removed when
deleted. Signals catch every path (admin, API, scheduler, scripts); bulk writes that skip
signals (``QuerySet.update``, the benchmark's bulk inserts) are covered by
:func:`reindex_tenant` (``rebuild_search_index``) and by the query-time checks in
:mod:`search.engine`, which never trust the index about visibility.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils.html import strip_tags

from wagtail.models import Page
from wagtail.search import index
from wagtail.signals import page_published, page_unpublished, post_page_move

from pages.caching import bump_content_version
from search.language import regconfig_for
from search.models import SearchDocument
from sites.context import tenant_scope

# Page fields that summarise (weight B); other searchable fields are body text (C).
SUMMARY_FIELDS = frozenset({"search_description", "intro", "summary", "symptoms"})
BODY_LIMIT = 60_000  # characters: far more than a page says; keeps tsvector well under its 1 MB cap


def _plain(text: str) -> str:
    # The highlighter's sentinels must only ever come from ts_headline (search.engine).
    return " ".join((text or "").replace("\ue000", " ").replace("\ue001", " ").split())


def _clean(text: str) -> str:
    return _plain(html.unescape(strip_tags(text or "")))


def _field_text(page: Page, name: str) -> str:
    value = getattr(page, name, "")
    try:
        model_field = page._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    if model_field is not None and hasattr(model_field, "get_searchable_content"):
        return _clean(" ".join(str(part) for part in model_field.get_searchable_content(value)))
    if callable(value):
        value = value()
    return _clean(str(value or ""))


def page_kind(page: Page) -> str:
    from pages.models import ArticlePage, ConditionPage

    if isinstance(page, ArticlePage):
        return SearchDocument.Kind.ARTICLE
    if isinstance(page, ConditionPage):
        return SearchDocument.Kind.CONDITION
    return SearchDocument.Kind.PAGE


def page_fields(page: Page) -> dict:
    summary: list[str] = [_clean(page.search_description)]
    body: list[str] = []
    for field in type(page).get_search_fields():
        if not isinstance(field, index.SearchField) or field.field_name in ("title", "search_description"):
            continue
        text = _field_text(page, field.field_name)
        (summary if field.field_name in SUMMARY_FIELDS else body).append(text)
    return {
        "kind": page_kind(page),
        "title": page.title[:255],
        "slug": page.slug[:255],
        "summary": " ".join(filter(None, summary)),
        "body": " ".join(filter(None, body))[:BODY_LIMIT],
    }


def product_fields(product) -> dict:
    summary = " ".join(
        filter(
            None,
            [product.get_strain_type_display(), product.get_form_display(), product.terpenes, product.sku],
        )
    )
    return {
        "kind": SearchDocument.Kind.PRODUCT,
        "title": product.name[:255],
        "slug": product.slug[:255],
        "summary": summary,
        # Plain text, not HTML: kept as written (escaped when shown), only spaces collapsed.
        "body": _plain(product.description)[:BODY_LIMIT],
    }


def _vector(config: str) -> SearchVector:
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def _write(tenant, source: str, rows: dict[int, dict]) -> None:
    """Upsert ``rows`` (object id -> fields) and refresh their vectors, for one tenant."""
    if not rows:
        return
    docs = [
        SearchDocument(tenant=tenant, source=source, object_id=pk, **fields) for pk, fields in rows.items()
    ]
    SearchDocument.all_tenants.bulk_create(
        docs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["tenant", "source", "object_id"],
        update_fields=["kind", "title", "slug", "summary", "body", "updated_at"],
    )
    if connection.vendor == "postgresql":
        SearchDocument.all_tenants.filter(tenant=tenant, source=source, object_id__in=list(rows)).update(
            vector=_vector(regconfig_for(tenant))
        )


def _remove(tenant_id: int, source: str, ids: Iterable[int]) -> None:
    from sites.models import Tenant

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return
    with tenant_scope(tenant):
        SearchDocument.all_tenants.filter(tenant=tenant, source=source, object_id__in=list(ids)).delete()


def _page_tenant(page: Page):
    from pages.cache_signals import tenant_id_of_page
    from sites.models import Tenant

    tenant_id = tenant_id_of_page(page)
    return Tenant.objects.filter(pk=tenant_id).first() if tenant_id else None


def index_page(page: Page) -> None:
    """Index a live page (or drop a page that is no longer live)."""
    tenant = _page_tenant(page)
    if tenant is None:
        return
    page = page.specific
    with tenant_scope(tenant):
        if page.live:
            _write(tenant, SearchDocument.Source.PAGE, {page.pk: page_fields(page)})
        else:
            SearchDocument.all_tenants.filter(
                tenant=tenant, source=SearchDocument.Source.PAGE, object_id=page.pk
            ).delete()


def index_products(tenant, products: Iterable) -> None:
    with tenant_scope(tenant):
        _write(tenant, SearchDocument.Source.PRODUCT, {p.pk: product_fields(p) for p in products})


def reindex_tenant(tenant, progress: Callable[[int, int], None] | None = None, chunk: int = 200) -> int:
    """Rebuild ``tenant``'s documents from its live pages and its products; returns the count."""
    from commerce.models import Product

    with tenant_scope(tenant):
        root = tenant.site.root_page
        page_ids = list(Page.objects.live().descendant_of(root, inclusive=True).values_list("pk", flat=True))
        product_ids = list(Product.all_tenants.filter(tenant=tenant).values_list("pk", flat=True))
        total, done = len(page_ids) + len(product_ids), 0
        SearchDocument.all_tenants.filter(tenant=tenant, source=SearchDocument.Source.PAGE).exclude(
            object_id__in=page_ids
        ).delete()
        SearchDocument.all_tenants.filter(tenant=tenant, source=SearchDocument.Source.PRODUCT).exclude(
            object_id__in=product_ids
        ).delete()
        for start in range(0, len(page_ids), chunk):
            pages = Page.objects.filter(pk__in=page_ids[start : start + chunk]).specific()
            _write(tenant, SearchDocument.Source.PAGE, {p.pk: page_fields(p) for p in pages})
            done += len(pages)
            if progress:
                progress(done, total)
        for start in range(0, len(product_ids), chunk * 5):
            products = Product.all_tenants.filter(pk__in=product_ids[start : start + chunk * 5])
            _write(tenant, SearchDocument.Source.PRODUCT, {p.pk: product_fields(p) for p in products})
            done += len(products)
            if progress:
                progress(done, total)
    # Kept result pages (search.engine) were found in the old index.
    bump_content_version(tenant.pk)
    return total


# Signal receivers ---------------------------------------------------------------------


def _page_published(sender, instance, **kwargs) -> None:
    index_page(instance)


def _page_unpublished(sender, instance, **kwargs) -> None:
    tenant = _page_tenant(instance)
    if tenant is not None:
        _remove(tenant.pk, SearchDocument.Source.PAGE, [instance.pk])


def _page_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    # Pages created live by code (provisioning, scripts, tests) and live pages saved
    # without a new revision; a draft save of a live page leaves the live fields alone.
    if raw or not isinstance(instance, Page) or not instance.live or not instance.path:
        return
    if instance.depth <= 1:
        return
    index_page(instance)


def _page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page) and instance.path:
        tenant = _page_tenant(instance)
        if tenant is not None:
            _remove(tenant.pk, SearchDocument.Source.PAGE, [instance.pk])


def _product_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.tenant_id is None:
        return
    index_products(instance.tenant, [instance])


def _product_deleted(sender, instance, **kwargs) -> None:
    _remove(instance.tenant_id, SearchDocument.Source.PRODUCT, [instance.pk])


def connect() -> None:
    from commerce.models import Product

    page_published.connect(_page_published, dispatch_uid="budstack_search_published")
    page_unpublished.connect(_page_unpublished, dispatch_uid="budstack_search_unpublished")
    post_page_move.connect(_page_published, dispatch_uid="budstack_search_moved")
    post_save.connect(_page_saved, dispatch_uid="budstack_search_page_saved")
    post_delete.connect(_page_deleted, dispatch_uid="budstack_search_page_deleted")
    post_save.connect(_product_saved, sender=Product, dispatch_uid="budstack_search_product_saved")
    post_delete.connect(_product_deleted, sender=Product, dispatch_uid="budstack_search_product_deleted")
