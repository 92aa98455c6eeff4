"""sync_drgreen against the fake Dr. Green over HTTP stops adding products at the plan's
limit, keeps updating known ones, and says so instead of failing."""

from __future__ import annotations

import pytest

from commerce.models import Product
from sites.context import tenant_scope
from tests.integrations.conftest import fake, fake_server  # noqa: F401 - fixtures
from tests.integrations.test_commerce_drgreen import connected, sold_in_gb, synced  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_sync_stops_adding_products_at_the_plan_limit(tenant_a, connected, fake, starter, on_plan):  # noqa: F811
    on_plan(tenant_a, "starter")
    starter.max_products = 2
    starter.save()
    tenant_a.plan = starter
    strains = sold_in_gb(fake)
    assert len(strains) > 2

    summary = synced(tenant_a)
    assert (summary.created, summary.not_added) == (2, len(strains) - 2)
    assert f"{len(strains) - 2} new not added (the Starter plan allows 2 products)" in str(summary)
    with tenant_scope(tenant_a):
        assert Product.objects.count() == 2

    again = synced(tenant_a)
    assert (again.created, again.unchanged, again.not_added) == (0, 2, len(strains) - 2)
