"""What every storefront page shares: SEO fields, canonical URL, structured data."""

from __future__ import annotations

import json

from django.db import models

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page, PageViewRestriction

from sites.urls_helpers import tenant_absolute_url

# JSON-LD sits inside a <script> element, where "</script>" in any string value (a title
# an editor typed, a product name from the supplier) would end the element and start
# markup. "<", ">" and "&" only ever occur inside JSON strings, so escaping them as
# unicode escapes keeps the data identical for parsers and inert for the HTML parser.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_ld(data: dict) -> str:
    """Serialise structured data for a ``<script type="application/ld+json">`` element."""
    return json.dumps(data).translate(_SCRIPT_ESCAPES)


class StorefrontPage(Page):
    """Abstract base of the storefront's page types."""

    og_image = models.ForeignKey(
        "media.TenantImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="social sharing image",
        help_text="Shown when the page is shared (OpenGraph); 1200×630 works best.",
    )

    promote_panels = [
        MultiFieldPanel(Page.promote_panels, heading="Search and menus"),
        FieldPanel("og_image"),
    ]
    is_creatable = False
    og_type = "website"

    class Meta:
        abstract = True

    def tenant_path(self, tenant=None) -> str:
        """The page's path below its tenant's root, e.g. ``/conditions/insomnia/``.

        With the tenant at hand (cached with its site and root page), no query is needed:
        lists, feeds and sitemaps call this once per page.
        """
        root = tenant.site.root_page if tenant is not None else None
        if root is None or not self.path.startswith(root.path):
            root = self.get_site().root_page
        return "/" + self.url_path[len(root.url_path) :]

    def canonical_url(self, tenant) -> str:
        return tenant_absolute_url(tenant, self.tenant_path(tenant))

    def get_sitemap_urls(self, request=None):
        tenant = getattr(request, "tenant", None)
        if tenant is None:
            return super().get_sitemap_urls(request)
        return [
            {
                "location": self.canonical_url(tenant),
                "lastmod": self.last_published_at or self.latest_revision_created_at,
            }
        ]

    def get_view_restrictions(self):
        # Asked on every page view (Wagtail's before-serve hook): most tenants have no
        # private pages at all, and knowing that is cached per content version.
        from pages.routing import has_view_restrictions
        from sites.context import get_current_tenant

        tenant = get_current_tenant()
        ours = tenant is not None and self.path.startswith(tenant.site.root_page.path)
        if ours and not has_view_restrictions(tenant):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def structured_data(self, request) -> dict | None:
        """JSON-LD for the page, or None."""
        return None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["canonical_url"] = self.canonical_url(tenant)
            data = self.structured_data(request)
            context["structured_data"] = json_ld(data) if data else ""
        return context
