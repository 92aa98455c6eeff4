"""Custom domains: added by tenant admins, routed (and given TLS) only once DNS proves them."""

from __future__ import annotations

import pytest

from billing.models import Plan
from sites.context import platform_scope
from sites.models import AuditLogEntry, Role, Tenant
from tests.onboarding.dns_server import TinyDns

pytestmark = pytest.mark.django_db

URL = "/admin/custom-domain/"


@pytest.fixture
def dns_server(settings):
    with TinyDns() as server:
        settings.CUSTOM_DOMAIN_NAMESERVERS = [f"127.0.0.1:{server.port}"]
        yield server


@pytest.fixture
def owner(client, tenant_a, make_user):
    client.force_login(make_user(tenant_a, Role.TENANT_ADMIN))
    return client


def routed(client, host: str) -> int:
    return client.get("/about/", HTTP_HOST=host).status_code


def test_a_domain_routes_only_once_its_txt_record_is_verified(owner, client, tenant_a, tenant_b, dns_server):
    # Given a tenant admin who adds a domain
    saved = owner.post(URL, {"domain": "Shop.Alpha.Example."}, follow=True)
    assert "create the DNS records below" in saved.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.custom_domain == "shop.alpha.example" and len(tenant_a.custom_domain_token) >= 24
    page = saved.content.decode()
    assert "_budstack-challenge.shop.alpha.example" in page and tenant_a.custom_domain_token in page
    assert "budstack.test." in page  # the CNAME target

    # Then it does not route, nor get a certificate, while unverified
    from django.test import Client

    visitor = Client()
    assert routed(visitor, "shop.alpha.example") == 404
    assert visitor.get("/_tls/ask", {"domain": "shop.alpha.example"}).status_code == 404

    # A verify without the record changes nothing
    missing = owner.post(URL, {"verify": "1"}, follow=True)
    assert "TXT record was not found" in missing.content.decode()
    assert "_budstack-challenge.shop.alpha.example" in dns_server.queries
    tenant_a.refresh_from_db()
    assert tenant_a.custom_domain_verified_at is None

    # With the record in DNS, verification routes the domain
    dns_server.txt["_budstack-challenge.shop.alpha.example"] = ["unrelated", tenant_a.custom_domain_token]
    verified = owner.post(URL, {"verify": "1"}, follow=True)
    assert "is verified" in verified.content.decode()
    assert routed(visitor, "shop.alpha.example") == 200
    assert "Alpha Dispensary" in visitor.get("/", HTTP_HOST="shop.alpha.example").content.decode()
    assert visitor.get("/_tls/ask", {"domain": "shop.alpha.example"}).status_code == 200
    with platform_scope("test"):
        assert AuditLogEntry.objects.filter(action="domain.verified", tenant=tenant_a).count() == 1

    # A new name must be proven again
    owner.post(URL, {"domain": "www.alpha.example"})
    tenant_a.refresh_from_db()
    assert tenant_a.custom_domain_verified_at is None
    assert routed(visitor, "www.alpha.example") == 404 and routed(visitor, "shop.alpha.example") == 404


def test_tls_ask_answers_for_platform_names_only(client, tenant_a):
    assert client.get("/_tls/ask", {"domain": "alpha.budstack.test"}).status_code == 200
    assert client.get("/_tls/ask", {"domain": "nobody.budstack.test"}).status_code == 404
    assert client.get("/_tls/ask", {"domain": "evil.example"}).status_code == 404
    assert client.get("/_tls/ask").status_code == 404


@pytest.mark.parametrize(
    ("domain", "error"),
    [
        pytest.param("beta.budstack.test", "platform", id="platform-name"),
        pytest.param("not a domain", "Enter a domain name", id="malformed"),
    ],
)
def test_bad_domains_are_refused(owner, tenant_a, domain, error):
    response = owner.post(URL, {"domain": domain})
    assert response.status_code == 200 and error in response.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.custom_domain is None


def test_a_domain_another_tenant_uses_is_refused(owner, tenant_a, tenant_b):
    tenant_b.custom_domain = "shop.shared.example"
    tenant_b.save()
    response = owner.post(URL, {"domain": "shop.shared.example"})
    assert "Another storefront already uses that domain" in response.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.custom_domain is None


def test_plans_without_custom_domains_cannot_add_one(owner, tenant_a):
    tenant_a.plan = Plan.objects.get(slug="starter")
    assert not tenant_a.plan.allows_custom_domain
    tenant_a.save()
    page = owner.get(URL)
    assert "does not include a custom domain" in page.content.decode()
    owner.post(URL, {"domain": "shop.alpha.example"})
    assert Tenant.objects.get(pk=tenant_a.pk).custom_domain is None


def test_only_tenant_admins_manage_the_domain(client, tenant_a, make_user):
    client.force_login(make_user(tenant_a, Role.EDITOR))
    # The admin answers a permission error by sending the user back to the dashboard.
    response = client.get(URL)
    assert response.status_code in (302, 403) and b"Save domain" not in response.content
    client.post(URL, {"domain": "shop.alpha.example"})
    assert Tenant.objects.get(pk=tenant_a.pk).custom_domain is None
