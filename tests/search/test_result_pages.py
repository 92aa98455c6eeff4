"""Result pages kept under the tenant's content version (search.engine.run_search)."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from commerce.models import Product
from search.models import SearchDocument, SearchQueryLog
from sites.context import tenant_scope
from tests.search.test_search import article, page, product, titles

pytestmark = pytest.mark.django_db


def test_a_repeated_search_is_answered_from_the_kept_page_until_the_store_changes(
    client, tenant_a, tenant_b, settings
):
    settings.FRAGMENT_CACHE_SECONDS = 300
    product(tenant_a, "Myrcene Mango", description="Sweet and calming.")
    product(tenant_b, "Myrcene Bravo", description="Only sold at Bravo.")
    assert titles(page(client, tenant_a, "myrcene")) == ["Myrcene Mango"]

    with CaptureQueriesContext(connection) as queries:
        again = page(client, tenant_a, "Myrcene")  # same words, other case: same kept page
    assert titles(again) == ["Myrcene Mango"] and "“Myrcene”" in again
    ranked = [q["sql"] for q in queries.captured_queries if 'FROM "search_searchdocument"' in q["sql"]]
    assert ranked == [], "a kept page of results is not searched again"
    # The other store asking the same question gets its own answer, never the kept one.
    assert titles(page(client, tenant_b, "myrcene")) == ["Myrcene Bravo"]

    product(tenant_a, "Myrcene Melon")  # a change to the store: the kept pages are dropped
    assert sorted(titles(page(client, tenant_a, "myrcene"))) == ["Myrcene Mango", "Myrcene Melon"]
    with tenant_scope(tenant_a):
        Product.objects.filter(name="Myrcene Mango").update(is_published=False)
        Product.objects.get(name="Myrcene Mango").save()  # as the admin saves it
    assert titles(page(client, tenant_a, "myrcene")) == ["Myrcene Melon"]
    # The log still counts every search, kept or not.
    with tenant_scope(tenant_a):
        assert SearchQueryLog.objects.get(query="myrcene").count == 4


def test_a_rebuilt_index_is_searched_at_once(client, tenant_a, settings):
    settings.FRAGMENT_CACHE_SECONDS = 300
    article(tenant_a, "Terpene Primer", intro="Myrcene and limonene explained.")
    with tenant_scope(tenant_a):
        SearchDocument.objects.all().delete()  # an index lost behind the store's back
    assert "Nothing matches" in page(client, tenant_a, "limonene")  # and that answer is kept
    call_command("rebuild_search_index", tenant=["alpha"], quiet=True)
    assert titles(page(client, tenant_a, "limonene")) == ["Terpene Primer"]
