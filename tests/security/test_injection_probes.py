"""Stored XSS and open-redirect probes against the storefront and the admin.

Every string a user, an editor, a tenant admin or a supplier can store is sent back
through the pages that render it; the markup must come out inert. Every view that
follows a ``next`` parameter is handed the classic off-site spellings; it must stay home.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from commerce.models import Product
from pages.models import ArticlePage, ConditionPage, ConditionsIndexPage, WireIndexPage
from sites.context import tenant_scope
from sites.models import Branding, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Each payload is live markup if it reaches the page unescaped.
PAYLOADS = (
    '<script>alert("bud")</script>',
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(2)</script>",
)
LIVE = re.compile(r"<script>alert|<img src=x onerror|</script><script>", re.I)

OFF_SITE = (
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
)


def page_text(client, url: str, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def assert_inert(html: str, where: str) -> None:
    found = LIVE.search(html)
    assert found is None, f"{where}: live markup {found.group(0)!r} in the page"


def child(tenant, model):
    return model.objects.child_of(tenant.site.root_page).get()


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("theme", ["sage", "clinic", "nocturne"])
def test_branding_text_is_escaped_in_every_theme(client, make_tenant, theme, payload):
    tenant = make_tenant("xss", theme=theme)
    with tenant_scope(tenant):
        branding, _ = Branding.objects.get_or_create(tenant=tenant)
        branding.tagline = payload
        branding.footer_text = payload
        branding.address = payload
        branding.phone = payload[:40]
        branding.save()
    assert_inert(page_text(client, "/store/xss/"), f"home in {theme}")
    assert_inert(page_text(client, "/store/xss/conditions/"), f"conditions in {theme}")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_editor_titles_and_summaries_are_escaped(client, tenant_a, payload):
    with tenant_scope(tenant_a):
        wire = child(tenant_a, WireIndexPage)
        wire.add_child(instance=ArticlePage(title=f"Story {payload}", slug="story", intro=payload))
        index = child(tenant_a, ConditionsIndexPage)
        index.add_child(instance=ConditionPage(title=f"Pain {payload}", slug="pain", summary=payload))
    for url in (
        "/store/alpha/the-wire/",
        "/store/alpha/the-wire/story/",
        "/store/alpha/conditions/",
        "/store/alpha/conditions/pain/",
        "/store/alpha/the-wire/feed/",
        "/store/alpha/search/?q=story",
    ):
        assert_inert(page_text(client, url), url)


def test_article_title_cannot_break_out_of_structured_data(client, tenant_a):
    with tenant_scope(tenant_a):
        wire = child(tenant_a, WireIndexPage)
        wire.add_child(instance=ArticlePage(title="</script><script>alert(2)</script>", slug="ld"))
    html = page_text(client, "/store/alpha/the-wire/ld/")
    assert_inert(html, "article JSON-LD")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["headline"] == "</script><script>alert(2)</script>"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_supplier_product_data_is_escaped(client, tenant_a, payload):
    with tenant_scope(tenant_a):
        Product.objects.create(
            name=f"Haze {payload}"[:100], slug="haze", sku="HAZE-1", strain_type="hybrid",
            price=10, available_countries="GB", description=payload,
        )  # fmt: skip
    assert_inert(page_text(client, "/store/alpha/products/haze/"), "product page")
    assert_inert(page_text(client, "/store/alpha/search/?q=haze"), "search results")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reflected_search_query_is_escaped(client, tenant_a, payload):
    assert_inert(page_text(client, "/store/alpha/search/", data={"q": payload}), "search query")


def test_contact_submissions_are_inert_in_the_admin(client, tenant_a, make_user):
    from pages.contact import _signer
    from pages.models import ContactPage

    payload = PAYLOADS[0]
    form = {
        "your_name": payload, "email": "ana@example.com", "message": payload,
        "form_started": _signer.sign(str(int(time.time()) - 10)), "website": "",
    }  # fmt: skip
    assert client.post("/store/alpha/contact/", form).status_code == 200
    admin = make_user(tenant_a, role=Role.TENANT_ADMIN, email="boss@alpha.example")
    client.force_login(admin)
    page = ContactPage.objects.descendant_of(tenant_a.site.root_page).get()
    html = page_text(client, f"/admin/forms/submissions/{page.pk}/")
    assert "ana@example.com" in html  # the submission is listed ...
    assert_inert(html, "admin form submissions")  # ... and its markup is not live


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_sends_a_patient_off_site(client, tenant_a, make_user, target):
    make_user(tenant_a, email="pat@example.com")
    response = client.post(
        "/store/alpha/auth/login/?next=" + target, {"username": "pat@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/store/alpha/account/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_consent_and_age_check_stay_on_site(client, tenant_a, target):
    consent = client.post("/store/alpha/consent/", {"choice": "all", "next": target})
    assert consent.status_code == 302 and consent["Location"] == "/store/alpha/"
    age = client.post("/store/alpha/age-check/", {"confirm": "yes", "next": target})
    assert age.status_code == 302 and age["Location"] == "/store/alpha/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_admin_login_never_redirects_off_site(client, tenant_a, make_user, target):
    make_user(tenant_a, role=Role.TENANT_ADMIN, email="boss@alpha.example")
    response = client.post(
        "/admin/login/", {"username": "boss@alpha.example", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


@pytest.mark.parametrize(
    "query", ['"', "'", "a-b", "-x", "x*", "(", "NEAR(a b)", "a:b", "^", "<>", "%", "\x00"]
)
def test_search_answers_any_punctuation(client, tenant_a, query):
    response = client.get("/store/alpha/search/", {"q": query})
    assert response.status_code == 200
