"""`seed_demo`: the contract's tenants and accounts, every storefront URL answering."""

from django.core.management import CommandError, call_command

import pytest

from billing.limits import exceeded_limits
from billing.models import Invoice
from commerce.models import Product
from kyc.models import PatientProfile
from pages.models import ArticlePage, ConditionPage
from sites.context import platform_scope, tenant_scope
from sites.models import Role, Tenant, User

pytestmark = pytest.mark.django_db

STOREFRONT_URLS = [
    "/", "/products/", "/about/", "/contact/", "/consultation/", "/consultation/success/",
    "/conditions/", "/conditions/chronic-pain/", "/the-wire/",
    "/the-wire/understanding-thc-and-cbd/", "/the-wire/feed/", "/blockchain/", "/search/?q=pain",
    "/cart/", "/checkout/", "/account/", "/sitemap.xml", "/robots.txt",
]  # fmt: skip
AUTH_URLS = ["/auth/login/", "/auth/signup/", "/auth/forgot-password/"]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    return {t.slug: t for t in Tenant.objects.all()}


def snapshot():
    with platform_scope("count demo rows"):
        return (
            Tenant.objects.count(),
            User.objects.count(),
            Product.objects.count(),
            ArticlePage.objects.count(),
            ConditionPage.objects.count(),
            list(Invoice.objects.order_by("number").values_list("number", "status")),
        )


def test_demo_matches_the_contract(demo):
    healingbuds, greenleaf = demo["healingbuds"], demo["greenleaf"]
    assert (healingbuds.name, healingbuds.country_code) == ("Healing Buds", "GB")
    assert (greenleaf.name, greenleaf.country_code) == ("Greenleaf Clinic", "PT")
    assert healingbuds.theme != greenleaf.theme
    for tenant in demo.values():
        with tenant_scope(tenant):
            products = Product.objects.all()
            assert products.count() >= 12
            assert products.exclude(available_countries__contains=tenant.country_code).exists()
        home = tenant.site.root_page
        assert ConditionPage.objects.descendant_of(home).live().count() >= 3
        articles = ArticlePage.objects.descendant_of(home)
        assert articles.live().count() >= 3
        scheduled = articles.not_live().get()
        assert scheduled.go_live_at is not None and scheduled.scheduled_revision is not None
    expected = {
        "admin@budstack.test": Role.SUPER_ADMIN, "owner@healingbuds.test": Role.TENANT_ADMIN,
        "owner@greenleaf.test": Role.TENANT_ADMIN, "editor@healingbuds.test": Role.EDITOR,
        "marketer@healingbuds.test": Role.MARKETER, "patient@healingbuds.test": Role.PATIENT,
        "patient@greenleaf.test": Role.PATIENT,
    }  # fmt: skip
    with platform_scope("test"):
        assert {u.email: u.role for u in User.objects.all()} == expected
        kyc = {p.user.email: p.kyc_status for p in PatientProfile.objects.select_related("user")}
    assert kyc == {"patient@healingbuds.test": "VERIFIED", "patient@greenleaf.test": "PENDING"}
    assert (healingbuds.plan.slug, greenleaf.plan.slug) == ("professional", "starter")
    for tenant in demo.values():
        with tenant_scope(tenant):
            assert exceeded_limits(tenant, tenant.plan) == []
            assert sorted(Invoice.objects.values_list("status", flat=True)) == ["paid", "pending"]


def test_seed_demo_twice_changes_nothing(demo):
    before = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == before


def test_demo_tenants_get_their_own_drgreen_keys_once(demo):
    from integrations.models import DrGreenCredentials

    with platform_scope("test"):
        keys = {c.tenant.slug: (c.api_key, c.secret_key) for c in DrGreenCredentials.objects.all()}
    assert set(keys) == {"healingbuds", "greenleaf"}
    assert keys["healingbuds"] != keys["greenleaf"]
    call_command("seed_demo", verbosity=0)
    with platform_scope("test"):
        assert {c.tenant.slug: (c.api_key, c.secret_key) for c in DrGreenCredentials.objects.all()} == keys


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert Tenant.objects.count() == 0


@pytest.mark.parametrize("slug", ["healingbuds", "greenleaf"])
def test_every_storefront_url_answers(demo, client, slug):
    gate = client.get(f"/store/{slug}/")
    assert gate.status_code == 302 and f"/store/{slug}/age-check/" in gate["Location"]
    assert client.post(f"/store/{slug}/age-check/", {"confirm": "yes"}).status_code == 302
    for url in AUTH_URLS:
        assert client.get(f"/store/{slug}{url}").status_code == 200, url
    logged_in = client.post(
        f"/store/{slug}/auth/login/", {"username": f"patient@{slug}.test", "password": "budstack-demo"}
    )
    assert logged_in.status_code == 302
    for url in STOREFRONT_URLS:
        # Checkout sends an empty cart back to the cart and a pending patient to the
        # consultation; both end on a page.
        response = client.get(f"/store/{slug}{url}", follow=url == "/checkout/")
        assert response.status_code == 200, (url, response.status_code)
    with tenant_scope(demo[slug]):
        product = Product.objects.available_in(demo[slug].country_code).first()
    assert client.get(f"/store/{slug}/products/{product.slug}/").status_code == 200


def test_products_not_sold_in_the_country_are_hidden(demo, client):
    client.post("/store/healingbuds/age-check/", {"confirm": "yes"})
    with tenant_scope(demo["healingbuds"]):
        hidden = Product.objects.exclude(available_countries__contains="GB").first()
    assert client.get(f"/store/healingbuds/products/{hidden.slug}/").status_code == 404
    assert hidden.name not in client.get("/store/healingbuds/products/").content.decode()


def test_scheduled_article_is_not_public_yet(demo, client):
    client.post("/store/healingbuds/age-check/", {"confirm": "yes"})
    assert client.get("/store/healingbuds/the-wire/new-pharmacist-clinic-hours/").status_code == 404
    assert "New pharmacist clinic hours" not in client.get("/store/healingbuds/the-wire/").content.decode()


def test_demo_logins_work_where_they_belong(demo, client):
    for email in (
        "admin@budstack.test",
        "owner@healingbuds.test",
        "editor@healingbuds.test",
        "marketer@healingbuds.test",
    ):
        client.logout()
        assert (
            client.post("/admin/login/", {"username": email, "password": "budstack-demo"}).status_code == 302
        )
        assert client.get("/admin/").status_code == 200
    client.logout()
    ok = client.post(
        "/store/greenleaf/auth/login/", {"username": "patient@greenleaf.test", "password": "budstack-demo"}
    )
    assert ok.status_code == 302


def test_demo_patients_order_or_are_sent_to_the_consultation(demo, client):
    from commerce.models import Order

    client.post("/store/healingbuds/age-check/", {"confirm": "yes"})
    client.post(
        "/store/healingbuds/auth/login/",
        {"username": "patient@healingbuds.test", "password": "budstack-demo"},
    )
    with tenant_scope(demo["healingbuds"]):
        product = Product.objects.available_in("GB").filter(form="flower").first()
    client.post("/store/healingbuds/cart/", {"product": product.pk, "quantity": 2, "action": "add"})
    address = {"name": "Pat", "line1": "1 Street", "city": "London", "postcode": "N1 1AA", "country": "GB"}
    review = client.post("/store/healingbuds/checkout/", {**address, "step": "review"}).content.decode()
    key = review.split('name="idempotency_key" value="')[1].split('"')[0]
    placed = client.post("/store/healingbuds/checkout/", {**address, "step": "place", "idempotency_key": key})
    assert placed.status_code == 302 and "/checkout/done/" in placed["Location"]
    with tenant_scope(demo["healingbuds"]):
        assert Order.objects.filter(lines__product=product).count() == 1

    client.logout()
    client.post("/store/greenleaf/age-check/", {"confirm": "yes"})
    client.post(
        "/store/greenleaf/auth/login/", {"username": "patient@greenleaf.test", "password": "budstack-demo"}
    )
    response = client.get("/store/greenleaf/checkout/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/consultation/")
    assert "verified can order" in response.content.decode()


def test_a_product_gated_out_of_portugal_cannot_be_seen_or_bought_at_greenleaf(demo, client):
    client.post("/store/greenleaf/age-check/", {"confirm": "yes"})
    with tenant_scope(demo["greenleaf"]):
        gated = Product.objects.get(name="Critical Mass")
    assert "PT" not in gated.available_countries.split()
    assert client.get(f"/store/greenleaf/products/{gated.slug}/").status_code == 404
    assert gated.name not in client.get("/store/greenleaf/products/?in_stock=on").content.decode()
    assert gated.name not in client.get("/store/greenleaf/search/?q=critical").content.decode()
    add = client.post("/store/greenleaf/cart/", {"product": gated.pk, "quantity": 1, "action": "add"})
    assert add.status_code == 404
