"""A Starter dispensary with small limits, so that each one is reached in a few steps."""

from __future__ import annotations

import pytest

from billing.models import Plan
from sites.context import platform_scope
from tests.admin_world import log_in


@pytest.fixture
def starter(db) -> Plan:
    """The Starter plan with every limit at one, but two staff users (the provisioned owner
    and the admin a test signs in as)."""
    plan = Plan.objects.get(slug="starter")
    for field in ("max_patients", "max_orders_per_month", "max_products", "max_storage_mb"):
        setattr(plan, field, 1)
    plan.max_staff_users = 2
    plan.save()
    return plan


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def on_plan():
    def put(tenant, slug: str | None):
        with platform_scope("test: set plan"):
            tenant.plan = Plan.objects.get(slug=slug) if slug else None
            tenant.save(update_fields=["plan"])
        return tenant

    return put


@pytest.fixture
def signed_in(client, make_user):
    """``signed_in(tenant, role)``: the test client logged in as a new account of that role."""

    def sign_in(tenant, role, **fields):
        user = make_user(tenant, role, **fields)
        log_in(client, user)
        return user

    return sign_in
