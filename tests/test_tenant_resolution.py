"""Request -> tenant, in all three access styles, and what happens when there is none."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from sites.models import Tenant
from sites.resolution import tenant_by_slug

pytestmark = pytest.mark.django_db


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_path_style_serves_each_tenants_home(client, tenant_a, tenant_b):
    a = client.get("/store/alpha/")
    b = client.get("/store/bravo/")
    assert a.status_code == b.status_code == 200
    assert "Alpha Dispensary" in title_of(a)
    assert "Bravo Clinic" in title_of(b)
    assert "Bravo" not in a.content.decode()


def test_subdomain_serves_the_same_tree_as_the_path(client, tenant_a, tenant_b):
    by_host = client.get("/about/", HTTP_HOST="alpha.budstack.test")
    by_path = client.get("/store/alpha/about/")
    assert by_host.status_code == by_path.status_code == 200
    assert title_of(by_host) == title_of(by_path) == "About us · Alpha Dispensary"


def test_custom_domain_serves_its_tenant(client, tenant_a, tenant_b):
    tenant_b.custom_domain = "Shop.Bravo-Clinic.PT"
    tenant_b.save()
    tenant_b.custom_domain_verified_at = timezone.now()  # only a verified domain routes
    tenant_b.save()
    response = client.get("/", HTTP_HOST="shop.bravo-clinic.pt")
    assert response.status_code == 200
    assert "Bravo Clinic" in title_of(response)


def test_path_wins_over_subdomain(client, tenant_a, tenant_b):
    response = client.get("/store/bravo/", HTTP_HOST="alpha.budstack.test")
    assert "Bravo Clinic" in title_of(response)


@pytest.mark.parametrize(
    ("path", "host"),
    [
        pytest.param("/store/nobody/", "testserver", id="unknown-path-slug"),
        pytest.param("/", "nobody.budstack.test", id="unknown-subdomain"),
        pytest.param("/", "deep.alpha.budstack.test", id="nested-subdomain"),
    ],
)
def test_unknown_tenant_is_a_404_page(client, tenant_a, path, host):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 404
    assert "Dispensary not found" in response.content.decode()


def test_unknown_host_is_the_platform_not_a_tenant(client, tenant_a):
    response = client.get("/", HTTP_HOST="unrelated.example.org")
    assert response.status_code == 200
    assert "Alpha" not in response.content.decode()
    assert client.get("/about/", HTTP_HOST="unrelated.example.org").status_code == 404


def test_suspended_tenant_shows_unavailable_page_with_503(client, tenant_a, tenant_b):
    tenant_a.status = Tenant.Status.SUSPENDED
    tenant_a.save()
    for response in (client.get("/store/alpha/"), client.get("/products/", HTTP_HOST="alpha.budstack.test")):
        assert response.status_code == 503
        assert "temporarily unavailable" in response.content.decode()
        assert response["Retry-After"]
    assert client.get("/store/bravo/").status_code == 200


def test_store_without_trailing_slash_redirects(client, tenant_a):
    response = client.get("/store/alpha")
    assert response.status_code == 302
    assert response["Location"] == "/store/alpha/"


def test_platform_routes_are_not_served_below_a_store(client, tenant_a):
    assert client.get("/store/alpha/admin/").status_code == 404
    assert client.get("/store/alpha/healthz").status_code == 404


def test_storefront_only_routes_404_on_the_platform(client, tenant_a):
    for path in ("/search/?q=x", "/cart/", "/auth/login/", "/sitemap.xml", "/robots.txt"):
        assert client.get(path).status_code == 404, path


def test_resolution_is_cached_and_costs_no_query_when_warm(client, tenant_a):
    assert tenant_by_slug("alpha") == tenant_a
    with CaptureQueriesContext(connection) as queries:
        found = tenant_by_slug("alpha")
        site = found.site
        root = site.root_page
    assert found.pk == tenant_a.pk and root.pk == tenant_a.site.root_page_id
    assert len(queries) == 0


def test_renaming_a_slug_invalidates_the_cache(client, tenant_a):
    assert client.get("/store/alpha/").status_code == 200
    tenant_a.slug = "alpha-two"
    tenant_a.save()
    assert client.get("/store/alpha/").status_code == 404
    assert client.get("/store/alpha-two/").status_code == 200


def test_suspension_takes_effect_despite_a_warm_cache(client, tenant_a):
    assert client.get("/store/alpha/").status_code == 200
    tenant_a.status = Tenant.Status.SUSPENDED
    tenant_a.save()
    assert client.get("/store/alpha/").status_code == 503
