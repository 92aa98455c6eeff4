"""Typed values in and out of the Dr. Green API, validated at the boundary.

Answers are parsed into frozen dataclasses by ``from_api``; anything missing or of the
wrong type raises :class:`BadResponse` there, so the rest of BudStack never handles raw
supplier JSON. Unknown fields are ignored (the supplier adds fields freely). Money and
quantities are ``Decimal``; prices are per currency and never converted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from sites.validators import country_alpha3

from .errors import BadResponse

T = TypeVar("T")
_MISSING = object()


def alpha3(country: str) -> str:
    """Dr. Green speaks ISO 3166 alpha-3: ``GB`` -> ``GBR``; an alpha-3 code passes through."""
    code = (country or "").strip().upper()
    if len(code) == 3 and code.isalpha():
        return code
    if len(code) == 2 and code.isalpha():
        try:
            return country_alpha3(code)
        except AttributeError:  # pycountry answered None
            pass
    raise ValueError(f"{country!r} is not an ISO 3166 country code")


class _Fields:
    """Typed access to one JSON object of an answer; errors name the field's path."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise BadResponse(f"{where}: expected an object, got {type(data).__name__}")
        self.data = data
        self.where = where

    def _get(self, key: str, default: Any) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if default is _MISSING:
                raise BadResponse(f"{self.where}.{key} is missing")
            return default
        return value

    def _fail(self, key: str, expected: str, value: Any) -> BadResponse:
        return BadResponse(f"{self.where}.{key}: expected {expected}, got {value!r}"[:300])

    def str(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self._fail(key, "a string", value)
        return str(value)

    def bool(self, key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "a boolean", value)
        return value

    def int(self, key: str, default: Any = _MISSING) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer", value)
        return value

    def decimal(self, key: str, default: Any = _MISSING) -> Decimal | None:
        value = self._get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise self._fail(key, "a number", value)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self._fail(key, "a number", value) from None
        if not number.is_finite():
            raise self._fail(key, "a finite number", value)
        return number

    def datetime(self, key: str, default: Any = _MISSING) -> datetime | None:
        value = self._get(key, default)
        if value is None:
            return None
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise self._fail(key, "an ISO 8601 date-time", value) from None

    def words(self, key: str) -> tuple[str, ...]:
        """A list of strings, or one comma-separated string (the API uses both)."""
        value = self._get(key, [])
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise self._fail(key, "a list of strings", value)

    def objects(self, key: str, parse: Callable[[Any, str], T], default: Any = _MISSING) -> tuple[T, ...]:
        value = self._get(key, default)
        if not isinstance(value, list):
            raise self._fail(key, "a list", value)
        return tuple(parse(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value))

    def object(self, key: str) -> _Fields:
        return _Fields(self._get(key, _MISSING), f"{self.where}.{key}")


# ---------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageMeta:
    page: int
    take: int
    item_count: int
    page_count: int
    has_previous_page: bool
    has_next_page: bool

    @classmethod
    def from_api(cls, data: Any, where: str = "pageMetaDto") -> PageMeta:
        f = _Fields(data, where)
        return cls(
            page=f.int("page"),
            take=f.int("take"),
            item_count=f.int("itemCount"),
            page_count=f.int("pageCount"),
            has_previous_page=f.bool("hasPreviousPage"),
            has_next_page=f.bool("hasNextPage"),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    meta: PageMeta

    @classmethod
    def from_api(cls, data: Any, items_key: str, parse: Callable[[Any, str], T]) -> Page[T]:
        f = _Fields(data, "data")
        return cls(items=f.objects(items_key, parse), meta=PageMeta.from_api(data.get("pageMetaDto")))


# ---------------------------------------------------------------------------
# Strains
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    currency: str
    retail_price: Decimal
    wholesale_price: Decimal | None = None

    @classmethod
    def from_api(cls, data: Any, where: str) -> Price:
        f = _Fields(data, where)
        return cls(f.str("currency").upper(), f.decimal("retailPrice"), f.decimal("wholeSalePrice", None))


@dataclass(frozen=True)
class StrainImage:
    url: str
    alt_text: str = ""

    @classmethod
    def from_api(cls, data: Any, where: str) -> StrainImage:
        f = _Fields(data, where)
        return cls(f.str("strainImageUrl"), f.str("altText", ""))


@dataclass(frozen=True)
class StrainLocation:
    country_code: str
    is_active: bool
    is_available: bool
    stock_quantity: Decimal

    @classmethod
    def from_api(cls, data: Any, where: str) -> StrainLocation:
        f = _Fields(data, where)
        return cls(
            country_code=f.object("location").str("countryCode").upper(),
            is_active=f.bool("isActive", True),
            is_available=f.bool("isAvailable", True),
            stock_quantity=f.decimal("stockQuantity", Decimal(0)),
        )


@dataclass(frozen=True)
class Strain:
    id: str
    name: str
    type: str
    description: str = ""
    thc: Decimal | None = None
    cbd: Decimal | None = None
    cbg: Decimal | None = None
    retail_price: Decimal | None = None
    wholesale_price: Decimal | None = None
    batch_number: str = ""
    feelings: tuple[str, ...] = ()
    helps_with: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    flavour: tuple[str, ...] = ()
    popularity: Decimal | None = None
    image_url: str = ""
    is_available: bool = True
    is_active: bool = True
    stock_quantity: Decimal | None = None
    expiry_date: datetime | None = None
    discount: Decimal | None = None
    images: tuple[StrainImage, ...] = ()
    prices: tuple[Price, ...] = ()
    locations: tuple[StrainLocation, ...] = ()

    @classmethod
    def from_api(cls, data: Any, where: str = "strain") -> Strain:
        f = _Fields(data, where)
        return cls(
            id=f.str("id"),
            name=f.str("name"),
            type=f.str("type", ""),
            description=f.str("description", ""),
            thc=f.decimal("thc", None),
            cbd=f.decimal("cbd", None),
            cbg=f.decimal("cbg", None),
            retail_price=f.decimal("retailPrice", None),
            wholesale_price=f.decimal("wholeSalePrice", None),
            batch_number=f.str("batchNumber", ""),
            feelings=f.words("feelings"),
            helps_with=f.words("helpsWith"),
            effects=f.words("effects"),
            flavour=f.words("flavour"),
            popularity=f.decimal("popularity", None),
            image_url=f.str("imageUrl", ""),
            is_available=f.bool("isAvailable", True),
            is_active=f.bool("isActive", True),
            stock_quantity=f.decimal("stockQuantity", None),
            expiry_date=f.datetime("expiryDate", None),
            discount=f.decimal("discount", None),
            images=f.objects("strainImages", StrainImage.from_api, []),
            prices=f.objects("prices", Price.from_api, []),
            locations=f.objects("strainLocations", StrainLocation.from_api, []),
        )

    def price_in(self, currency: str) -> Price | None:
        """The fixed price in ``currency`` (never converted from another currency)."""
        return next((p for p in self.prices if p.currency == currency.upper()), None)

    def location(self, country: str) -> StrainLocation | None:
        code = alpha3(country)
        return next((loc for loc in self.locations if loc.country_code == code), None)

    def sold_in(self, country: str) -> bool:
        loc = self.location(country)
        return bool(loc and loc.is_active and loc.is_available and loc.stock_quantity > 0)


# ---------------------------------------------------------------------------
# Clients (patients) and their registration
# ---------------------------------------------------------------------------

ADMIN_APPROVALS = ("PENDING", "VERIFIED", "REJECTED")
_HISTORY_KEY = re.compile(r"^medicalHistory(1[0-6]|[0-9])$")


@dataclass
class ShippingAddress:
    address1: str
    city: str
    postal_code: str
    country: str
    country_code: str  # alpha-2 or alpha-3; sent as alpha-3
    state: str = ""
    address2: str = ""
    landmark: str = ""

    def to_api(self) -> dict[str, str]:
        payload = {
            "address1": self.address1,
            "address2": self.address2,
            "city": self.city,
            "state": self.state,
            "country": self.country,
            "countryCode": alpha3(self.country_code),
            "postalCode": self.postal_code,
        }
        if self.landmark:
            payload["landmark"] = self.landmark
        return payload


@dataclass
class MedicalRecord:
    dob: date
    gender: str
    medical_conditions: list[str] = field(default_factory=list)
    other_medical_condition: str = ""
    medicines_treatments: list[str] = field(default_factory=list)
    other_medical_treatments: str = ""
    prescriptions_supplements: str = ""
    history: dict[str, Any] = field(default_factory=dict)  # medicalHistory0..16, as the API names them

    def to_api(self) -> dict[str, Any]:
        unknown = [key for key in self.history if not _HISTORY_KEY.match(key)]
        if unknown:
            raise ValueError(f"not medicalHistory0..16: {', '.join(sorted(unknown))}")
        return {
            "dob": self.dob.isoformat(),
            "gender": self.gender,
            "medicalConditions": list(self.medical_conditions),
            "otherMedicalCondition": self.other_medical_condition,
            "medicinesTreatments": list(self.medicines_treatments),
            "otherMedicalTreatments": self.other_medical_treatments,
            **self.history,
            "prescriptionsSupplements": self.prescriptions_supplements,
        }


@dataclass
class ClientRegistration:
    first_name: str
    last_name: str
    email: str
    phone_code: str  # "+44"
    phone_country_code: str  # alpha-2, "GB"
    contact_number: str
    shipping: ShippingAddress
    medical_record: MedicalRecord
    client_business: dict[str, Any] | None = None

    def to_api(self) -> dict[str, Any]:
        payload = {
            "firstName": self.first_name,
            "lastName": self.last_name,
            "email": self.email.strip().lower(),
            "phoneCode": self.phone_code,
            "phoneCountryCode": self.phone_country_code.upper(),
            "contactNumber": self.contact_number,
            "shipping": self.shipping.to_api(),
            "medicalRecord": self.medical_record.to_api(),
        }
        if self.client_business:
            payload["clientBusiness"] = self.client_business
        return payload


def _cart_id(data: Any, where: str) -> str:
    return _Fields(data, where).str("id")


def _shipping_country(data: Any, where: str) -> str:
    return _Fields(data, where).str("countryCode", "").upper()


@dataclass(frozen=True)
class Patient:
    """A Dr. Green "client": the supplier's record of one of our patients."""

    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    admin_approval: str = "PENDING"
    is_kyc_verified: bool = False
    is_active: bool = False
    cart_ids: tuple[str, ...] = ()
    shipping_countries: tuple[str, ...] = ()
    kyc_link: str = ""

    @classmethod
    def from_api(cls, data: Any, where: str = "client") -> Patient:
        f = _Fields(data, where)
        approval = f.str("adminApproval", "PENDING").upper()
        if approval not in ADMIN_APPROVALS:
            raise BadResponse(f"{where}.adminApproval: unknown value {approval!r}")
        return cls(
            id=f.str("id"),
            email=f.str("email", ""),
            first_name=f.str("firstName", ""),
            last_name=f.str("lastName", ""),
            admin_approval=approval,
            is_kyc_verified=f.bool("isKYCVerified", False),
            is_active=f.bool("isActive", False),
            cart_ids=f.objects("clientCart", _cart_id, []),
            shipping_countries=f.objects("shippings", _shipping_country, []),
            kyc_link=f.str("kycLink", ""),
        )

    @property
    def cart_id(self) -> str | None:
        return self.cart_ids[0] if self.cart_ids else None

    @property
    def can_order(self) -> bool:
        """What the supplier requires before it takes an order."""
        return self.is_active and self.is_kyc_verified and self.admin_approval == "VERIFIED"


@dataclass(frozen=True)
class Registration:
    client: Patient
    message: str = ""
    kyc_link: str = ""  # only some deployments return it; otherwise it is emailed

    @classmethod
    def from_api(cls, data: Any) -> Registration:
        f = _Fields(data, "data")
        client = Patient.from_api(data.get("client"), "data.client")
        return cls(
            client=client, message=f.str("message", ""), kyc_link=f.str("kycLink", "") or client.kyc_link
        )


# ---------------------------------------------------------------------------
# Carts and orders
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CartItem:
    strain_id: str
    quantity: Decimal  # grams, up to 3 decimals

    def to_api(self) -> dict[str, Any]:
        quantity = Decimal(self.quantity)
        if quantity <= 0 or quantity != quantity.quantize(Decimal("0.001")):
            raise ValueError("quantity must be positive grams with at most 3 decimals")
        return {"strainId": self.strain_id, "quantity": float(quantity)}


@dataclass(frozen=True)
class CartLine:
    strain_id: str
    quantity: Decimal
    strain_name: str = ""

    @classmethod
    def from_api(cls, data: Any, where: str) -> CartLine:
        f = _Fields(data, where)
        strain = data.get("strain") or {}
        return cls(
            strain_id=f.str("strainId", "") or _Fields(strain, f"{where}.strain").str("id"),
            quantity=f.decimal("quantity"),
            strain_name=_Fields(strain, f"{where}.strain").str("name", "") if strain else "",
        )


@dataclass(frozen=True)
class Cart:
    id: str
    items: tuple[CartLine, ...] = ()

    @classmethod
    def from_api(cls, data: Any, where: str = "data") -> Cart:
        if isinstance(data, dict) and isinstance(data.get("cart"), dict):
            data, where = data["cart"], f"{where}.cart"
        f = _Fields(data, where)
        return cls(id=f.str("id"), items=f.objects("items", CartLine.from_api, []))


ORDER_STATUSES = ("PENDING", "PROCESSING", "SHIPPED", "DELIVERED")
PAYMENT_STATUSES = ("PENDING", "PAID")


@dataclass(frozen=True)
class OrderLine:
    strain_id: str
    strain_name: str
    quantity: Decimal
    product_amount: Decimal

    @classmethod
    def from_api(cls, data: Any, where: str) -> OrderLine:
        f = _Fields(data, where)
        strain = f.object("strain")
        return cls(
            strain.str("id"), strain.str("name", ""), f.decimal("quantity"), f.decimal("productAmount")
        )


@dataclass(frozen=True)
class Order:
    id: str
    client_id: str
    order_status: str
    payment_status: str
    admin_approval: str
    total_amount: Decimal
    invoice_number: str = ""
    created_at: datetime | None = None
    lines: tuple[OrderLine, ...] = ()

    @classmethod
    def from_api(cls, data: Any, where: str = "order") -> Order:
        f = _Fields(data, where)
        order = cls(
            id=f.str("id"),
            client_id=f.str("clientId"),
            order_status=f.str("orderStatus").upper(),
            payment_status=f.str("paymentStatus").upper(),
            admin_approval=f.str("adminApproval", "PENDING").upper(),
            total_amount=f.decimal("totalAmount"),
            invoice_number=f.str("invoiceNumber", ""),
            created_at=f.datetime("createdAt", None),
            lines=f.objects("orderLines", OrderLine.from_api, []),
        )
        for name, value, allowed in (
            ("orderStatus", order.order_status, ORDER_STATUSES),
            ("paymentStatus", order.payment_status, PAYMENT_STATUSES),
            ("adminApproval", order.admin_approval, ADMIN_APPROVALS),
        ):
            if value not in allowed:
                raise BadResponse(f"{where}.{name}: unknown value {value!r}")
        return order
