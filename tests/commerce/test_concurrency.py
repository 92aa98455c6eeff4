"""Stock under concurrent orders, on PostgreSQL with real connections in parallel threads."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

from django.db import connection

import pytest

from commerce.models import Order, Product
from commerce.orders import DeliveryAddress, place_order
from commerce.stock import InsufficientStock
from sites.context import tenant_scope
from tests.commerce.conftest import add_product, make_patient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOME = DeliveryAddress("Ada Patient", "1 High Street", "London", "N1 9GU", "GB")
BUYERS = 50
UNITS = 10


def _race(tenant, jobs):
    """Run ``jobs`` (callables) at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[str] = [""] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            with tenant_scope(tenant):
                results[index] = job()
        except InsufficientStock as exc:
            results[index] = "insufficient" if "Insufficient stock" in str(exc) else f"bad message {exc}"
        except Exception as exc:  # noqa: BLE001 - any other failure is the test failing
            results[index] = f"error {type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_patients_race_for_the_last_ten_units(tenant_a, make_user):
    product = add_product(tenant_a, "Last Batch", stock=UNITS, price=Decimal("9.99"))
    patients = [make_patient(tenant_a, make_user, email=f"racer{i}@alpha.example") for i in range(BUYERS)]

    def order(patient):
        return lambda: (place_order(tenant_a, patient, [(product.pk, 1)], HOME), "ordered")[1]

    results = _race(tenant_a, [order(p) for p in patients])

    assert Counter(results) == {"ordered": UNITS, "insufficient": BUYERS - UNITS}
    with tenant_scope(tenant_a):
        assert Product.objects.get(pk=product.pk).stock == 0
        assert Order.objects.count() == UNITS
        assert sum(line.quantity for o in Order.objects.all() for line in o.lines.all()) == UNITS


def test_concurrent_retries_with_one_idempotency_key_make_one_order(tenant_a, make_user):
    product = add_product(tenant_a, "Calm Drops", stock=5)
    patient = make_patient(tenant_a, make_user, email="double@alpha.example")

    def order():
        placement = place_order(tenant_a, patient, [(product.pk, 1)], HOME, idempotency_key="same-key")
        return f"order {placement.order.pk}"

    results = _race(tenant_a, [order for _ in range(8)])

    assert len(set(results)) == 1 and results[0].startswith("order "), results
    with tenant_scope(tenant_a):
        assert Order.objects.count() == 1
        assert Product.objects.get(pk=product.pk).stock == 4
