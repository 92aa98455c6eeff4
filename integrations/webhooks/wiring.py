"""Where existing features announce events, until they call ``emit_event`` themselves.

``page.published`` and ``product.updated`` come from signals: Wagtail publishes from many
places (the editor, scheduled publishing, workflows, bulk actions) and ``page_published``
is the one point they share; a product is saved by the admin, the Dr. Green sync and
scripts, and ``post_save`` is the point they share (bulk ``QuerySet.update()`` calls send
no signal: their callers announce the products themselves, see
:func:`announce_products`). Stock taken by an order is announced by ``order.created``,
not once per product. The features that own the other events call ``emit_event``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from wagtail.models import Page

from integrations.events import emit_event

if TYPE_CHECKING:
    from sites.models import Tenant

logger = logging.getLogger("budstack.webhooks")


def tenant_for_page(page: Page) -> Tenant | None:
    """The tenant whose tree holds ``page`` (its site's root page is an ancestor or itself)."""
    from sites.models import Tenant

    steplen = Page.steplen
    ancestors = [page.path[:end] for end in range(steplen, len(page.path) + 1, steplen)]
    return Tenant.objects.select_related("site").filter(site__root_page__path__in=ancestors).first()


def page_data(page: Page) -> dict[str, Any]:
    try:
        url = page.get_full_url()
    except Exception:  # a page without a routable site still gets announced
        url = None
    return {
        "page": {
            "id": page.pk,
            "title": page.title,
            "slug": page.slug,
            "type": page.specific_class._meta.label_lower if page.specific_class else "",
            "url": url,
            "first_published_at": page.first_published_at,
            "last_published_at": page.last_published_at,
        }
    }


def on_page_published(sender, instance: Page, **kwargs: Any) -> None:
    tenant = tenant_for_page(instance)
    if tenant is None:
        return  # platform pages (the tree root, the landing page) have no tenant to tell
    emit_event(tenant, "page.published", page_data(instance))


def product_data(product, *, created: bool = False) -> dict[str, Any]:
    return {
        "product": {
            "id": product.pk,
            "sku": product.sku,
            "name": product.name,
            "slug": product.slug,
            "price": str(product.price),
            "currency": product.currency,
            "stock": product.stock,
            "is_published": product.is_published,
            "available_countries": product.available_countries.split(),
            "drgreen_strain_id": product.drgreen_strain_id or None,
        },
        "created": created,
    }


def on_product_saved(sender, instance, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return  # fixtures being loaded: nothing happened to announce
    emit_event(instance.tenant, "product.updated", product_data(instance, created=created))


def announce_products(tenant: Tenant, products) -> None:
    """``product.updated`` for products changed by ``QuerySet.update()`` (no signal)."""
    for product in products:
        emit_event(tenant, "product.updated", product_data(product))


def connect() -> None:
    from django.db.models.signals import post_save

    from wagtail.signals import page_published

    from commerce.models import Product

    page_published.connect(on_page_published, dispatch_uid="webhooks.page_published")
    post_save.connect(on_product_saved, sender=Product, dispatch_uid="webhooks.product_updated")
