"""Every storefront page costs a fixed number of SQL queries, however big the tenant grows.

Each page is fetched twice, warm (the first request fills the tenant, settings and menu
caches, as a running site would have them): once with N articles, conditions, products
and tenants, once with 3N. The counts must be equal (no N+1) and within the page's budget.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from commerce.models import Product
from pages.models import ArticleCategory, ArticlePage, ConditionPage, ConditionsIndexPage, WireIndexPage
from sites.context import tenant_scope

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Queries per warm anonymous request, on PostgreSQL (SAVEPOINTs and set_config for RLS included).
BUDGETS = {
    "home": 12,
    "about": 10,
    "contact": 10,
    "conditions index": 11,
    "condition": 14,
    "wire index": 13,
    "article": 16,
    "wire feed": 11,
    "catalog": 11,  # paginated: a COUNT, then the page of products
    "product": 10,
    "search": 8,
    "sitemap": 17,
}
URLS = {
    "home": "/",
    "about": "/about/",
    "contact": "/contact/",
    "conditions index": "/conditions/",
    "condition": "/conditions/condition-0/",
    "wire index": "/the-wire/",
    "article": "/the-wire/article-0/",
    "wire feed": "/the-wire/feed/",
    "catalog": "/products/",
    "product": "/products/product-0/",
    "search": "/search/?q=article",
    "sitemap": "/sitemap.xml",
}


def _grow(tenant, start: int, stop: int) -> None:
    """Articles, conditions and products number start..stop-1, all cross-linked."""
    root = tenant.site.root_page
    wire = WireIndexPage.objects.child_of(root).get()
    conditions = ConditionsIndexPage.objects.child_of(root).get()
    with tenant_scope(tenant):
        category, _ = ArticleCategory.objects.get_or_create(slug="research", defaults={"name": "Research"})
        for i in range(start, stop):
            product = Product.objects.create(
                name=f"Product {i}", slug=f"product-{i}", sku=f"SKU-{i}", strain_type="hybrid",
                price=10 + i, available_countries="GB PT", stock=5,
            )  # fmt: skip
            condition = conditions.add_child(
                instance=ConditionPage(
                    title=f"Condition {i}", slug=f"condition-{i}", summary=f"About condition {i}.",
                    symptoms="Pain\nFatigue",
                )
            )  # fmt: skip
            condition.related_products.add(product)
            condition.save_revision().publish()
            article = ArticlePage(
                title=f"Article {i}", slug=f"article-{i}", intro=f"Article number {i}.", category=category,
                date=timezone.localdate() - timedelta(days=i), author_name="Dr. Budget",
            )  # fmt: skip
            wire.add_child(instance=article)
            article.tags.add(f"tag-{i}", "common")
            article.conditions.add(condition)
            article.save_revision().publish()
        home = root.specific
        home.featured_products.set(Product.objects.all()[:4])
        home.save_revision().publish()


def _queries(client, prefix: str, url: str) -> list[str]:
    client.get(prefix + url)  # warm: tenant, settings, menu and theme caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(prefix + url)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def _shape(sql: str) -> str:
    return re.sub(r"\d+", "N", sql)


@pytest.fixture
def measured(client, tenant_a, make_tenant):
    """Per page, the queries of one request at N and at 3N items and tenants."""
    n = 3
    _grow(tenant_a, 0, n)
    make_tenant("charlie")
    small = {name: _queries(client, "/store/alpha", url) for name, url in URLS.items()}
    _grow(tenant_a, n, 3 * n)
    make_tenant("delta")
    make_tenant("echo")
    large = {name: _queries(client, "/store/alpha", url) for name, url in URLS.items()}
    return small, large


def test_no_page_costs_more_queries_as_the_tenant_grows(measured):
    small, large = measured
    grew = {
        name: (
            len(small[name]),
            len(large[name]),
            sorted({_shape(q) for q in large[name]} - {_shape(q) for q in small[name]}),
        )
        for name in URLS
        if len(large[name]) != len(small[name])
    }
    assert not grew, grew


def test_every_page_stays_within_its_query_budget(measured):
    _, large = measured
    over = {name: len(large[name]) for name in URLS if len(large[name]) > BUDGETS[name]}
    details = "\n\n".join(f"{name}:\n" + "\n".join(large[name]) for name in over)
    counts = {name: len(queries) for name, queries in large.items()}
    assert not over, f"{counts}\n{details}"


# Production renders the header, footer and each page's main content as fragments kept per
# content version (themes/fragments.py) and routes known paths without a query
# (pages/routing.py): a warm request then pays the tenant scope (SAVEPOINT, set_config,
# RELEASE) and what must stay live: pagination counts, search, the product's stock.
WARM_BUDGETS = {
    "home": 4,  # the scope's four statements and nothing else
    "about": 5,  # the gallery (around the page body, not in a fragment)
    "contact": 5,  # the form's fields
    "conditions index": 4,
    "condition": 4,
    "wire index": 4,  # the pagination count is kept too (themes.fragments.kept_count)
    "article": 4,
    "wire feed": 4,
    "catalog": 4,  # the pagination count is kept too
    "product": 5,  # the product with its live stock
    "search": 5,  # the query log upsert; the page of results is kept (search.engine)
    "sitemap": 4,
}


def test_warm_pages_with_fragments_cost_only_what_stays_live(client, tenant_a, settings):
    settings.FRAGMENT_CACHE_SECONDS = 300
    _grow(tenant_a, 0, 3)
    measured = {name: _queries(client, "/store/alpha", url) for name, url in URLS.items()}
    counts = {name: len(queries) for name, queries in measured.items()}
    over = {name: count for name, count in counts.items() if count > WARM_BUDGETS[name]}
    details = "\n\n".join(f"{name}:\n" + "\n".join(measured[name]) for name in over)
    assert not over, f"{counts}\n{details}"
