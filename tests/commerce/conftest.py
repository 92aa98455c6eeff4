"""Shops to buy from: two tenants with products, a verified patient and a pending one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce.models import Product
from sites.context import tenant_scope
from sites.models import Role
from tests.conftest import PASSWORD


def add_product(tenant, name: str, **fields) -> Product:
    from django.utils.text import slugify

    values = {
        "slug": slugify(name),
        "sku": f"SKU-{slugify(name)}".upper(),
        "strain_type": "hybrid",
        "form": "flower",
        "price": Decimal("10.00"),
        "currency": "GBP",
        "stock": 20,
        "available_countries": "GB PT",
        "thc_percent": Decimal("18"),
        "cbd_percent": Decimal("1"),
        **fields,
    }
    with tenant_scope(tenant):
        return Product.objects.create(tenant=tenant, name=name, **values)


@pytest.fixture
def shop(tenant_a, tenant_b):
    """Alpha (GB) sells four products, one of them is sold in Portugal only; Bravo has its own."""
    products = {
        "kush": add_product(tenant_a, "Pink Kush", strain_type="indica", price=Decimal("8.50"), stock=12),
        "dream": add_product(tenant_a, "Blue Dream", strain_type="sativa", thc_percent=Decimal("22")),
        "oil": add_product(
            tenant_a,
            "Balanced Oil",
            form="oil",
            price=Decimal("45.00"),
            flower_equivalent_grams=Decimal("5"),
            cbd_percent=Decimal("10"),
            thc_percent=Decimal("10"),
        ),
        "portugal_only": add_product(tenant_a, "Lisbon Haze", available_countries="PT"),
        "bravo": add_product(tenant_b, "Bravo Exclusive", currency="EUR", available_countries="PT GB"),
    }
    return products


def make_patient(tenant, make_user, *, status: str = "VERIFIED", allowance: str | None = "30", email=None):
    from kyc.models import PatientProfile

    user = make_user(tenant, Role.PATIENT, email=email or f"patient-{status.lower()}@{tenant.slug}.example")
    with tenant_scope(tenant):
        PatientProfile.objects.create(
            tenant=tenant,
            user=user,
            kyc_status=status,
            monthly_allowance_grams=Decimal(allowance) if allowance is not None else None,
        )
    return user


def log_in(client, tenant, user) -> None:
    response = client.post(
        f"/store/{tenant.slug}/auth/login/", {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302, "the patient could not log in"


@pytest.fixture
def patient(tenant_a, make_user):
    return make_patient(tenant_a, make_user)


@pytest.fixture
def patient_client(client, tenant_a, patient):
    log_in(client, tenant_a, patient)
    return client


ADDRESS = {
    "name": "Ada Patient",
    "line1": "1 High Street",
    "line2": "",
    "city": "London",
    "postcode": "N1 9GU",
    "country": "GB",
}
