"""The benchmark dataset generator: bulk-inserted pages form a sound tree; reruns add nothing."""

from __future__ import annotations

import json
from io import StringIO

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


def test_growing_the_dataset_adds_only_the_missing_tenants():
    call_command("generate_bench_data", tenants=1, products=3, articles=2, conditions=1, no_index=True)
    with platform_scope("first tenant"):
        first = Tenant.objects.get(slug="bench-000")
        first_products = set(Product.all_tenants.filter(tenant=first).values_list("pk", flat=True))
    call_command("generate_bench_data", tenants=3, products=3, articles=2, conditions=1, no_index=True)
    assert counts() == (3, 9, 6, 3)
    with platform_scope("tenants after growth"):
        assert Tenant.objects.get(slug="bench-000").pk == first.pk
        assert set(Product.all_tenants.filter(tenant=first).values_list("pk", flat=True)) == first_products
        assert list(
            Tenant.objects.filter(slug__startswith="bench-").order_by("slug").values_list("slug", flat=True)
        ) == [
            "bench-000",
            "bench-001",
            "bench-002",
        ]


def _prepare(**options) -> dict:
    out = StringIO()
    call_command("prepare_bench_checkout", tenant="bench-000", stdout=out, **options)
    return json.loads(out.getvalue())


def test_checkout_buyers_are_verified_patients_signed_in_with_one_contested_unit_in_their_cart(client):
    from commerce.models import CartItem, Order
    from kyc.models import PatientProfile
    from sites.models import User

    call_command("generate_bench_data", tenants=1, products=2, articles=1, conditions=1, no_index=True)
    race = _prepare(buyers=3, stock=2)
    assert race["stock"] == 2 and len(race["buyers"]) == 3

    def state():
        with platform_scope("bench checkout state"):
            tenant = Tenant.objects.get(slug="bench-000")
            buyers = User.all_tenants.filter(tenant=tenant, email__startswith="bench-buyer-")
            return (
                buyers.count(),
                PatientProfile.all_tenants.filter(user__in=buyers, kyc_status="VERIFIED").count(),
                sorted(CartItem.all_tenants.filter(user__in=buyers).values_list("product_id", "quantity")),
                Product.all_tenants.get(pk=race["product_id"]).stock,
            )

    assert state() == (3, 3, [(race["product_id"], 1)] * 3, 2)

    # The session the driver sends is a signed-in patient past the age check, cart included.
    client.cookies[race["session_cookie"]] = race["buyers"][0]["session"]
    page = client.get("/store/bench-000/checkout/")
    assert page.status_code == 200 and "Bench Last Batch" in page.content.decode()
    address = {"name": "Bench Buyer", "line1": "1 Bench Street", "line2": "", "city": "London",
               "postcode": "N1 9GU", "country": "GB", "step": "place", "idempotency_key": "round-1"}  # fmt: skip
    placed = client.post("/store/bench-000/checkout/", address)
    assert placed.status_code == 302 and "/checkout/done/" in placed["Location"]
    assert state() == (3, 3, [(race["product_id"], 1)] * 2, 1)

    # A rerun (the next round) adds nobody and resets stock and carts; sessions still work.
    again = _prepare(buyers=3, stock=2)
    assert again["product_id"] == race["product_id"]
    assert state() == (3, 3, [(race["product_id"], 1)] * 3, 2)
    client.cookies[race["session_cookie"]] = again["buyers"][0]["session"]
    assert client.get("/store/bench-000/checkout/").status_code == 200
    with platform_scope("orders"):
        assert Order.all_tenants.filter(lines__product_id=race["product_id"]).count() == 1
