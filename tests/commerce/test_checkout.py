"""Cart and checkout as a patient experiences them."""

from __future__ import annotations

from decimal import Decimal

from django.core import mail

import pytest

from commerce.models import CartItem, Order, OrderStatus, Product
from sites.context import tenant_scope
from tests.commerce.conftest import ADDRESS, log_in, make_patient

pytestmark = pytest.mark.django_db


def add(client, product, quantity=1, slug="alpha"):
    return client.post(f"/store/{slug}/cart/", {"product": product.pk, "quantity": quantity, "action": "add"})


def test_visitor_cart_lives_in_the_session_with_server_side_totals(client, shop):
    add(client, shop["kush"], 2)
    add(client, shop["oil"], 1)
    add(client, shop["kush"], 1)
    html = client.get("/store/alpha/cart/").content.decode()
    assert "25.50 GBP" in html  # 3 × 8.50
    assert "70.50 GBP" in html  # + 45.00
    client.post("/store/alpha/cart/", {"product": shop["oil"].pk, "quantity": 0})
    assert "Balanced Oil" not in client.get("/store/alpha/cart/").content.decode()


def test_cart_refuses_more_than_the_stock(client, shop):
    response = add(client, shop["kush"], 13)  # 12 in stock
    assert response.status_code == 302
    html = client.get("/store/alpha/cart/").content.decode()
    assert "Only 12 of “Pink Kush” are in stock." in html
    assert "Your cart is empty" in html


def test_session_cart_merges_into_the_patients_cart_at_login(client, shop, tenant_a, patient):
    with tenant_scope(tenant_a):
        CartItem.objects.create(user=patient, product=shop["kush"], quantity=1)
    add(client, shop["kush"], 2)
    add(client, shop["dream"], 1)
    log_in(client, tenant_a, patient)
    html = client.get("/store/alpha/cart/").content.decode()
    assert "Pink Kush" in html and "Blue Dream" in html
    with tenant_scope(tenant_a):
        quantities = dict(CartItem.objects.filter(user=patient).values_list("product__name", "quantity"))
    assert quantities == {"Pink Kush": 3, "Blue Dream": 1}
    # Persisted: a new session of the same patient sees the same cart.
    client.logout()
    log_in(client, tenant_a, patient)
    assert "Blue Dream" in client.get("/store/alpha/cart/").content.decode()


def test_visitor_is_sent_to_log_in_before_checkout(client, shop):
    response = client.get("/store/alpha/checkout/")
    assert response.status_code == 302 and "/auth/login/" in response["Location"]


def test_pending_patient_is_sent_to_the_consultation_with_a_message(client, shop, tenant_a, make_user):
    pending = make_patient(tenant_a, make_user, status="PENDING", email="pending@alpha.example")
    log_in(client, tenant_a, pending)
    add(client, shop["kush"])
    response = client.get("/store/alpha/checkout/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/store/alpha/consultation/")
    assert "Only patients whose medical consultation has been verified can order" in response.content.decode()
    response = client.post("/store/alpha/checkout/", {**ADDRESS, "step": "place", "idempotency_key": "k"})
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        assert not Order.objects.exists()


def test_verified_patient_orders_end_to_end(
    patient_client, shop, tenant_a, patient, django_capture_on_commit_callbacks
):
    client = patient_client
    mail.outbox.clear()
    add(client, shop["kush"], 2)
    add(client, shop["oil"], 1)
    page = client.get("/store/alpha/checkout/").content.decode()
    assert "30.0 g" in page and "7.0 g" in page  # allowance and this order's grams (2 × 1 + 5)
    invalid = client.post("/store/alpha/checkout/", {**ADDRESS, "postcode": "", "step": "review"})
    assert invalid.status_code == 400 and "This field is required" in invalid.content.decode()
    review = client.post("/store/alpha/checkout/", {**ADDRESS, "step": "review"})
    assert review.status_code == 200
    html = review.content.decode()
    assert "Review your order" in html and "62.00 GBP" in html
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        placed = client.post("/store/alpha/checkout/", {**ADDRESS, "step": "place", "idempotency_key": key})
    assert placed.status_code == 302
    confirmation = client.get(placed["Location"])
    assert "is placed" in confirmation.content.decode() and "62.00 GBP" in confirmation.content.decode()
    # Submitting the same review again (double click, reload) does not order twice.
    again = client.post("/store/alpha/checkout/", {**ADDRESS, "step": "place", "idempotency_key": key})
    assert again.status_code == 302 and again["Location"] == placed["Location"]  # the same order
    with tenant_scope(tenant_a):
        order = Order.objects.get()
        assert order.total == Decimal("62.00") and order.status == OrderStatus.PENDING
        assert order.flower_grams == Decimal("7")
        assert Product.objects.get(pk=shop["kush"].pk).stock == 10
        assert not CartItem.objects.filter(user=patient).exists()
    assert len(mail.outbox) == 1
    assert order.reference in mail.outbox[0].subject and "62.00 GBP" in mail.outbox[0].body
    account = client.get("/store/alpha/account/").content.decode()
    assert order.reference in account and "Pending" in account


def test_checkout_refuses_beyond_the_allowance_and_shows_what_remains(patient_client, shop, tenant_a):
    add(patient_client, shop["oil"], 7)  # 35 g of flower equivalent, allowance 30 g
    response = patient_client.post(
        "/store/alpha/checkout/", {**ADDRESS, "step": "place", "idempotency_key": "x"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "only 30.0 g of your 30.0 g allowance remain" in html
    with tenant_scope(tenant_a):
        assert not Order.objects.exists()
        assert Product.objects.get(pk=shop["oil"].pk).stock == 20


def test_allowance_counts_the_last_30_days(patient_client, shop, tenant_a, patient):
    from commerce.allowance import allowance_for

    add(patient_client, shop["oil"], 5)  # 25 g
    key_page = patient_client.post("/store/alpha/checkout/", {**ADDRESS, "step": "review"}).content.decode()
    key = key_page.split('name="idempotency_key" value="')[1].split('"')[0]
    patient_client.post("/store/alpha/checkout/", {**ADDRESS, "step": "place", "idempotency_key": key})
    with tenant_scope(tenant_a):
        assert allowance_for(patient).remaining == Decimal("5")
    add(patient_client, shop["kush"], 6)  # 6 g more: over
    html = patient_client.get("/store/alpha/checkout/").content.decode()
    assert "only 5.0 g of your 30.0 g allowance remain" in html


def test_patient_without_allowance_cannot_order(client, shop, tenant_a, make_user):
    user = make_patient(tenant_a, make_user, allowance=None, email="noallow@alpha.example")
    log_in(client, tenant_a, user)
    add(client, shop["kush"])
    html = client.get("/store/alpha/checkout/").content.decode()
    assert "No prescribed allowance is set for your account yet" in html


def test_placing_an_order_stays_within_its_statement_budget(patient_client, shop, patient):
    """Query budget of "Place order" (a signed-in patient, persisted cart, one product):
    the session is not written back and no savepoint is opened for an empty merge."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add(patient_client, shop["kush"], 2)
    with CaptureQueriesContext(connection) as captured:
        placed = patient_client.post(
            "/store/alpha/checkout/", {**ADDRESS, "step": "place", "idempotency_key": "b1"}
        )
    assert placed.status_code == 302
    statements = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in statements if s.startswith('UPDATE "django_session"')], statements
    assert len(statements) <= BUDGET_PLACE_ORDER, "\n".join(statements)


# The request's tenant scope, session and user, the idempotency look-ups, the cart, the
# locked profile, products, allowance, the order with its line, event, audit entry and
# webhook endpoints (inside a nested tenant scope: savepoint and set_config twice), the
# stock update and sold-out check, emptying the cart: 32 today.
BUDGET_PLACE_ORDER = 32
