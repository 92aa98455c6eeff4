"""Page routing and view-restriction look-ups, cached per tenant and content version.

Wagtail finds a page by walking the URL one slug at a time: a query per level, plus one
to load the specific page at each level, plus two for view restrictions. An article
three levels down cost six queries before any of its content was read. The tree only
changes when the tenant's content version changes (publish, unpublish, move, delete),
so the walk's outcome is cached under that version: the (specific) page a path leads
to, ready to serve without a query. Only pages that exist are remembered (never the
slugs a visitor made up), so the cache holds at most one entry per page of the tenant.
"""

from __future__ import annotations

import pickle

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from wagtail.models import Page, PageViewRestriction

from pages.caching import tenant_key
from pages.versioned_cache import versioned_cache

ROUTE_SECONDS = 60 * 60
_NONE = "none"


def _route_key(tenant_id: int, components: list[str]) -> str:
    return tenant_key(tenant_id, "route", "/".join(components))


def route_for_request(request: HttpRequest, path: str) -> None:
    """Resolve ``path`` for the request's tenant, answering from the cache when possible.

    The result goes where Wagtail's own ``Page.route_for_request`` keeps it, so Wagtail's
    serve view (and anything else asking for the request's page) uses it unchanged.
    """
    tenant = request.tenant
    root = tenant.site.root_page
    components = [component for component in path.split("/") if component]
    # Longest known prefix first: /the-wire/ is known before any of its articles is.
    keys = [_route_key(tenant.pk, components[:length]) for length in range(len(components), -1, -1)]
    known = versioned_cache.get_many(keys)
    start, consumed = None, 0
    for length, key in zip(range(len(components), -1, -1), keys, strict=True):
        if key in known:
            start, consumed = known[key], length
            break
    if not isinstance(start, Page):  # nothing known (or an entry of another release)
        page, consumed, start = root.specific, 0, None
    else:
        page = start
    try:
        result = page.route(request, components[consumed:])
    except Http404:
        result = None
    request._wagtail_route_for_request = result
    if result is not None:
        found = result[0]
        depth = found.depth - root.depth
        if depth > consumed or start is None:
            versioned_cache.set(_route_key(tenant.pk, components[:depth]), _detached(found), ROUTE_SECONDS)


def _detached(page: Page) -> Page:
    """A copy to cache without the parent the walk attached to it (Treebeard's cache)."""
    copy = pickle.loads(pickle.dumps(page))  # noqa: S301 - our own object, just pickled
    copy.__dict__.pop("_cached_parent_obj", None)
    return copy


def has_view_restrictions(tenant) -> bool:
    """Whether any page of the tenant's site is private (password, login or groups)."""
    key = tenant_key(tenant.pk, "view-restrictions")
    found = versioned_cache.get(key)
    if found is None:
        root = tenant.site.root_page
        found = PageViewRestriction.objects.filter(page__path__startswith=root.path).exists()
        versioned_cache.set(key, found, ROUTE_SECONDS)
    return found


def public(pages: QuerySet) -> QuerySet:
    """``pages.public()``, without its query for every restriction when the tenant has none.

    For the current tenant's pages; outside a tenant scope it is Wagtail's ``public()``.
    """
    from sites.context import get_current_tenant

    tenant = get_current_tenant()
    return pages if tenant is not None and not has_view_restrictions(tenant) else pages.public()
