"""Every call of the Dr. Green contract, through the real client against the real fake server."""

from __future__ import annotations

import math
from decimal import Decimal

import httpx
import pytest

from integrations.drgreen import signing
from integrations.drgreen.errors import AuthError, Conflict, NotFound, ValidationFailed
from integrations.drgreen.types import Strain

from .conftest import registration, strain_not_sold_in, strains_in


def last_request(fake, route: str) -> dict:
    log = fake.control("GET", "/requests")["log"]
    return next(entry for entry in reversed(log) if entry["route"] == route.split(" ", 1)[1])


# ---------------------------------------------------------------------------
# Strains
# ---------------------------------------------------------------------------


def test_strains_come_in_pages_and_the_iterator_walks_them_all(dg, fake):
    first = dg.list_strains("PT", page=1, take=7)
    second = dg.list_strains("PT", page=2, take=7)

    total = first.meta.item_count
    assert total >= 24  # a realistic catalog
    assert len(first.items) == 7 and first.meta.page_count == math.ceil(total / 7)
    assert (first.meta.has_previous_page, first.meta.has_next_page) == (False, True)
    assert (second.meta.page, second.meta.has_previous_page) == (2, True)
    assert not {s.id for s in first.items} & {s.id for s in second.items}
    last = dg.list_strains("PT", page=first.meta.page_count, take=7)
    assert last.meta.has_next_page is False and len(last.items) == total - 7 * (first.meta.page_count - 1)

    before = fake.requests("GET /dapp/strains")
    every = list(dg.iter_strains("PT", take=7))
    assert len(every) == total == len({s.id for s in every})
    assert fake.requests("GET /dapp/strains") - before == first.meta.page_count


def test_strains_are_filtered_by_country_sent_as_alpha3(dg, fake):
    gb = strains_in(dg, "GB")
    assert last_request(fake, "GET /dapp/strains")["query"].startswith("countryCode=GBR&")
    assert [s.id for s in strains_in(dg, "GBR")] == [s.id for s in gb]
    za = strains_in(dg, "ZA")
    assert {s.id for s in gb} != {s.id for s in za}
    for strain in za:
        assert isinstance(strain, Strain)
        location = strain.location("ZA")
        assert location and location.is_active and location.is_available
        assert strain.price_in("ZAR").retail_price == strain.retail_price  # the country's own price list
    not_in_gb = strain_not_sold_in(fake, "GBR")
    assert not_in_gb["id"] not in {s.id for s in gb}


def test_strain_fields_are_typed(dg):
    strain = dg.list_strains("GB", take=1).items[0]
    assert strain.type in ("Hybrid", "Sativa", "Indica")
    assert isinstance(strain.thc, Decimal) and isinstance(strain.cbd, Decimal)
    assert strain.image_url.startswith("http") and strain.images[0].url
    assert {p.currency for p in strain.prices} == {"GBP", "EUR", "ZAR", "THB"}
    assert {loc.country_code for loc in strain.locations} <= {"GBR", "PRT", "ZAF", "THA"}
    assert strain.feelings and strain.helps_with and strain.expiry_date is not None


def test_strains_can_be_searched(dg):
    found = dg.list_strains("GB", search="kush", take=100).items
    assert len(found) >= 3 and all("kush" in s.name.lower() for s in found)


def test_unknown_country_is_refused_before_anything_is_sent(dg, fake):
    with pytest.raises(ValueError, match="country"):
        dg.list_strains("XX")
    assert fake.requests() == 0


def test_validation_errors_come_back_as_one_message(dg):
    with pytest.raises(ValidationFailed) as caught:
        dg.list_strains("GB", page=0, take=500)
    assert caught.value.message == "page must not be less than 1, take must not be greater than 100"
    assert caught.value.status == 400


def test_one_strain(dg, fake):
    listed = dg.list_strains("PT", take=1).items[0]
    strain = dg.get_strain(listed.id, "PT")
    assert (strain.id, strain.name, strain.retail_price) == (listed.id, listed.name, listed.retail_price)
    assert last_request(fake, "GET /dapp/strains/:strainId")["query"] == "countryCode=PRT"
    with pytest.raises(NotFound):
        dg.get_strain("00000000-0000-0000-0000-000000000000", "PT")
    with pytest.raises(NotFound):
        dg.get_strain(strain_not_sold_in(fake, "PRT")["id"], "PT")


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------


def test_register_client(dg, fake):
    result = dg.register_client(registration(email="Ana.Silva@Example.COM"))

    assert result.client.email == "ana.silva@example.com"  # lowercased before sending
    assert (result.client.admin_approval, result.client.is_kyc_verified, result.client.is_active) == (
        "PENDING",
        False,
        False,
    )
    assert result.client.cart_id and result.client.shipping_countries == ("PRT",)
    assert result.message == "KYC link has been sent to client at ana.silva@example.com"
    assert result.kyc_link == f"{fake.url}/kyc/{result.client.id}"


def test_register_client_without_kyc_link(dg, fake):
    fake.state.kyc_links = False
    assert dg.register_client(registration()).kyc_link == ""


@pytest.mark.parametrize(
    "second",
    [
        {"email": "ANA.SILVA@example.com", "contact_number": "999999999"},
        {"email": "someone.else@example.com", "contact_number": "912345678"},
    ],
    ids=["same-email", "same-phone"],
)
def test_duplicate_email_or_phone_is_a_conflict(dg, make_client, second):
    first = dg.register_client(registration())
    with pytest.raises(Conflict) as caught:
        dg.register_client(registration(**second))
    assert caught.value.status == 409
    assert dg.get_client(first.client.id).email == "ana.silva@example.com"
    # Another dispensary (another key) may register the same person.
    assert make_client().register_client(registration(**second)).client.id != first.client.id


def test_registration_validation_is_one_comma_joined_message(dg):
    body = registration().to_api()
    body.update(email="not-an-email", contactNumber="12")
    body["shipping"]["countryCode"] = "PT"
    with pytest.raises(ValidationFailed) as caught:
        dg.register_client(body)
    assert caught.value.message == (
        "email must be an email, contactNumber must be a phone number of 6 to 15 digits, "
        "shipping.countryCode must be a valid ISO 3166-1 alpha-3 code"
    )


def test_get_client(dg):
    registered = dg.register_client(registration()).client
    client = dg.get_client(registered.id)
    assert client == registered
    assert client.can_order is False
    with pytest.raises(NotFound):
        dg.get_client("00000000-0000-0000-0000-000000000000")


# ---------------------------------------------------------------------------
# Cart
# ---------------------------------------------------------------------------


@pytest.fixture
def patient(dg):
    return dg.register_client(registration()).client


@pytest.fixture
def in_stock(dg):
    return [s for s in strains_in(dg, "PT") if s.stock_quantity >= 10]


def test_cart_add_and_remove(dg, patient, in_stock):
    a, b = in_stock[0], in_stock[1]
    cart = dg.add_to_cart(patient.cart_id, [(a.id, "2.5"), (b.id, 1)])
    assert cart.id == patient.cart_id
    assert {line.strain_id: line.quantity for line in cart.items} == {
        a.id: Decimal("2.5"),
        b.id: Decimal("1"),
    }

    cart = dg.add_to_cart(patient.cart_id, [(a.id, "0.125")])
    assert {line.strain_id: line.quantity for line in cart.items}[a.id] == Decimal("2.625")

    cart = dg.remove_from_cart(patient.cart_id, a.id)
    assert [line.strain_id for line in cart.items] == [b.id]
    with pytest.raises(NotFound):
        dg.remove_from_cart(patient.cart_id, a.id)
    assert dg.remove_from_cart(patient.cart_id).items == ()


def test_cart_refuses_a_strain_not_sold_in_the_clients_country(dg, fake, patient, in_stock):
    foreign = strain_not_sold_in(fake, "PRT")
    with pytest.raises(ValidationFailed, match="not available in PRT"):
        dg.add_to_cart(patient.cart_id, [(in_stock[0].id, 1), (foreign["id"], 1)])
    # Nothing of the refused request was added.
    assert [line.strain_id for line in dg.add_to_cart(patient.cart_id, [(in_stock[1].id, 1)]).items] == [
        in_stock[1].id
    ]


def test_cart_refuses_more_than_the_stock(dg, fake, keys, patient, in_stock):
    strain = in_stock[0]
    fake.set_stock(strain.id, "PRT", 3, api_key=keys.api_key)
    assert dg.get_strain(strain.id, "PT").stock_quantity == 3
    with pytest.raises(ValidationFailed, match=f"Insufficient stock for {strain.name} in PRT: 3 g available"):
        dg.add_to_cart(patient.cart_id, [(strain.id, "3.5")])
    assert dg.add_to_cart(patient.cart_id, [(strain.id, 3)]).items[0].quantity == 3


def test_cart_quantities_are_checked_before_sending(dg, patient, in_stock):
    with pytest.raises(ValueError, match="3 decimals"):
        dg.add_to_cart(patient.cart_id, [(in_stock[0].id, "0.0001")])
    with pytest.raises(ValueError):
        dg.add_to_cart(patient.cart_id, [])


def test_an_unknown_cart_is_not_found_although_the_api_answers_500(dg, fake):
    with pytest.raises(NotFound) as caught:
        dg.remove_from_cart("00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 500
    assert fake.requests("DELETE /dapp/carts/:cartId") == 1


# ---------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------


def test_order_is_refused_until_the_client_is_verified_and_approved(dg, fake, patient, in_stock):
    strain = in_stock[0]
    dg.add_to_cart(patient.cart_id, [(strain.id, 2)])
    with pytest.raises(ValidationFailed, match="KYC is not verified"):
        dg.create_order(patient.id)

    fake.verify_client(patient.id)
    with pytest.raises(ValidationFailed, match="admin approval is PENDING"):
        dg.create_order(patient.id)

    fake.approve_client(patient.id)
    assert dg.get_client(patient.id).can_order
    order = dg.create_order(patient.id)

    price = strain.price_in("EUR").retail_price
    assert (order.order_status, order.payment_status, order.admin_approval) == (
        "PENDING",
        "PENDING",
        "PENDING",
    )
    assert order.client_id == patient.id and order.invoice_number
    assert order.total_amount == price * 2
    assert [(line.strain_id, line.quantity, line.product_amount) for line in order.lines] == [
        (strain.id, 2, price * 2)
    ]
    assert dg.get_strain(strain.id, "PT").stock_quantity == strain.stock_quantity - 2
    with pytest.raises(ValidationFailed, match="Cart is empty"):
        dg.create_order(patient.id)


def test_a_rejected_client_cannot_order(dg, fake, patient, in_stock):
    dg.add_to_cart(patient.cart_id, [(in_stock[0].id, 1)])
    fake.verify_client(patient.id)
    fake.reject_client(patient.id)
    client = dg.get_client(patient.id)
    assert (client.admin_approval, client.is_active) == ("REJECTED", False)
    with pytest.raises(ValidationFailed, match="admin approval is REJECTED"):
        dg.create_order(patient.id)


@pytest.fixture
def approved(dg, fake, patient):
    fake.verify_client(patient.id)
    fake.approve_client(patient.id)
    return patient


def test_orders_are_listed_per_client_and_follow_status_changes(dg, fake, approved, in_stock, make_client):
    orders = []
    for strain in in_stock[:3]:
        dg.add_to_cart(approved.cart_id, [(strain.id, 1)])
        orders.append(dg.create_order(approved.id))
    other = dg.register_client(registration(email="bo@example.com", contact_number="933333333")).client

    listed = dg.list_orders(approved.id)
    assert [o.id for o in listed.items] == [o.id for o in reversed(orders)]  # newest first
    assert listed.meta.item_count == 3
    assert last_request(fake, "GET /dapp/orders")["query"] == (
        f"clientIds=%5B%22{approved.id}%22%5D&page=1&take=10"
    )
    paged = dg.list_orders([approved.id, other.id], page=2, take=2, order_by="asc")
    assert [o.id for o in paged.items] == [orders[2].id]
    assert (paged.meta.page_count, paged.meta.has_next_page) == (2, False)
    assert dg.list_orders(other.id).items == ()

    fake.set_order(orders[0].id, orderStatus="PROCESSING", adminApproval="VERIFIED")
    fake.set_order(orders[0].id, orderStatus="SHIPPED", paymentStatus="PAID")
    shipped = dg.get_order(orders[0].id)
    assert (shipped.order_status, shipped.payment_status, shipped.admin_approval) == (
        "SHIPPED",
        "PAID",
        "VERIFIED",
    )
    assert {o.id: o.order_status for o in dg.list_orders(approved.id).items}[orders[0].id] == "SHIPPED"
    with pytest.raises(NotFound):
        dg.get_order("00000000-0000-0000-0000-000000000000")


def test_control_endpoint_refuses_unknown_statuses(fake, dg, approved, in_stock):
    dg.add_to_cart(approved.cart_id, [(in_stock[0].id, 1)])
    order = dg.create_order(approved.id)
    with pytest.raises(Exception, match="400"):
        fake.set_order(order.id, orderStatus="LOST")
    assert dg.get_order(order.id).order_status == "PENDING"


# ---------------------------------------------------------------------------
# Keys and signatures
# ---------------------------------------------------------------------------


def test_a_wrong_secret_is_an_auth_error(make_client, keys, fake):
    impostor = signing.generate_key_pair()
    client = make_client(signing.KeyPair(keys.api_key, impostor.secret_key))
    with pytest.raises(AuthError) as caught:
        client.list_strains("GB")
    assert caught.value.status == 401 and "signature" in caught.value.message


def test_an_api_key_that_is_not_a_key_is_an_auth_error(make_client, keys):
    client = make_client(signing.KeyPair("bm90IGEga2V5", keys.secret_key))
    with pytest.raises(AuthError, match="invalid API key"):
        client.list_strains("GB")


def test_another_key_cannot_touch_a_client(dg, make_client, patient, in_stock):
    stranger = make_client()
    with pytest.raises(AuthError):
        stranger.get_client(patient.id)
    with pytest.raises(AuthError):
        stranger.list_orders(patient.id)
    with pytest.raises(AuthError):
        stranger.add_to_cart(patient.cart_id, [(in_stock[0].id, 1)])
    with pytest.raises(AuthError):
        stranger.create_order(patient.id)
    assert dg.get_client(patient.id).id == patient.id


def _raw(fake, keys, method, path, *, signed_payload, content=None):
    headers = {
        "x-auth-apikey": keys.api_key,
        "x-auth-signature": signing.sign(signed_payload, keys.secret_key),
        "Content-Type": "application/json",
    }
    return httpx.request(method, fake.api_url + path, content=content, headers=headers, timeout=5)


def test_the_fake_really_verifies_what_was_signed(fake, keys, dg, patient):
    body = signing.body_bytes({"clientCartId": patient.cart_id, "items": [{"strainId": "x", "quantity": 1}]})
    tampered = body.replace(b'"quantity":1', b'"quantity":9')
    assert (
        _raw(fake, keys, "POST", "/dapp/carts", signed_payload=body.decode(), content=tampered).status_code
        == 401
    )

    # Same bytes as signed: accepted as far as the signature goes (the strain is unknown).
    assert (
        _raw(fake, keys, "POST", "/dapp/carts", signed_payload=body.decode(), content=body).status_code == 404
    )

    query = "countryCode=GBR&page=1&take=1"
    assert _raw(fake, keys, "GET", f"/dapp/strains?{query}", signed_payload=query).status_code == 200
    swapped = _raw(fake, keys, "GET", "/dapp/strains?countryCode=PRT&page=1&take=1", signed_payload=query)
    assert swapped.status_code == 401
    assert swapped.json() == {
        "success": False,
        "message": "Unauthorized: invalid signature",
        "errorCode": 401,
        "error": "Unauthorized",
        "url": "/api/v1/dapp/strains?countryCode=PRT&page=1&take=1",
        "urlMethod": "GET",
    }

    own = _raw(
        fake, keys, "GET", f"/dapp/clients/{patient.id}", signed_payload=f'{{"clientId":"{patient.id}"}}'
    )
    assert own.status_code == 200 and own.json()["data"]["id"] == patient.id
    other_id = _raw(
        fake, keys, "GET", f"/dapp/clients/{patient.id}", signed_payload='{"clientId":"someone-else"}'
    )
    assert other_id.status_code == 401
    unsigned = httpx.get(
        fake.api_url + "/dapp/strains?countryCode=GBR", headers={"x-auth-apikey": keys.api_key}
    )
    assert unsigned.status_code == 401
