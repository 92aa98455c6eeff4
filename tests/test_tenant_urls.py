"""Links keep the access style a page was reached with."""

import re

from django.utils import timezone

import pytest

pytestmark = pytest.mark.django_db


def hrefs(response) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


def test_path_style_links_stay_below_the_store_prefix(client, tenant_a):
    links = hrefs(client.get("/store/alpha/"))
    assert "/store/alpha/about/" in links
    assert "/store/alpha/products/" in links
    assert "/store/alpha/auth/login/" in links
    assert "/about/" not in links


def test_subdomain_links_are_host_relative(client, tenant_a):
    links = hrefs(client.get("/", HTTP_HOST="alpha.budstack.test"))
    assert "/about/" in links
    assert "/auth/login/" in links
    assert not any(link.startswith("/store/") for link in links)


def test_custom_domain_links_are_host_relative(client, tenant_a):
    tenant_a.custom_domain = "shop.alpha.example"
    tenant_a.save()
    tenant_a.custom_domain_verified_at = timezone.now()  # only a verified domain routes
    tenant_a.save()
    links = hrefs(client.get("/", HTTP_HOST="shop.alpha.example"))
    assert "/about/" in links
    assert not any(link.startswith("/store/") for link in links)


def test_redirects_keep_the_style(client, tenant_a):
    by_path = client.get("/store/alpha/account/")
    by_host = client.get("/account/", HTTP_HOST="alpha.budstack.test")
    assert by_path["Location"] == "/store/alpha/auth/login/?next=/store/alpha/account/"
    assert by_host["Location"] == "/auth/login/?next=/account/"


def test_feed_links_point_at_the_tenant(client, tenant_a, tenant_b):
    response = client.get("/the-wire/feed/", HTTP_HOST="alpha.budstack.test")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert "alpha.budstack.test" in response.content.decode()
    assert "bravo" not in response.content.decode()
