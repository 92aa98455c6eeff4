"""Commerce against the fake Dr. Green over HTTP: catalog sync and supplier orders."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import pytest

from commerce.drgreen_sync import sync_tenant
from commerce.models import Order, OrderStatus, Product, SupplierState
from commerce.orders import DeliveryAddress, place_order
from commerce.supplier import poll_open_orders
from integrations.drgreen.credentials import store_credentials
from integrations.drgreen.signing import generate_key_pair
from sites.context import tenant_scope
from tests.commerce.conftest import add_product, make_patient
from tests.integrations.conftest import registration

pytestmark = pytest.mark.django_db

HOME = DeliveryAddress("Ada Patient", "1 High Street", "London", "N1 9GU", "GB")


@pytest.fixture
def connected(tenant_a, fake, settings):
    """Tenant alpha (GB) with its own key pair at the fake server; fast failures."""
    settings.DRGREEN_RETRIES = 0
    settings.DRGREEN_TIMEOUT = 2.0
    settings.DRGREEN_BREAKER_THRESHOLD = 100
    pair = generate_key_pair()
    store_credentials(tenant_a, pair.api_key, pair.secret_key, base_url=fake.api_url)
    return pair


def sold_in_gb(fake) -> list[dict]:
    from integrations.drgreen.fake.api import sold_in

    return [s for s in fake.state.catalog if sold_in(s, "GBR")]


def synced(tenant):
    with tenant_scope(tenant):
        return sync_tenant(tenant)


def test_sync_creates_products_with_the_suppliers_gbp_prices(tenant_a, connected, fake):
    summary = synced(tenant_a)
    strains = sold_in_gb(fake)
    assert summary.fetched == len(strains) and summary.created == len(strains)
    with tenant_scope(tenant_a):
        first = strains[0]
        product = Product.objects.get(drgreen_strain_id=first["id"])
        gbp = next(p["retailPrice"] for p in first["prices"] if p["currency"] == "GBP")
        assert product.price == Decimal(str(gbp)).quantize(Decimal("0.01")) and product.currency == "GBP"
        assert product.is_available_in("GB") and product.name == first["name"]
    again = synced(tenant_a)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(strains))


def test_sync_updates_changed_stock_and_unpublishes_what_disappeared(tenant_a, connected, fake, client):
    synced(tenant_a)
    strains = sold_in_gb(fake)
    changed, vanished = strains[0], strains[1]
    fake.set_stock(changed["id"], "GBR", 7, api_key=connected.api_key)
    location = next(loc for loc in vanished["strainLocations"] if loc["location"]["countryCode"] == "GBR")
    location["isAvailable"] = False
    try:
        summary = synced(tenant_a)
    finally:
        location["isAvailable"] = True
    assert summary.updated == 1 and summary.unpublished == 1
    with tenant_scope(tenant_a):
        assert Product.objects.get(drgreen_strain_id=changed["id"]).stock == 7
        gone = Product.objects.get(drgreen_strain_id=vanished["id"])
        assert gone.is_published is False
    assert client.get(f"/store/alpha/products/{gone.slug}/").status_code == 404


def test_sync_command_shows_progress_and_a_summary(tenant_a, connected, fake):
    out = io.StringIO()
    call_command("sync_drgreen", "--tenant", "alpha", stdout=out)
    text = out.getvalue()
    total = len(sold_in_gb(fake))
    assert f"] {total}/{total}" in text and "#" * 30 in text
    assert f"alpha: {total} strains, {total} created" in text


def test_sync_command_reports_an_outage_without_a_traceback(tenant_a, connected, fake):
    from django.core.management.base import CommandError

    fake.fail("error", status=503, path="/dapp/strains")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 tenant"):
        call_command("sync_drgreen", "--tenant", "alpha", stdout=io.StringIO(), stderr=err)
    assert "Dr. Green sync failed" in err.getvalue()
    with tenant_scope(tenant_a):
        assert not Product.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_syncs_create_each_product_once(tenant_a, connected, fake):
    errors: list[Exception] = []

    def run():
        try:
            synced(tenant_a)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with tenant_scope(tenant_a):
        assert Product.objects.count() == len(sold_in_gb(fake))


@pytest.fixture
def supplier_patient(tenant_a, connected, make_user, make_client, fake):
    """A verified patient with a Dr. Green client record that may order."""
    dg = make_client(connected)
    client_id = dg.register_client(registration(email="ada@example.com", country="GB")).client.id
    fake.verify_client(client_id)
    fake.approve_client(client_id)
    user = make_patient(tenant_a, make_user, email="ada@alpha.example")
    with tenant_scope(tenant_a):
        profile = user.patient_profile
        profile.drgreen_client_id = client_id
        profile.save()
    return user


def place(tenant, user, product, quantity, capture) -> Order:
    with capture(execute=True), tenant_scope(tenant):
        order = place_order(tenant, user, [(product.pk, quantity)], HOME).order
    with tenant_scope(tenant):
        return Order.objects.get(pk=order.pk)


def in_stock_product(tenant) -> Product:
    with tenant_scope(tenant):
        return Product.objects.filter(stock__gte=5).exclude(drgreen_strain_id="").first()


def test_placed_order_is_mirrored_and_follows_the_suppliers_status(
    tenant_a, supplier_patient, fake, django_capture_on_commit_callbacks
):
    synced(tenant_a)
    product = in_stock_product(tenant_a)
    order = place(tenant_a, supplier_patient, product, 3, django_capture_on_commit_callbacks)
    assert order.supplier_state == SupplierState.PLACED and order.supplier_order_id
    assert order.supplier_invoice_number and order.supplier_approval == "PENDING"
    remote = fake.state.find("orders", order.supplier_order_id)[1]
    assert [(line["quantity"]) for line in remote["orderLines"]] in ([3], [3.0], [Decimal("3")])

    fake.set_order(
        order.supplier_order_id, adminApproval="VERIFIED", paymentStatus="PAID", orderStatus="SHIPPED"
    )
    with tenant_scope(tenant_a):
        summary = poll_open_orders(tenant_a)
        order.refresh_from_db()
        assert summary["changed"] == 1
        assert order.status == OrderStatus.SHIPPED and order.supplier_payment_status == "PAID"
        steps = list(order.events.values_list("to_status", "actor_label"))
        assert steps == [
            ("PENDING", f"patient #{supplier_patient.pk}"),
            ("CONFIRMED", "supplier"),
            ("PAID", "supplier"),
            ("SHIPPED", "supplier"),
        ]


def test_supplier_failure_is_recorded_retried_and_shown_to_staff(
    tenant_a, supplier_patient, fake, django_capture_on_commit_callbacks, client, make_user
):
    from sites.models import Role
    from tests.conftest import PASSWORD

    synced(tenant_a)
    product = in_stock_product(tenant_a)
    fake.fail("error", status=500, path="/dapp/carts")
    order = place(tenant_a, supplier_patient, product, 2, django_capture_on_commit_callbacks)
    assert order.status == OrderStatus.PENDING  # the patient's order stands
    assert order.supplier_state == SupplierState.RETRYING and order.supplier_attempts == 1
    assert "500" in order.supplier_error and order.supplier_next_attempt_at > timezone.now()

    owner = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    assert client.login(username=owner.email, password=PASSWORD)
    detail = client.get(f"/admin/snippets/commerce/order/edit/{order.pk}/").content.decode()
    assert "Failed, retrying" in detail and "Last error (attempt 1)" in detail

    with tenant_scope(tenant_a):
        poll_open_orders(tenant_a)  # not due yet: nothing is sent
        order.refresh_from_db()
        assert order.supplier_attempts == 1
        fake.clear_failures()
        Order.objects.filter(pk=order.pk).update(supplier_next_attempt_at=timezone.now())
        summary = poll_open_orders(tenant_a)
        order.refresh_from_db()
    assert summary["retried"] == 1
    assert (
        order.supplier_state == SupplierState.PLACED and order.supplier_order_id and not order.supplier_error
    )


def test_orders_of_unconnected_tenants_are_not_mirrored(
    tenant_b, make_user, django_capture_on_commit_callbacks
):
    product = add_product(tenant_b, "Bravo Exclusive", currency="EUR", available_countries="PT")
    patient = make_patient(tenant_b, make_user, email="p@bravo.example")
    with django_capture_on_commit_callbacks(execute=True), tenant_scope(tenant_b):
        lisbon = DeliveryAddress("P", "Rua 1", "Lisboa", "1200", "PT")
        order = place_order(tenant_b, patient, [(product.pk, 1)], lisbon).order
    assert order.supplier_state == SupplierState.NOT_CONNECTED


def test_sync_announces_changed_and_withdrawn_products_to_webhooks(
    tenant_a, connected, fake, receiver, django_capture_on_commit_callbacks
):
    from integrations.webhooks import services

    synced(tenant_a)
    services.create_endpoint(tenant_a, url=receiver.url, events=["product.updated"])
    strains = sold_in_gb(fake)
    changed, vanished = strains[0], strains[1]
    fake.set_stock(changed["id"], "GBR", 7, api_key=connected.api_key)
    location = next(loc for loc in vanished["strainLocations"] if loc["location"]["countryCode"] == "GBR")
    location["isAvailable"] = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            synced(tenant_a)
        with django_capture_on_commit_callbacks(execute=True):
            synced(tenant_a)  # nothing changed since: nothing announced
    finally:
        location["isAvailable"] = True

    announced = {
        r.json["data"]["product"]["drgreen_strain_id"]: r.json["data"]["product"] for r in receiver.received
    }
    assert set(announced) == {changed["id"], vanished["id"]} and len(receiver.received) == 2
    assert announced[changed["id"]]["stock"] == 7 and announced[changed["id"]]["is_published"] is True
    assert announced[vanished["id"]]["is_published"] is False
