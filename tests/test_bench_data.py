"""The benchmark dataset generator: bulk-inserted pages form a sound tree; reruns add nothing."""

from __future__ import annotations

from django.core.management import call_command

from wagtail.models import Page

import pytest

from commerce.models import Product
from pages.models import ArticlePage, ConditionPage
from sites.context import platform_scope
from sites.models import Tenant

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    with platform_scope("count bench data"):
        return (
            Tenant.objects.filter(slug__startswith="bench-").count(),
            Product.all_tenants.filter(sku__startswith="BENCH-").count(),
            ArticlePage.objects.filter(slug__startswith="bench-article-").count(),
            ConditionPage.objects.filter(slug__startswith="bench-condition-").count(),
        )


def test_generated_pages_are_a_sound_tree_served_live_and_a_rerun_adds_nothing(client):
    call_command("generate_bench_data", tenants=2, products=5, articles=4, conditions=2, no_index=False)
    assert counts() == (2, 10, 8, 4)
    problems = Page.find_problems()
    assert all(not found for found in problems), problems

    article = client.get("/store/bench-001/the-wire/bench-article-3/")
    assert article.status_code == 200 and b"Bench Author" in article.content
    wire = client.get("/store/bench-001/the-wire/")
    assert wire.content.count(b"/the-wire/bench-article-") == 4
    assert client.get("/store/bench-000/conditions/bench-condition-1/").status_code == 200
    found = client.get("/store/bench-000/search/?q=clinic")
    assert found.status_code == 200 and b"bench-article-" in found.content

    call_command("generate_bench_data", tenants=2, products=5, articles=4, conditions=2)
    assert counts() == (2, 10, 8, 4)
    call_command("generate_bench_data", tenants=2, products=6, articles=5, conditions=2)
    assert counts() == (2, 12, 10, 4)
    assert all(not found for found in Page.find_problems())
