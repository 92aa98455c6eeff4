"""The anonymous full-page cache, conditional GET and the cookie banner without a token."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest

from pages.models import AboutPage, NavigationMenu, NavigationMenuItem, StorefrontSettings
from sites.context import tenant_scope
from sites.models import Branding, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def about(tenant) -> AboutPage:
    return AboutPage.objects.child_of(tenant.site.root_page).get()


def test_second_anonymous_visit_is_a_cache_hit_with_the_same_page_and_fewer_queries(client, tenant_a):
    first = client.get("/store/alpha/about/")
    with CaptureQueriesContext(connection) as hit_queries:
        second = client.get("/store/alpha/about/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content and b"About us" in second.content
    # Without a session the hit is served before any tenant or database work.
    assert len(hit_queries) == 0
    assert second["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
    assert "Cookie" in second["Vary"]
    assert second["ETag"] == first["ETag"]


def test_visitors_with_a_session_hit_their_own_variant_after_the_age_check(client, tenant_a):
    with tenant_scope(tenant_a):
        settings = StorefrontSettings.objects.get(tenant=tenant_a)
        settings.age_gate_enabled = True
        settings.save()
    client.post("/store/alpha/age-check/", {"confirm": "yes"})
    first = client.get("/store/alpha/about/")
    with CaptureQueriesContext(connection) as hit_queries:
        second = client.get("/store/alpha/about/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert not [q for q in hit_queries.captured_queries if "wagtailcore_page" in q["sql"]]
    # Someone without the session still meets the gate, not the cached page.
    assert Client().get("/store/alpha/about/").status_code == 302


def test_tenants_sharing_a_path_never_share_a_cached_page(client, tenant_a, tenant_b):
    client.get("/store/alpha/about/")
    bravo = client.get("/store/bravo/about/")
    assert bravo["X-Page-Cache"] == "miss"
    assert b"Bravo Clinic" in bravo.content and b"Alpha Dispensary" not in bravo.content


def test_each_access_style_has_its_own_entry(client, tenant_a):
    client.get("/store/alpha/about/")
    by_host = client.get("/about/", HTTP_HOST="alpha.budstack.test")
    assert by_host["X-Page-Cache"] == "miss"
    assert b'href="/store/alpha/' not in by_host.content


def test_publishing_a_page_shows_the_new_version_at_once(client, tenant_a):
    client.get("/store/alpha/about/")
    page = about(tenant_a)
    page.title = "Our story"
    page.save_revision().publish()
    fresh = client.get("/store/alpha/about/")
    assert fresh["X-Page-Cache"] == "miss" and b"Our story" in fresh.content
    # The menu on every other page follows too.
    assert b"Our story" in client.get("/store/alpha/").content


def test_unpublishing_a_page_removes_it_from_the_cache(client, tenant_a):
    assert client.get("/store/alpha/about/").status_code == 200
    about(tenant_a).unpublish()
    assert client.get("/store/alpha/about/").status_code == 404


def test_branding_and_menu_changes_invalidate(client, tenant_a):
    client.get("/store/alpha/")
    with tenant_scope(tenant_a):
        branding, _ = Branding.objects.get_or_create(tenant=tenant_a)
        branding.tagline = "Care, prescribed"
        branding.save()
    assert b"Care, prescribed" in client.get("/store/alpha/").content
    with tenant_scope(tenant_a):
        menu = NavigationMenu.objects.get(tenant=tenant_a)
        NavigationMenuItem.objects.create(
            menu=menu, label="Our blog", url="https://blog.example/", sort_order=0
        )
    assert b"Our blog" in client.get("/store/alpha/").content


def test_signed_in_patients_get_fresh_pages_and_are_never_cached(client, tenant_a, make_user):
    patient = make_user(tenant_a, Role.PATIENT, first_name="Priya")
    client.get("/store/alpha/about/")  # an anonymous copy exists
    client.force_login(patient)
    own = client.get("/store/alpha/about/")
    assert not own.has_header("X-Page-Cache")
    anonymous = Client().get("/store/alpha/about/")
    assert anonymous["X-Page-Cache"] == "hit" and patient.email.encode() not in anonymous.content


def test_pages_with_a_csrf_form_are_never_cached(client, tenant_a):
    first = client.get("/store/alpha/contact/")
    second = Client().get("/store/alpha/contact/")
    assert b"csrfmiddlewaretoken" in first.content
    assert not first.has_header("X-Page-Cache") and not second.has_header("X-Page-Cache")
    assert "csrftoken" in second.cookies


def test_consent_choice_and_age_check_get_their_own_variants(client, tenant_a):
    banner = client.get("/store/alpha/about/")
    assert b'aria-label="Cookie consent"' in banner.content
    client.cookies["budstack_consent"] = "essential"
    chosen = client.get("/store/alpha/about/")
    assert chosen["X-Page-Cache"] == "miss" and b'aria-label="Cookie consent"' not in chosen.content

    with tenant_scope(tenant_a):
        settings = StorefrontSettings.objects.get(tenant=tenant_a)
        settings.age_gate_enabled = True
        settings.save()
    visitor = Client()
    assert visitor.get("/store/alpha/about/").status_code == 302  # the gate, not a cached page
    visitor.post("/store/alpha/age-check/", {"confirm": "yes"})
    assert visitor.get("/store/alpha/about/").status_code == 200


def test_cookie_banner_posts_without_a_token_but_refuses_other_sites(client, tenant_a):
    page = client.get("/store/alpha/about/")
    assert b"csrfmiddlewaretoken" not in page.content and not page.cookies
    strict = Client(enforce_csrf_checks=True)
    ok = strict.post("/store/alpha/consent/", {"choice": "all"}, HTTP_ORIGIN="http://testserver")
    assert ok.status_code == 302 and strict.cookies["budstack_consent"].value == "all"
    forged = Client(enforce_csrf_checks=True)
    for headers in ({"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_SEC_FETCH_SITE": "cross-site"}):
        refused = forged.post("/store/alpha/consent/", {"choice": "all"}, **headers)
        assert refused.status_code == 403 and "budstack_consent" not in forged.cookies


@pytest.mark.parametrize("url", ["/store/alpha/about/", "/store/alpha/the-wire/feed/"], ids=["page", "feed"])
def test_conditional_get_answers_304_when_unchanged(client, tenant_a, url):
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    page = about(tenant_a)
    page.title = "Changed"
    page.save_revision().publish()
    if url.endswith("/about/"):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_cache_off_when_seconds_is_zero(client, tenant_a, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/store/alpha/about/")
    assert not client.get("/store/alpha/about/").has_header("X-Page-Cache")


def test_a_visitor_with_a_pending_message_gets_a_fresh_page(client, tenant_a):
    client.get("/store/alpha/about/")
    client.cookies["messages"] = "pending"
    assert not client.get("/store/alpha/about/").has_header("X-Page-Cache")
