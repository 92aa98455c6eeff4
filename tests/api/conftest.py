"""Fixtures for the REST API tests: two tenants, accounts, tokens, a JSON client."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sites.context import tenant_scope
from sites.models import Role
from tests.conftest import PASSWORD


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def token_for(api, make_user):
    """``token_for(tenant, role)``: a real token issued through POST /api/v1/auth/token."""

    def issue(tenant, role: str = Role.PATIENT, **user_fields) -> str:
        user = make_user(tenant, role, **user_fields)
        headers = {"HTTP_X_TENANT_SLUG": tenant.slug} if tenant is not None else {}
        response = APIClient().post(
            "/api/v1/auth/token", {"email": user.email, "password": PASSWORD}, format="json", **headers
        )
        assert response.status_code == 201, response.content
        return response.json()["token"]

    return issue


@pytest.fixture
def product_in(db):
    def make(tenant, name: str = "Northern Lights", countries: str = "GB PT", **fields):
        from commerce.models import Product

        slug = fields.pop("slug", name.lower().replace(" ", "-"))
        with tenant_scope(tenant):
            return Product.objects.create(
                name=name,
                slug=slug,
                sku=fields.pop("sku", slug.upper()),
                strain_type=fields.pop("strain_type", "hybrid"),
                price=fields.pop("price", 10),
                stock=fields.pop("stock", 5),
                available_countries=countries,
                **fields,
            )

    return make


def assert_envelope(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "code", "details", "timestamp"}, body
    assert body["error"] and body["code"] == body["code"].upper()
    if code is not None:
        assert body["code"] == code, body
    return body
