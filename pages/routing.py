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
    keys = {length: _route_key(tenant.pk, components[:length]) for length in range(len(components), -1, -1)}
    known = versioned_cache.get_many(keys.values())
    # (An entry that is not a page is one of another release: as good as none.)
    consumed, page = next(
        ((length, known[key]) for length, key in keys.items() if isinstance(known.get(key), Page)), (0, None)
    )
    walked_from_root = page is None
    if walked_from_root:
        page = root.specific
    try:
        result = page.route(request, components[consumed:])
    except Http404:
        result = None
    request._wagtail_route_for_request = result
    if result is not None:
        found = result[0]
        depth = found.depth - root.depth
        if depth > consumed or walked_from_root:
            _remember(_route_key(tenant.pk, components[:depth]), found)


def _remember(key: str, page: Page) -> None:
    # Without the parent Treebeard cached on the page during the walk: it would be pickled
    # along with it. The cache pickles on set, so the attribute can be put straight back.
    parent = page.__dict__.pop("_cached_parent_obj", None)
    try:
        versioned_cache.set(key, page, ROUTE_SECONDS)
    finally:
        if parent is not None:
            page._cached_parent_obj = parent


def has_view_restrictions(tenant) -> bool:
    """Whether any page of the tenant's site is private (password, login or groups)."""
    return versioned_cache.get_or_set(
        tenant_key(tenant.pk, "view-restrictions"),
        PageViewRestriction.objects.filter(page__path__startswith=tenant.site.root_page.path).exists,
        ROUTE_SECONDS,
    )


def public(pages: QuerySet) -> QuerySet:
    """``pages.public()``, without its query for every restriction when the tenant has none.

    For the current tenant's pages; outside a tenant scope it is Wagtail's ``public()``.
    """
    from sites.context import get_current_tenant

    tenant = get_current_tenant()
    return pages if tenant is not None and not has_view_restrictions(tenant) else pages.public()
