"""{% fragment %}: page parts rendered once per content version, never stale, never personal."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest

from commerce.stock import give_back, take
from pages.models import ArticlePage, ConditionPage, ConditionsIndexPage, HomePage, WireIndexPage
from sites.context import tenant_scope
from tests.commerce.conftest import add_product, log_in, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 300


def _article(tenant, slug: str = "cbd-explained", title: str = "CBD explained") -> ArticlePage:
    wire = WireIndexPage.objects.child_of(tenant.site.root_page).get()
    page = ArticlePage(title=title, slug=slug, intro="What CBD does.", date="2026-11-30")
    wire.add_child(instance=page)
    page.save_revision().publish()
    return page


def _queries(client: Client, url: str) -> tuple[bytes, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content, len(captured)


def test_a_second_visit_renders_the_same_page_with_fewer_queries(client, tenant_a):
    _article(tenant_a)
    first, cold = _queries(client, "/store/alpha/the-wire/cbd-explained/")
    second, warm = _queries(client, "/store/alpha/the-wire/cbd-explained/")
    assert b"What CBD does." in second
    assert _strip_tokens(second) == _strip_tokens(first)
    assert warm < cold


def _strip_tokens(body: bytes) -> bytes:
    import re

    body = re.sub(rb'nonce="[^"]+"', b"", body)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_publishing_shows_at_once_in_every_cached_part(client, tenant_a):
    page = _article(tenant_a)
    for url in ("/store/alpha/", "/store/alpha/the-wire/", "/store/alpha/the-wire/cbd-explained/"):
        assert b"CBD explained" in client.get(url).content
    assert b"CBD explained" in client.get("/store/alpha/the-wire/feed/").content
    page.title = "CBD, explained again"
    page.save_revision().publish()
    for url in (
        "/store/alpha/",
        "/store/alpha/the-wire/",
        "/store/alpha/the-wire/cbd-explained/",
        "/store/alpha/the-wire/feed/",
    ):
        body = client.get(url).content
        assert b"CBD, explained again" in body, url
    sitemap = client.get("/store/alpha/sitemap.xml").content
    page.unpublish()
    assert b"cbd-explained" in sitemap
    assert b"cbd-explained" not in client.get("/store/alpha/sitemap.xml").content
    assert b"CBD, explained again" not in client.get("/store/alpha/the-wire/").content


def test_what_is_personal_stays_outside_the_cached_parts(client, tenant_a, make_user):
    _article(tenant_a)
    patient = make_patient(tenant_a, make_user)
    signed_in = Client()
    log_in(signed_in, tenant_a, patient)
    mine = signed_in.get("/store/alpha/the-wire/cbd-explained/").content
    theirs = client.get("/store/alpha/the-wire/cbd-explained/").content
    assert b"My account" in mine and b"Log out" in mine
    assert b"My account" not in theirs and b"Log in" in theirs
    assert b"What CBD does." in mine and b"What CBD does." in theirs


def test_tenants_and_access_styles_never_share_a_part(client, tenant_a, tenant_b):
    _article(tenant_a, title="Alpha news")
    _article(tenant_b, title="Bravo news")
    alpha = client.get("/store/alpha/the-wire/").content
    bravo = client.get("/store/bravo/the-wire/").content
    assert b"Alpha news" in alpha and b"Bravo news" not in alpha
    assert b"Bravo news" in bravo and b"Alpha news" not in bravo
    # The same list reached by subdomain links without the /store/alpha/ prefix.
    by_host = client.get("/the-wire/", HTTP_HOST="alpha.budstack.test").content
    assert b"Alpha news" in by_host
    assert b'href="/store/alpha/' not in by_host


def test_a_draft_seen_in_preview_never_reaches_visitors(client, tenant_a):
    home = HomePage.objects.get(pk=tenant_a.site.root_page.pk)
    host = tenant_a.site.hostname  # where the editor's preview request claims to come from
    draft = home.get_latest_revision_as_object()
    draft.hero_title = "Secret draft headline"
    preview = draft.make_preview_request()
    assert b"Secret draft headline" in preview.content
    live = client.get("/", HTTP_HOST=host)
    assert live.status_code == 200 and b"Secret draft headline" not in live.content
    # And the other way round: a cached live part does not hide the draft from the editor.
    assert b"Secret draft headline" in draft.make_preview_request().content


def test_selling_the_last_unit_shows_out_of_stock_at_once(client, tenant_a):
    product = add_product(tenant_a, "Last Kush", stock=1)
    in_stock, sold_out = b'<p class="stock">In stock</p>', b'<p class="stock">Out of stock</p>'
    assert in_stock in client.get("/store/alpha/products/").content
    with tenant_scope(tenant_a):
        take(product, 1)
    listing = client.get("/store/alpha/products/").content
    assert b"Last Kush" in listing and sold_out in listing and in_stock not in listing
    with tenant_scope(tenant_a):
        give_back(product.pk, 1)
    assert in_stock in client.get("/store/alpha/products/").content


def test_catalog_filters_are_each_answered_by_their_own_listing(client, tenant_a):
    add_product(tenant_a, "Strong Haze", thc_percent=25)
    add_product(tenant_a, "Gentle Haze", thc_percent=5, strain_type="indica")
    everything = client.get("/store/alpha/products/").content
    indica = client.get("/store/alpha/products/?strain_type=indica").content
    strong = client.get("/store/alpha/products/?thc_min=20").content
    gentle = client.get("/store/alpha/products/?thc_max=10").content
    assert b"Strong Haze" in everything and b"Gentle Haze" in everything
    assert b"Gentle Haze" in indica and b"Strong Haze" not in indica
    assert b"Strong Haze" in strong and b"Gentle Haze" not in strong
    assert b"Gentle Haze" in gentle and b"Strong Haze" not in gentle


def test_conditions_search_is_never_answered_from_the_full_list(client, tenant_a):
    index = ConditionsIndexPage.objects.child_of(tenant_a.site.root_page).get()
    for title in ("Insomnia", "Migraine"):
        page = ConditionPage(title=title, slug=title.lower(), summary=f"About {title}.")
        index.add_child(instance=page)
        page.save_revision().publish()
    full = client.get("/store/alpha/conditions/").content
    found = client.get("/store/alpha/conditions/?q=migr").content
    assert b"Insomnia" in full and b"Migraine" in full
    assert b"Migraine" in found and b"About Insomnia." not in found


def test_embedded_videos_follow_each_visitors_consent(client, tenant_a):
    article = _article(tenant_a)
    article.body = [("video", {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "title": "Our tour"})]
    article.save_revision().publish()
    url = "/store/alpha/the-wire/cbd-explained/"
    essential = Client()
    essential.cookies["budstack_consent"] = "essential"
    everything = Client()
    everything.cookies["budstack_consent"] = "all"
    assert b"<iframe" not in essential.get(url).content
    assert b"<iframe" in everything.get(url).content
    assert b"<iframe" not in essential.get(url).content


def test_listing_totals_follow_publishing_selling_out_and_filters(client, tenant_a):
    """Counts a paginator makes are kept too (themes.fragments.kept_count): never stale."""
    for number in range(10):
        _article(tenant_a, slug=f"note-{number}", title=f"Note {number}")
    assert b"Page 1 of 2" not in client.get("/store/alpha/the-wire/").content  # 10: one page
    _article(tenant_a, slug="note-10", title="Note 10")
    wire = client.get("/store/alpha/the-wire/").content
    assert b"Page 1 of 2" in wire and b"Note 0" not in wire
    assert b"Note 0" in client.get("/store/alpha/the-wire/?page=2").content

    product = add_product(tenant_a, "Last Kush", stock=1)
    add_product(tenant_a, "Gentle Haze", strain_type="indica")
    assert b"1 product</p>" in client.get("/store/alpha/products/?in_stock=on&strain_type=hybrid").content
    assert b"2 products</p>" in client.get("/store/alpha/products/").content
    assert b"1 product</p>" in client.get("/store/alpha/products/?strain_type=indica").content
    with tenant_scope(tenant_a):
        take(product, 1)
    sold_out = client.get("/store/alpha/products/?in_stock=on&strain_type=hybrid").content
    assert b"No products match these filters" in sold_out and b"Last Kush" not in sold_out
