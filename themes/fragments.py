"""``{% fragment %}``: parts of a storefront page rendered once per content version.

A page's header, lists and body change only when the tenant publishes, edits its menu,
branding or products, or changes theme: all of which bump the tenant's content version
(:mod:`pages.caching`). A fragment is cached under that version, so it is never served
stale after such a change and needs no invalidation of its own. Unlike the full-page
cache it also serves signed-in visitors, so only markup that is the same for everyone
may go inside: no CSRF token, no CSP nonce, nothing about the user.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django import template
from django.conf import settings
from django.http import HttpResponse
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe

from pages.caching import tenant_key
from pages.versioned_cache import versioned_cache
from themes.context import active_theme


class FragmentNode(template.Node):
    def __init__(self, nodelist, name: template.base.FilterExpression, vary: list, unless) -> None:
        self.nodelist, self.name, self.vary, self.unless = nodelist, name, vary, unless

    def render(self, context) -> SafeString:
        request = context.get("request")
        tenant = getattr(request, "tenant", None)
        seconds = settings.FRAGMENT_CACHE_SECONDS
        if (
            tenant is None
            or seconds <= 0
            # A preview shows a draft: it must neither be served from nor go into the cache.
            or getattr(request, "is_preview", False)
            or (self.unless is not None and self.unless.resolve(context))
        ):
            return self.nodelist.render(context)
        key = fragment_key(request, str(self.name.resolve(context)), [v.resolve(context) for v in self.vary])
        html = versioned_cache.get_or_set(key, lambda: str(self.nodelist.render(context)), seconds)
        return mark_safe(html)  # noqa: S308 - our own rendered (and escaped) template output


def fragment_key(request, name: str, vary: list) -> str:
    """The fragment's key: tenant and content version, theme, how the store was reached,
    and the two things about the visitor that page content may depend on: which products
    they may see (a patient's country gates the catalog and product teasers) and whether
    they accepted embedded videos."""
    from commerce.catalog import shopper_country
    from pages.page_cache import consent_state

    theme = active_theme()
    where = "|".join(
        [
            f"{getattr(theme, 'pk', '')}@{getattr(theme, 'version', '')}",
            str(request.tenant_url_style),
            request.get_host(),
            get_script_prefix(),
            consent_state(request),
            shopper_country(request),
            *map(str, vary),
        ]
    )
    return tenant_key(request.tenant.pk, "fragment", name, hashlib.sha256(where.encode()).hexdigest()[:32])


def kept_count(request, name: str, vary: list, queryset) -> int:
    """``queryset.count()`` kept like a fragment: the total a listing paginates over.

    A listing kept in a fragment runs no query of its own, but its paginator still counts
    the rows on every request to check the page number; the count changes only with the
    content version, like the listing. ``vary`` must name everything the queryset depends
    on beyond the tenant, theme, host and shopper's country.
    """
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0 or getattr(request, "tenant", None) is None or getattr(request, "is_preview", False):
        return queryset.count()
    return versioned_cache.get_or_set(fragment_key(request, name, vary), queryset.count, seconds)


def cached_response(request, name: str, vary: list, build: Callable[[], HttpResponse]) -> HttpResponse:
    """``build()``'s answer, kept like a fragment: for whole documents such as feeds and sitemaps."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0 or getattr(request, "tenant", None) is None:
        return build()
    key = fragment_key(request, name, vary)
    stored = versioned_cache.get(key)
    if stored is not None:
        from pages.page_cache import response_from

        return response_from(*stored)
    response = build()
    if hasattr(response, "render"):
        response.render()
    if response.status_code == 200 and not response.streaming and not response.cookies:
        headers = {
            h: response[h]
            for h in ("Content-Type", "Last-Modified", "X-Robots-Tag")
            if response.has_header(h)
        }
        versioned_cache.set(key, (response.content, headers), seconds)
    return response


def do_fragment(parser, token) -> FragmentNode:
    """``{% fragment "name" [vary ...] [unless <expression>] %}...{% endfragment %}``."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% fragment %} needs a name")
    unless = None
    if len(bits) >= 2 and bits[-2] == "unless":
        unless = parser.compile_filter(bits[-1])
        bits = bits[:-2]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist, parser.compile_filter(bits[0]), [parser.compile_filter(b) for b in bits[1:]], unless
    )
