"""What makes a tenant's cached pages, menu and branding stale.

Signals rather than explicit calls: pages are published from the admin, the API, the
scheduler and scripts, and the menu and branding from admin forms; a receiver catches all
of them. Updates that bypass signals (``QuerySet.update``, ``bulk_update``) are bounded by
``PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from pages.caching import bump_content_version


def tenant_id_of_page(page: Page) -> int | None:
    """The tenant whose site contains ``page``: its root is one of the page's ancestors."""
    from sites.models import Tenant

    prefixes = [page.path[: Page.steplen * depth] for depth in range(1, len(page.path) // Page.steplen + 1)]
    site = Site.objects.filter(root_page__path__in=prefixes).order_by("-root_page__depth").first()
    if site is None:
        return None
    return Tenant.objects.filter(site=site).values_list("pk", flat=True).first()


def _page_changed(sender, instance, **kwargs) -> None:
    bump_content_version(tenant_id_of_page(instance))


def _page_saved_or_deleted(sender, instance, **kwargs) -> None:
    # A live page saved without a new revision (title, menu flag set by code) shows at once.
    if isinstance(instance, Page) and instance.live and instance.path:
        bump_content_version(tenant_id_of_page(instance))


def _tenant_object_changed(sender, instance, **kwargs) -> None:
    bump_content_version(getattr(instance, "tenant_id", None))


def _menu_item_changed(sender, instance, **kwargs) -> None:
    from pages.models import NavigationMenu

    tenant_id = (
        NavigationMenu.all_tenants.filter(pk=instance.menu_id).values_list("tenant_id", flat=True).first()
    )
    bump_content_version(tenant_id)


def _view_restriction_changed(sender, instance, **kwargs) -> None:
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        bump_content_version(tenant_id_of_page(page))


def _tenant_changed(sender, instance, **kwargs) -> None:
    bump_content_version(instance.pk)


def connect() -> None:
    from commerce.models import Product
    from pages.models import (
        ArticleCategory,
        NavigationMenu,
        NavigationMenuItem,
        StorefrontSettings,
    )
    from sites.models import Branding, Tenant

    page_published.connect(_page_changed, dispatch_uid="budstack_cache_published")
    page_unpublished.connect(_page_changed, dispatch_uid="budstack_cache_unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="budstack_cache_moved")
    post_delete.connect(_page_saved_or_deleted, dispatch_uid="budstack_cache_page_deleted")
    post_save.connect(_page_saved_or_deleted, dispatch_uid="budstack_cache_page_saved")
    for model in (Branding, StorefrontSettings, NavigationMenu, Product, ArticleCategory):
        uid = f"budstack_cache_{model._meta.label_lower}"
        post_save.connect(_tenant_object_changed, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(_tenant_object_changed, sender=model, dispatch_uid=f"{uid}_deleted")
    post_save.connect(_menu_item_changed, sender=NavigationMenuItem, dispatch_uid="budstack_cache_menu_item")
    post_delete.connect(
        _menu_item_changed, sender=NavigationMenuItem, dispatch_uid="budstack_cache_menu_item_deleted"
    )
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        uid = f"budstack_cache_restriction_{name}"
        signal.connect(_view_restriction_changed, sender=PageViewRestriction, dispatch_uid=uid)
    post_save.connect(_tenant_changed, sender=Tenant, dispatch_uid="budstack_cache_tenant")
