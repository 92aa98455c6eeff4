"""REST API v1 orders: patients place and read their own, tenant admins read all and move statuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce.models import Order, Product
from sites.context import tenant_scope
from sites.models import Role
from tests.api.conftest import assert_envelope
from tests.api.test_api_v1 import bearer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DELIVERY = {"name": "Ada Patient", "line1": "1 High Street", "city": "London", "postcode": "N1 1AA"}


@pytest.fixture
def verified(tenant_a, make_user, api):
    """A verified patient of alpha with a 30 g allowance, and their bearer token."""
    from kyc.models import PatientProfile

    def make(email: str = "verified@alpha.example", status: str = "VERIFIED", allowance: str | None = "30"):
        user = make_user(tenant_a, Role.PATIENT, email=email)
        with tenant_scope(tenant_a):
            PatientProfile.objects.create(
                tenant=tenant_a,
                user=user,
                kyc_status=status,
                monthly_allowance_grams=Decimal(allowance) if allowance else None,
            )
        response = api.post(
            "/api/v1/auth/token",
            {"email": email, "password": PASSWORD},
            format="json",
            HTTP_X_TENANT_SLUG="alpha",
        )
        return user, response.json()["token"]

    return make


def order_body(product, quantity: int = 1) -> dict:
    return {"items": [{"product": product.pk, "quantity": quantity}], "delivery": DELIVERY}


def test_a_verified_patient_places_an_order_once_per_idempotency_key(api, tenant_a, verified, product_in):
    _user, token = verified()
    product = product_in(tenant_a, "Northern Lights", "GB", stock=5, price=12)
    headers = {**bearer(token, "alpha"), "HTTP_IDEMPOTENCY_KEY": "pos-42"}
    first = api.post("/api/v1/orders", order_body(product, 2), format="json", **headers)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "PENDING" and body["total"] == "24.00" and body["currency"]
    assert body["lines"][0]["quantity"] == 2 and body["delivery"]["country"] == "GB"
    # The retry returns the same order and takes no more stock.
    again = api.post("/api/v1/orders", order_body(product, 2), format="json", **headers)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    with tenant_scope(tenant_a):
        assert Product.objects.get(pk=product.pk).stock == 3
        assert Order.objects.count() == 1
    listed = api.get("/api/v1/orders", **bearer(token, "alpha")).json()
    assert listed["count"] == 1 and listed["results"][0]["reference"] == body["reference"]
    assert api.get(f"/api/v1/orders/{body['id']}", **bearer(token, "alpha")).json()["id"] == body["id"]


def test_refusals_are_the_envelope_and_place_nothing(api, tenant_a, verified, product_in):
    _user, token = verified(allowance="3")
    product = product_in(tenant_a, "Scarce", "GB", stock=1)
    auth = bearer(token, "alpha")
    assert_envelope(
        api.post("/api/v1/orders", order_body(product, 2), format="json", **auth), 409, "INSUFFICIENT_STOCK"
    )
    big = product_in(tenant_a, "Heavy", "GB", stock=50, flower_equivalent_grams=Decimal("2"))
    refused = assert_envelope(
        api.post("/api/v1/orders", order_body(big, 2), format="json", **auth), 409, "ALLOWANCE_EXCEEDED"
    )
    assert Decimal(refused["details"]["remaining_grams"]) == 3
    body = assert_envelope(
        api.post("/api/v1/orders", {"items": [], "delivery": {}}, format="json", **auth),
        400,
        "VALIDATION_ERROR",
    )
    assert "items" in body["details"] and "delivery" in body["details"]
    bad_qty = assert_envelope(
        api.post("/api/v1/orders", order_body(product, 0), format="json", **auth), 400, "VALIDATION_ERROR"
    )
    assert "items" in bad_qty["details"]
    portugal = product_in(tenant_a, "Lisbon Haze", "PT")
    assert_envelope(
        api.post("/api/v1/orders", order_body(portugal), format="json", **auth), 400, "PRODUCT_UNAVAILABLE"
    )
    with tenant_scope(tenant_a):
        assert Order.objects.count() == 0
        assert Product.objects.get(pk=product.pk).stock == 1


def test_patients_without_a_verified_consultation_cannot_order(api, tenant_a, verified, product_in):
    _user, token = verified(status="PENDING")
    product = product_in(tenant_a, "Northern Lights", "GB")
    assert_envelope(
        api.post("/api/v1/orders", order_body(product), format="json", **bearer(token, "alpha")),
        403,
        "KYC_NOT_VERIFIED",
    )
    assert_envelope(
        api.post("/api/v1/orders", order_body(product), format="json", HTTP_X_TENANT_SLUG="alpha"), 401
    )


def test_patients_see_only_their_own_orders_and_cannot_change_status(
    api, tenant_a, verified, product_in, token_for
):
    _alice, alice = verified("alice@alpha.example")
    _bob, bob = verified("bob@alpha.example")
    product = product_in(tenant_a, "Northern Lights", "GB", stock=10)
    placed = api.post("/api/v1/orders", order_body(product), format="json", **bearer(alice, "alpha")).json()
    assert api.get("/api/v1/orders", **bearer(bob, "alpha")).json()["count"] == 0
    assert_envelope(api.get(f"/api/v1/orders/{placed['id']}", **bearer(bob, "alpha")), 404, "NOT_FOUND")
    assert_envelope(
        api.patch(
            f"/api/v1/orders/{placed['id']}", {"status": "CANCELLED"}, format="json", **bearer(alice, "alpha")
        ),
        403,
        "PERMISSION_DENIED",
    )
    # Editors are staff but not order handlers.
    editor = token_for(tenant_a, Role.EDITOR)
    assert_envelope(api.get("/api/v1/orders", **bearer(editor, "alpha")), 403, "PERMISSION_DENIED")


def test_tenant_admins_list_all_and_move_status_through_the_transition_table(
    api, tenant_a, verified, product_in, token_for
):
    _alice, alice = verified("alice@alpha.example")
    product = product_in(tenant_a, "Northern Lights", "GB", stock=10)
    placed = api.post(
        "/api/v1/orders", order_body(product, 3), format="json", **bearer(alice, "alpha")
    ).json()
    admin = bearer(token_for(tenant_a, Role.TENANT_ADMIN), "alpha")
    listed = api.get("/api/v1/orders", {"status": "PENDING"}, **admin).json()
    assert [o["id"] for o in listed["results"]] == [placed["id"]]
    assert api.get("/api/v1/orders", {"status": "PAID"}, **admin).json()["count"] == 0
    assert_envelope(api.get("/api/v1/orders", {"status": "LOST"}, **admin), 400, "VALIDATION_ERROR")
    assert_envelope(api.post("/api/v1/orders", order_body(product), format="json", **admin), 403)

    url = f"/api/v1/orders/{placed['id']}"
    paid = api.patch(url, {"status": "PAID", "note": "bank transfer"}, format="json", **admin)
    assert paid.status_code == 200 and paid.json()["status"] == "PAID"
    assert paid.json()["allowed_next"] == ["SHIPPED", "REFUNDED"]
    conflict = assert_envelope(
        api.patch(url, {"status": "PENDING"}, format="json", **admin), 409, "INVALID_TRANSITION"
    )
    assert conflict["details"] == {"status": "PAID", "allowed": ["SHIPPED", "REFUNDED"]}
    assert_envelope(api.patch(url, {"status": "nope"}, format="json", **admin), 400, "VALIDATION_ERROR")
    assert_envelope(api.patch("/api/v1/orders/999999", {"status": "PAID"}, format="json", **admin), 404)
    with tenant_scope(tenant_a):
        order = Order.objects.get(pk=placed["id"])
        assert order.status == "PAID"
        assert list(order.events.values_list("to_status", flat=True)) == ["PENDING", "PAID"]
