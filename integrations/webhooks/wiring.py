"""Where existing features announce events, until they call ``emit_event`` themselves.

Only ``page.published`` needs a signal: Wagtail publishes from many places (the editor,
scheduled publishing, workflows, bulk actions) and ``page_published`` is the one point
they share. The features that own later events call ``emit_event`` directly.
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


def connect() -> None:
    from wagtail.signals import page_published

    page_published.connect(on_page_published, dispatch_uid="webhooks.page_published")
