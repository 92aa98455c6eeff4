"""Plans: super admins edit them and assign them; downgrades below usage are refused;
plan features gate staff API tokens and webhooks; tenant admins see usage on their dashboard."""

from __future__ import annotations

import pytest

from billing.models import Plan
from commerce.models import Product
from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Role, Tenant
from tests.api.conftest import assert_envelope
from tests.api.test_api_v1 import bearer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _plan_of(tenant) -> str | None:
    with platform_scope("test"):
        plan = Tenant.objects.select_related("plan").get(pk=tenant.pk).plan
    return plan.slug if plan else None


def _plan_changes(tenant) -> list[dict]:
    with tenant_scope(tenant):
        return list(AuditLogEntry.objects.filter(action="tenant.plan_changed").values_list("data", flat=True))


@pytest.mark.parametrize("url", ["/admin/plans/", "/admin/plans/edit/1/", "/admin/billing/tenants/"], ids=str)
def test_plans_are_super_admin_only(client, tenant_a, signed_in, url):
    signed_in(tenant_a, Role.TENANT_ADMIN)
    assert client.get(url).status_code == 404
    assert b"Plans" not in client.get("/admin/").content


def test_super_admin_edits_a_plan_and_assigns_it_with_an_audit_entry(client, tenant_a, signed_in):
    signed_in(None, Role.SUPER_ADMIN)
    professional = Plan.objects.get(slug="professional")
    listing = client.get("/admin/plans/")
    assert listing.status_code == 200 and b"Enterprise" in listing.content
    edit = client.get(f"/admin/plans/edit/{professional.pk}/")
    assert edit.status_code == 200 and b"Limits (empty: unlimited)" in edit.content

    assigned = client.post(f"/admin/billing/tenants/{tenant_a.pk}/plan/", {"plan": "professional"})
    assert assigned.status_code == 302
    assert _plan_of(tenant_a) == "professional"
    assert _plan_changes(tenant_a) == [{"from": None, "to": "professional"}]
    assert b"Professional" in client.get("/admin/billing/tenants/").content


def test_a_downgrade_below_usage_is_refused_in_the_admin_and_the_api(
    client, api, tenant_a, on_plan, signed_in, make_user
):
    on_plan(tenant_a, "professional")
    Plan.objects.filter(slug="starter").update(max_products=1, max_staff_users=1)
    make_user(tenant_a, Role.EDITOR)  # staff 2 (with the owner)
    with tenant_scope(tenant_a):
        for n in range(2):
            Product.objects.create(name=f"P{n}", slug=f"p{n}", sku=f"P{n}", strain_type="hybrid", price=1)
    root = signed_in(None, Role.SUPER_ADMIN)

    form = client.post(f"/admin/billing/tenants/{tenant_a.pk}/plan/", {"plan": "starter"})
    assert form.status_code == 400
    page = form.content.decode()
    assert "cannot move to the Starter plan" in page
    assert "staff users: 2 in use, the Starter plan allows 1" in page
    assert "products: 2 in use, the Starter plan allows 1" in page

    token = api.post("/api/v1/auth/token", {"email": root.email, "password": PASSWORD}, format="json").json()
    body = assert_envelope(
        api.patch(
            f"/api/v1/tenants/{tenant_a.pk}", {"plan": "starter"}, format="json", **bearer(token["token"])
        ),
        409,
        "PLAN_LIMITS_EXCEEDED",
    )
    assert body["details"]["exceeded"] == [
        "staff users: 2 in use, the Starter plan allows 1",
        "products: 2 in use, the Starter plan allows 1",
    ]
    assert _plan_of(tenant_a) == "professional"
    assert _plan_changes(tenant_a) == []

    upgraded = api.patch(
        f"/api/v1/tenants/{tenant_a.pk}", {"plan": "enterprise"}, format="json", **bearer(token["token"])
    )
    assert upgraded.status_code == 200 and upgraded.json()["plan"] == "enterprise"
    assert _plan_changes(tenant_a) == [{"from": "professional", "to": "enterprise"}]


def test_staff_tokens_need_api_access_and_webhooks_need_the_feature(
    client, api, tenant_a, on_plan, make_user, signed_in
):
    from tests.api.conftest import PASSWORD as _  # noqa: F401 - same password everywhere

    on_plan(tenant_a, "starter")
    admin = make_user(tenant_a, Role.TENANT_ADMIN, email="api-admin@alpha.example")
    token = api.post(
        "/api/v1/auth/token",
        {"email": admin.email, "password": PASSWORD},
        format="json",
        HTTP_X_TENANT_SLUG="alpha",
    ).json()["token"]
    refused = assert_envelope(
        api.get("/api/v1/orders", **bearer(token, "alpha")), 403, "PLAN_FEATURE_UNAVAILABLE"
    )
    assert refused["error"].startswith("The Starter plan of Alpha Dispensary does not include API access")
    assert refused["details"] == {"feature": "api_access", "plan": "starter"}
    # The public catalog stays open to anonymous callers.
    assert api.get("/api/v1/products", HTTP_X_TENANT_SLUG="alpha").status_code == 200

    signed_in(tenant_a, Role.TENANT_ADMIN)
    webhook = client.post(
        "/admin/webhooks/new/",
        {"url": "https://hooks.example/x", "events": ["order.created"], "is_active": "on"},
    )
    assert webhook.status_code == 200
    assert "does not include webhooks" in webhook.content.decode()

    on_plan(tenant_a, "professional")
    assert api.get("/api/v1/orders", **bearer(token, "alpha")).status_code == 200
    made = client.post(
        "/admin/webhooks/new/",
        {"url": "https://hooks.example/x", "events": ["order.created"], "is_active": "on"},
    )
    assert made.status_code == 302


def test_the_tenant_admins_dashboard_shows_usage_against_the_plan(client, tenant_a, on_plan, signed_in):
    signed_in(tenant_a, Role.TENANT_ADMIN)
    unlimited = client.get("/admin/").content.decode()
    assert "Plan: none" in unlimited and "Unlimited" in unlimited

    on_plan(tenant_a, "starter")
    page = client.get("/admin/").content.decode()
    assert "Starter plan" in page
    assert '<th scope="row">Staff users</th>\n        <td>2</td>\n        <td>5</td>' in page
    assert "Unlimited" not in page


def test_custom_themes_need_the_feature(client, tenant_a, on_plan, signed_in):
    from themes.models import Theme

    builtin = Theme.objects.get(pk=tenant_a.theme_id)
    custom = Theme.objects.create(
        slug="our-own", version="1.0.0", name="Our Own", manifest=builtin.manifest,
        source=Theme.Source.UPLOAD, location="themes/our-own/1.0.0",
    )  # fmt: skip
    on_plan(tenant_a, "professional")
    signed_in(tenant_a, Role.TENANT_ADMIN)
    response = client.post(f"/admin/theme/apply/{custom.pk}/", follow=True)
    assert (
        "The Professional plan of Alpha Dispensary does not include custom themes"
        in response.content.decode()
    )
    with platform_scope("test"):
        assert Tenant.objects.get(pk=tenant_a.pk).theme_id == builtin.pk

    on_plan(tenant_a, "enterprise")
    client.post(f"/admin/theme/apply/{custom.pk}/")
    with platform_scope("test"):
        assert Tenant.objects.get(pk=tenant_a.pk).theme_id == custom.pk
