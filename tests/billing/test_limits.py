"""A Starter dispensary is stopped at each of its limits, with a message naming limit and plan."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from PIL import Image as PILImage

from billing.limits import PlanLimitReached, check_limit
from commerce.models import Order, Product
from media.models import TenantImage
from sites.context import tenant_scope
from sites.models import Role, User
from sites.provisioning import add_staff
from tests.api.conftest import assert_envelope
from tests.api.test_api_v1 import bearer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT_MESSAGE = "Plan limit reached: the Starter plan of Alpha Dispensary allows 1"


def _users(tenant) -> list[str]:
    with tenant_scope(tenant):
        return sorted(User.objects.values_list("email", flat=True))


def test_staff_users_stop_at_the_limit_in_the_admin_and_provisioning(
    client, tenant_a, tenant_b, starter, on_plan, signed_in, make_user
):
    on_plan(tenant_a, "starter")
    on_plan(tenant_b, "starter")
    signed_in(tenant_a, Role.TENANT_ADMIN)  # staff user 2 of 2, after the provisioned owner
    with (
        tenant_scope(tenant_a),
        pytest.raises(PlanLimitReached, match="Starter plan of Alpha Dispensary allows 2 staff users"),
    ):
        add_staff(tenant_a, "third@alpha.example", Role.EDITOR)
    before = _users(tenant_a)
    form = {
        "email": "editor@alpha.example", "first_name": "New", "last_name": "Editor", "role": Role.EDITOR,
        "password1": "a-long-new-pass-91", "password2": "a-long-new-pass-91", "is_active": "on",
    }  # fmt: skip
    response = client.post("/admin/users/new/", form)
    assert response.status_code == 200
    assert (
        "the Starter plan of Alpha Dispensary allows 2 staff users and 2 are in use"
        in response.content.decode()
    )
    assert _users(tenant_a) == before
    # A patient account is not staff: the limit does not apply to it.
    patient = client.post("/admin/users/new/", {**form, "email": "p@alpha.example", "role": Role.PATIENT})
    assert patient.status_code == 302
    # The other tenant's count is its own.
    assert make_user(tenant_b, Role.EDITOR).tenant == tenant_b


def test_patient_signup_and_consultation_accounts_stop_at_the_limit(
    client, tenant_a, starter, on_plan, make_user
):
    on_plan(tenant_a, "starter")
    make_user(tenant_a, Role.PATIENT, email="first@example.com")  # patient 1 of 1
    form = {
        "first_name": "Ana", "last_name": "Silva", "password1": "a-long-new-pass-91",
        "password2": "a-long-new-pass-91", "email": "second@example.com",
    }  # fmt: skip
    response = client.post("/store/alpha/auth/signup/", form)
    assert response.status_code == 200
    assert "cannot register new patients at the moment: its Starter plan allows 1 patients" in (
        response.content.decode()
    )
    assert _users(tenant_a) == ["first@example.com", "owner@alpha.example"]
    # The consultation's first step says the same, for a new address and a taken one
    # alike (the limit is checked before the address is looked up).
    from tests.kyc.conftest import step_posts

    step_one = {**step_posts()[1], "password": "a sturdy passphrase 42"}
    for email in ("second@example.com", "first@example.com"):
        response = client.post("/store/alpha/consultation/step/1/", {**step_one, "email": email})
        assert response.status_code == 400
        assert "its Starter plan allows 1 patients" in response.content.decode()
    assert _users(tenant_a) == ["first@example.com", "owner@alpha.example"]


def test_orders_stop_at_the_monthly_limit_with_the_api_code(api, tenant_a, starter, on_plan, make_user):
    from kyc.models import PatientProfile

    on_plan(tenant_a, "starter")
    patient = make_user(tenant_a, Role.PATIENT, email="buyer@alpha.example")
    with tenant_scope(tenant_a):
        PatientProfile.objects.create(
            tenant=tenant_a, user=patient, kyc_status="VERIFIED", monthly_allowance_grams=Decimal("30")
        )
        product = Product.objects.create(
            name="Haze",
            slug="haze",
            sku="HAZE",
            strain_type="hybrid",
            price=10,
            stock=10,
            available_countries="GB",
        )
    token = api.post(
        "/api/v1/auth/token", {"email": patient.email, "password": PASSWORD}, format="json",
        HTTP_X_TENANT_SLUG="alpha",
    ).json()["token"]  # fmt: skip
    body = {
        "items": [{"product": product.pk, "quantity": 1}],
        "delivery": {"name": "Ada", "line1": "1 High Street", "city": "London", "postcode": "N1 1AA"},
    }
    first = api.post("/api/v1/orders", body, format="json", **bearer(token, "alpha"))
    assert first.status_code == 201, first.content
    refused = assert_envelope(
        api.post("/api/v1/orders", body, format="json", **bearer(token, "alpha")), 409, "PLAN_LIMIT_REACHED"
    )
    assert refused["error"].startswith(LIMIT_MESSAGE + " orders per month")
    assert refused["details"] == {"limit": "orders", "max": 1, "used": 1, "plan": "starter"}
    with tenant_scope(tenant_a):
        assert Order.objects.count() == 1


def test_products_stop_at_the_limit_in_the_admin(client, tenant_a, starter, on_plan, signed_in):
    from tests.test_admin_snippets import product_form

    on_plan(tenant_a, "starter")
    signed_in(tenant_a, Role.TENANT_ADMIN)
    first = client.post("/admin/snippets/commerce/product/add/", product_form(None, slug="one", sku="ONE"))
    assert first.status_code == 302, first.content[:500]
    second = client.post("/admin/snippets/commerce/product/add/", product_form(None, slug="two", sku="TWO"))
    assert second.status_code == 200
    assert LIMIT_MESSAGE + " products and 1 are in use" in second.content.decode()
    with tenant_scope(tenant_a):
        assert list(Product.objects.values_list("slug", flat=True)) == ["one"]


def _png(size: int) -> SimpleUploadedFile:
    """A PNG of at least ``size`` bytes (random pixels do not compress)."""
    import os

    side = int((size / 3) ** 0.5) + 1
    buffer = io.BytesIO()
    PILImage.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_uploads_stop_at_the_storage_limit(client, tenant_a, starter, on_plan, signed_in):
    on_plan(tenant_a, "starter")
    signed_in(tenant_a, Role.TENANT_ADMIN)
    collection = tenant_a.collection.pk
    small = client.post(
        "/admin/images/add/", {"title": "Small", "file": _png(300_000), "collection": collection}
    )
    assert small.status_code == 302, small.content[:500]
    big = client.post("/admin/images/add/", {"title": "Big", "file": _png(900_000), "collection": collection})
    assert big.status_code == 200
    assert LIMIT_MESSAGE + " MB of storage" in big.content.decode()
    with tenant_scope(tenant_a):
        assert list(TenantImage.objects.values_list("title", flat=True)) == ["Small"]
    # Without a plan nothing is limited.
    on_plan(tenant_a, None)
    check_limit(tenant_a, "storage_mb", adding=Decimal(10_000))
