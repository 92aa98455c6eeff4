"""The contract's endpoints, as the fake server implements them (DRGREEN_API.md).

Each handler takes the caller's :class:`KeyState` and the parsed request and returns
``(status, message, data)`` or raises :class:`ApiError`. Validation problems are
collected and answered as one comma-joined message, as the real service does.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from .catalog import COUNTRIES
from .state import ApiError, FakeState, KeyState

Result = tuple[int, str, Any]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
ORDER_STATUSES = ("PENDING", "PROCESSING", "SHIPPED", "DELIVERED")
PAYMENT_STATUSES = ("PENDING", "PAID")
APPROVALS = ("PENDING", "VERIFIED", "REJECTED")


@dataclass
class Request:
    state: FakeState
    keys: KeyState
    params: dict[str, str]
    query: dict[str, str]
    body: Any


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _num(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------


def page_options(query: dict[str, str], errors: list[str], default_order: str) -> tuple[int, int, str]:
    def integer(name: str, default: int, low: int, high: int | None) -> int:
        raw = query.get(name, "")
        if raw == "":
            return default
        if not re.fullmatch(r"-?\d+", raw):
            errors.append(f"{name} must be an integer number")
            return default
        value = int(raw)
        if value < low:
            errors.append(f"{name} must not be less than {low}")
        elif high is not None and value > high:
            errors.append(f"{name} must not be greater than {high}")
        return value

    page = integer("page", 1, 1, None)
    take = integer("take", 10, 1, 100)
    order = (query.get("orderBy") or default_order).lower()
    if order not in ("asc", "desc"):
        errors.append("orderBy must be one of the following values: asc, desc")
    return page, take, order


def paginate(items: list[Any], key: str, page: int, take: int) -> dict[str, Any]:
    count = len(items)
    pages = math.ceil(count / take) if count else 0
    return {
        key: items[(page - 1) * take : page * take],
        "pageMetaDto": {
            "page": page,
            "take": take,
            "itemCount": count,
            "pageCount": pages,
            "hasPreviousPage": page > 1,
            "hasNextPage": page < pages,
        },
    }


def fail_if(errors: list[str]) -> None:
    if errors:
        raise ApiError(400, ", ".join(errors))


# ---------------------------------------------------------------------------
# Strains
# ---------------------------------------------------------------------------


def _country(query: dict[str, str], errors: list[str], required: bool) -> str | None:
    code = query.get("countryCode", "")
    if not code:
        if required:
            errors.append("countryCode should not be empty")
        return None
    if not re.fullmatch(r"[A-Z]{3}", code):
        errors.append("countryCode must be a valid ISO 3166-1 alpha-3 code")
        return None
    return code


def _location(strain: dict, country: str) -> dict | None:
    return next((loc for loc in strain["strainLocations"] if loc["location"]["countryCode"] == country), None)


def strain_view(state: FakeState, ks: KeyState, strain_id: str, country: str | None) -> dict:
    """The strain as one key sees it: its stock, and the country's price when one is given."""
    strain = state.strain_copy(strain_id)
    for loc in strain["strainLocations"]:
        loc["stockQuantity"] = _num(ks.stock.get((strain_id, loc["location"]["countryCode"]), Decimal(0)))
    currency = COUNTRIES.get(country or "GBR", "GBP")
    price = next(p for p in strain["prices"] if p["currency"] == currency)
    strain["retailPrice"], strain["wholeSalePrice"] = price["retailPrice"], price["wholeSalePrice"]
    if country:
        loc = _location(strain, country)
        strain["isAvailable"] = bool(loc and loc["isActive"] and loc["isAvailable"])
        strain["stockQuantity"] = loc["stockQuantity"] if loc else 0
    else:
        strain["isAvailable"] = any(loc["isAvailable"] for loc in strain["strainLocations"])
        strain["stockQuantity"] = sum(loc["stockQuantity"] for loc in strain["strainLocations"])
    return strain


def sold_in(strain: dict, country: str) -> bool:
    loc = _location(strain, country)
    return bool(strain["isActive"] and loc and loc["isActive"] and loc["isAvailable"])


def list_strains(req: Request) -> Result:
    errors: list[str] = []
    country = _country(req.query, errors, required=True)
    page, take, order = page_options(req.query, errors, "asc")
    fail_if(errors)
    search = req.query.get("search", "").strip().lower()
    strains = [
        s
        for s in req.state.catalog
        if sold_in(s, country) and (not search or search in s["name"].lower() or search in s["type"].lower())
    ]
    strains.sort(key=lambda s: (s["createdAt"], s["name"]), reverse=order == "desc")
    data = paginate(strains, "strains", page, take)
    with req.state.lock:
        data["strains"] = [strain_view(req.state, req.keys, s["id"], country) for s in data["strains"]]
    return 200, "Strains fetched successfully", data


def get_strain(req: Request) -> Result:
    errors: list[str] = []
    country = _country(req.query, errors, required=False)
    fail_if(errors)
    strain = req.state.strains.get(req.params["strainId"])
    if strain is None or not strain["isActive"] or (country and not sold_in(strain, country)):
        raise ApiError(404, "Strain not found")
    with req.state.lock:
        return 200, "Strain fetched successfully", strain_view(req.state, req.keys, strain["id"], country)


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------


def _text(body: dict, name: str, errors: list[str], prefix: str = "", required: bool = True) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"{prefix}{name} should not be empty")
        return ""
    if not isinstance(value, str):
        errors.append(f"{prefix}{name} must be a string")
        return ""
    return value.strip()


def _string_list(body: dict, name: str, errors: list[str], prefix: str) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(f"{prefix}{name} must be an array of strings")
        return []
    return value


def validate_registration(body: Any) -> dict:
    """The client as stored, from a registration body; unknown fields are dropped."""
    if not isinstance(body, dict):
        raise ApiError(400, "body must be an object")
    errors: list[str] = []
    first = _text(body, "firstName", errors)
    last = _text(body, "lastName", errors)
    email = _text(body, "email", errors)
    if email and not EMAIL_RE.match(email):
        errors.append("email must be an email")
    phone_code = _text(body, "phoneCode", errors)
    if phone_code and not re.fullmatch(r"\+\d{1,4}", phone_code):
        errors.append("phoneCode must be a calling code such as +44")
    phone_country = _text(body, "phoneCountryCode", errors)
    if phone_country and not re.fullmatch(r"[A-Z]{2}", phone_country):
        errors.append("phoneCountryCode must be a valid ISO 3166-1 alpha-2 code")
    number = _text(body, "contactNumber", errors)
    if number and not re.fullmatch(r"\d{6,15}", number):
        errors.append("contactNumber must be a phone number of 6 to 15 digits")

    shipping_in = body.get("shipping")
    shipping: dict[str, Any] = {}
    if not isinstance(shipping_in, dict):
        errors.append("shipping must be an object")
    else:
        for name in ("address1", "city", "country", "postalCode"):
            shipping[name] = _text(shipping_in, name, errors, "shipping.")
        for name in ("address2", "state", "landmark"):
            shipping[name] = _text(shipping_in, name, errors, "shipping.", required=False)
        code = _text(shipping_in, "countryCode", errors, "shipping.")
        if code and not re.fullmatch(r"[A-Z]{3}", code):
            errors.append("shipping.countryCode must be a valid ISO 3166-1 alpha-3 code")
        shipping["countryCode"] = code

    record_in = body.get("medicalRecord")
    record: dict[str, Any] = {}
    if not isinstance(record_in, dict):
        errors.append("medicalRecord must be an object")
    else:
        dob = _text(record_in, "dob", errors, "medicalRecord.")
        if dob:
            try:
                born = date.fromisoformat(dob[:10])
            except ValueError:
                errors.append("medicalRecord.dob must be a valid ISO 8601 date string")
            else:
                today = date.today()
                if (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < 18:
                    errors.append("medicalRecord.dob: client must be at least 18 years old")
        record = {
            "dob": dob,
            "gender": _text(record_in, "gender", errors, "medicalRecord."),
            "medicalConditions": _string_list(record_in, "medicalConditions", errors, "medicalRecord."),
            "otherMedicalCondition": _text(
                record_in, "otherMedicalCondition", errors, "medicalRecord.", False
            ),
            "medicinesTreatments": _string_list(record_in, "medicinesTreatments", errors, "medicalRecord."),
            "otherMedicalTreatments": _text(
                record_in, "otherMedicalTreatments", errors, "medicalRecord.", False
            ),
            "prescriptionsSupplements": _text(
                record_in, "prescriptionsSupplements", errors, "medicalRecord.", False
            ),
        }
        for n in range(17):
            if f"medicalHistory{n}" in record_in:
                record[f"medicalHistory{n}"] = record_in[f"medicalHistory{n}"]
    fail_if(errors)
    client = {
        "firstName": first,
        "lastName": last,
        "email": email.lower(),
        "phoneCode": phone_code,
        "phoneCountryCode": phone_country,
        "contactNumber": number,
        "shippings": [{"id": str(uuid.uuid4()), **shipping}],
        "medicalRecord": record,
    }
    if isinstance(body.get("clientBusiness"), dict):
        client["clientBusiness"] = body["clientBusiness"]
    return client


def register_client(req: Request) -> Result:
    client = validate_registration(req.body)
    ks = req.keys
    with req.state.lock:
        for other in ks.clients.values():
            if other["email"] == client["email"]:
                raise ApiError(409, "Client with this email already exists")
            if (other["phoneCode"], other["contactNumber"]) == (client["phoneCode"], client["contactNumber"]):
                raise ApiError(409, "Client with this phone number already exists")
        client_id, cart_id = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = now_iso()
        client.update(
            id=client_id,
            adminApproval="PENDING",
            isKYCVerified=False,
            isActive=False,
            clientCart=[{"id": cart_id}],
            createdAt=stamp,
            updatedAt=stamp,
        )
        ks.clients[client_id] = client
        ks.carts[cart_id] = {"id": cart_id, "clientId": client_id, "items": {}}
        data: dict[str, Any] = {
            "client": json.loads(json.dumps(client)),
            "message": f"KYC link has been sent to client at {client['email']}",
        }
    if req.state.kyc_links:
        data["kycLink"] = f"{req.state.public_url}/kyc/{client_id}"
    return 201, "Client created successfully", data


def owned(req: Request, kind: str, object_id: str, label: str, *, not_found_status: int = 404) -> dict:
    """The object if this key owns it; 401 if another key does; 404 (or 500) if nobody does."""
    found = req.state.find(kind, object_id)
    if found is None:
        raise ApiError(not_found_status, f"{label} not found")
    ks, obj = found
    if ks is not req.keys:
        raise ApiError(401, f"{label} does not belong to this API key")
    return obj


def get_client(req: Request) -> Result:
    client = owned(req, "clients", req.params["clientId"], "Client")
    with req.state.lock:
        return 200, "Client fetched successfully", json.loads(json.dumps(client))


# ---------------------------------------------------------------------------
# Cart
# ---------------------------------------------------------------------------


def cart_view(req: Request, cart: dict) -> dict:
    client = req.keys.clients[cart["clientId"]]
    currency = COUNTRIES.get(client["shippings"][0]["countryCode"], "GBP")
    items, total = [], Decimal(0)
    for strain_id, quantity in cart["items"].items():
        strain = req.state.strains[strain_id]
        price = Decimal(str(next(p for p in strain["prices"] if p["currency"] == currency)["retailPrice"]))
        amount = (price * quantity).quantize(Decimal("0.01"))
        total += amount
        items.append(
            {
                "strainId": strain_id,
                "quantity": _num(quantity),
                "price": _num(price),
                "amount": _num(amount),
                "strain": {"id": strain_id, "name": strain["name"]},
            }
        )
    return {
        "id": cart["id"],
        "clientId": cart["clientId"],
        "currency": currency,
        "items": items,
        "totalAmount": _num(total),
    }


def _quantity(value: Any, where: str, errors: list[str]) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(f"{where} must be a number")
        return None
    try:
        quantity = Decimal(str(value))
    except InvalidOperation:
        errors.append(f"{where} must be a number")
        return None
    if quantity <= 0:
        errors.append(f"{where} must be a positive number")
    elif quantity != quantity.quantize(Decimal("0.001")):
        errors.append(f"{where} must have at most 3 decimal places")
    return quantity


def add_to_cart(req: Request) -> Result:
    body = req.body if isinstance(req.body, dict) else {}
    errors: list[str] = []
    cart_id = _text(body, "clientCartId", errors)
    items_in = body.get("items")
    wanted: list[tuple[str, Decimal]] = []
    if not isinstance(items_in, list) or not items_in:
        errors.append("items must contain at least 1 elements")
    else:
        for i, item in enumerate(items_in):
            if not isinstance(item, dict):
                errors.append(f"items.{i} must be an object")
                continue
            strain_id = _text(item, "strainId", errors, f"items.{i}.")
            quantity = _quantity(item.get("quantity"), f"items.{i}.quantity", errors)
            if strain_id and quantity is not None:
                wanted.append((strain_id, quantity))
    fail_if(errors)
    with req.state.lock:
        cart = owned(req, "carts", cart_id, "Cart")
        client = req.keys.clients[cart["clientId"]]
        country = client["shippings"][0]["countryCode"]
        additions: dict[str, Decimal] = {}
        for strain_id, quantity in wanted:
            strain = req.state.strains.get(strain_id)
            if strain is None:
                raise ApiError(404, f"Strain {strain_id} not found")
            if not sold_in(strain, country):
                raise ApiError(400, f"{strain['name']} is not available in {country}")
            additions[strain_id] = additions.get(strain_id, Decimal(0)) + quantity
        for strain_id, quantity in additions.items():
            stock = req.keys.stock.get((strain_id, country), Decimal(0))
            if cart["items"].get(strain_id, Decimal(0)) + quantity > stock:
                name = req.state.strains[strain_id]["name"]
                raise ApiError(400, f"Insufficient stock for {name} in {country}: {_num(stock)} g available")
        for strain_id, quantity in additions.items():
            cart["items"][strain_id] = cart["items"].get(strain_id, Decimal(0)) + quantity
        return 201, "Items added to cart", cart_view(req, cart)


def remove_from_cart(req: Request) -> Result:
    with req.state.lock:
        # The real service answers an unknown cart with a 500 "not found".
        cart = owned(req, "carts", req.params["cartId"], "Cart", not_found_status=500)
        strain_id = req.query.get("strainId", "")
        if strain_id:
            if strain_id not in cart["items"]:
                raise ApiError(404, "Strain not found in cart")
            del cart["items"][strain_id]
            message = "Item removed from cart"
        else:
            cart["items"].clear()
            message = "Cart emptied"
        return 200, message, cart_view(req, cart)


# ---------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------


def order_view(order: dict) -> dict:
    return json.loads(json.dumps(order))


def create_order(req: Request) -> Result:
    body = req.body if isinstance(req.body, dict) else {}
    errors: list[str] = []
    client_id = _text(body, "clientId", errors)
    fail_if(errors)
    with req.state.lock:
        client = owned(req, "clients", client_id, "Client")
        missing = []
        if not client["isKYCVerified"]:
            missing.append("KYC is not verified")
        if client["adminApproval"] != "VERIFIED":
            missing.append(f"admin approval is {client['adminApproval']}")
        if not client["isActive"]:
            missing.append("client is not active")
        if missing:
            raise ApiError(400, "Client cannot place orders: " + ", ".join(missing))
        cart = req.keys.carts[client["clientCart"][0]["id"]]
        if not cart["items"]:
            raise ApiError(400, "Cart is empty")
        country = client["shippings"][0]["countryCode"]
        for strain_id, quantity in cart["items"].items():
            if quantity > req.keys.stock.get((strain_id, country), Decimal(0)):
                raise ApiError(
                    400, f"Insufficient stock for {req.state.strains[strain_id]['name']} in {country}"
                )
        view = cart_view(req, cart)
        for strain_id, quantity in cart["items"].items():
            req.keys.stock[(strain_id, country)] -= quantity
        cart["items"].clear()
        req.keys.invoice_seq += 1
        stamp = now_iso()
        order = {
            "id": str(uuid.uuid4()),
            "clientId": client_id,
            "orderStatus": "PENDING",
            "paymentStatus": "PENDING",
            "adminApproval": "PENDING",
            "totalAmount": view["totalAmount"],
            "currency": view["currency"],
            "invoiceNumber": f"DG-INV-{req.keys.fingerprint[:4].upper()}-{req.keys.invoice_seq:06d}",
            "createdAt": stamp,
            "updatedAt": stamp,
            "shipping": client["shippings"][0],
            "orderLines": [
                {
                    "id": str(uuid.uuid4()),
                    "quantity": line["quantity"],
                    "price": line["price"],
                    "productAmount": line["amount"],
                    "strain": line["strain"],
                }
                for line in view["items"]
            ],
        }
        req.keys.orders[order["id"]] = order
        return 201, "Order created successfully", order_view(order)


def _client_ids(raw: str, errors: list[str]) -> list[str] | None:
    if not raw:
        return None
    try:
        ids = json.loads(raw)
    except ValueError:
        ids = [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        errors.append("clientIds must be an array of client ids")
        return None
    return ids


def list_orders(req: Request) -> Result:
    errors: list[str] = []
    ids = _client_ids(req.query.get("clientIds", ""), errors)
    page, take, order = page_options(req.query, errors, "desc")
    fail_if(errors)
    with req.state.lock:
        for client_id in ids or []:
            found = req.state.find("clients", client_id)
            if found is not None and found[0] is not req.keys:
                raise ApiError(401, "Client does not belong to this API key")
        orders = [o for o in req.keys.orders.values() if ids is None or o["clientId"] in ids]
        orders.sort(key=lambda o: (o["createdAt"], o["invoiceNumber"]), reverse=order == "desc")
        return (
            200,
            "Orders fetched successfully",
            paginate([order_view(o) for o in orders], "orders", page, take),
        )


def get_order(req: Request) -> Result:
    with req.state.lock:
        return (
            200,
            "Order fetched successfully",
            order_view(owned(req, "orders", req.params["orderId"], "Order")),
        )


# ---------------------------------------------------------------------------
# Routing
# ---------------------------------------------------------------------------

Handler = Callable[[Request], Result]

ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    ("GET", re.compile(r"^/dapp/strains$"), "/dapp/strains", list_strains),
    ("GET", re.compile(r"^/dapp/strains/(?P<strainId>[^/]+)$"), "/dapp/strains/:strainId", get_strain),
    ("POST", re.compile(r"^/dapp/clients$"), "/dapp/clients", register_client),
    ("GET", re.compile(r"^/dapp/clients/(?P<clientId>[^/]+)$"), "/dapp/clients/:clientId", get_client),
    ("POST", re.compile(r"^/dapp/carts$"), "/dapp/carts", add_to_cart),
    ("DELETE", re.compile(r"^/dapp/carts/(?P<cartId>[^/]+)$"), "/dapp/carts/:cartId", remove_from_cart),
    ("POST", re.compile(r"^/dapp/orders$"), "/dapp/orders", create_order),
    ("GET", re.compile(r"^/dapp/orders$"), "/dapp/orders", list_orders),
    ("GET", re.compile(r"^/dapp/orders/(?P<orderId>[^/]+)$"), "/dapp/orders/:orderId", get_order),
]


def route(method: str, path: str) -> tuple[str, dict[str, str], Handler] | None:
    """``(route name, path parameters, handler)`` for a path below the API prefix."""
    for route_method, pattern, name, handler in ROUTES:
        match = pattern.match(path)
        if match and route_method == method:
            return name, {k: unquote(v) for k, v in match.groupdict().items()}, handler
    return None


# ---------------------------------------------------------------------------
# Status changes (control endpoints)
# ---------------------------------------------------------------------------


def update_client(state: FakeState, client_id: str, changes: dict[str, Any]) -> tuple[KeyState, dict]:
    found = state.find("clients", client_id)
    if found is None:
        raise ApiError(404, "Client not found")
    errors = []
    if "adminApproval" in changes and changes["adminApproval"] not in APPROVALS:
        errors.append(f"adminApproval must be one of the following values: {', '.join(APPROVALS)}")
    for flag in ("isKYCVerified", "isActive"):
        if flag in changes and not isinstance(changes[flag], bool):
            errors.append(f"{flag} must be a boolean value")
    fail_if(errors)
    ks, client = found
    with state.lock:
        for name in ("adminApproval", "isKYCVerified", "isActive"):
            if name in changes:
                client[name] = changes[name]
        client["updatedAt"] = now_iso()
        return ks, json.loads(json.dumps(client))


def update_order(state: FakeState, order_id: str, changes: dict[str, Any]) -> tuple[KeyState, dict, dict]:
    found = state.find("orders", order_id)
    if found is None:
        raise ApiError(404, "Order not found")
    errors = []
    for name, allowed in (
        ("orderStatus", ORDER_STATUSES),
        ("paymentStatus", PAYMENT_STATUSES),
        ("adminApproval", APPROVALS),
    ):
        if name in changes and changes[name] not in allowed:
            errors.append(f"{name} must be one of the following values: {', '.join(allowed)}")
    fail_if(errors)
    ks, order = found
    with state.lock:
        before = {name: order[name] for name in ("orderStatus", "paymentStatus", "adminApproval")}
        for name in before:
            if name in changes:
                order[name] = changes[name]
        order["updatedAt"] = now_iso()
        return ks, order_view(order), before
