"""A sold-out product is refused before anything is written; a placed order mails from a worker task."""

from __future__ import annotations

from django.core import mail

import pytest

from commerce.models import Order, Product
from commerce.orders import DeliveryAddress, place_order
from commerce.stock import InsufficientStock
from sites.context import tenant_scope
from sites.models import AuditLogEntry
from tests.commerce.conftest import add_product, make_patient

pytestmark = pytest.mark.django_db

HOME = DeliveryAddress("Ada Patient", "1 High Street", "London", "N1 9GU", "GB")


def test_sold_out_product_is_refused_with_the_reason_and_nothing_is_written(tenant_a, make_user):
    gone = add_product(tenant_a, "Gone Kush", stock=1)
    patient = make_patient(tenant_a, make_user)
    with tenant_scope(tenant_a), pytest.raises(InsufficientStock, match="Insufficient stock.*Gone Kush"):
        place_order(tenant_a, patient, [(gone.pk, 2)], HOME)
    with tenant_scope(tenant_a):
        assert not Order.objects.exists()
        assert not AuditLogEntry.objects.filter(action="order.created").exists()
        assert Product.objects.get(pk=gone.pk).stock == 1


def test_confirmation_email_is_sent_by_the_task_queued_at_commit(
    tenant_a, make_user, django_capture_on_commit_callbacks
):
    product = add_product(tenant_a, "Calm Flower", stock=3)
    patient = make_patient(tenant_a, make_user)
    mail.outbox.clear()
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = place_order(tenant_a, patient, [(product.pk, 1)], HOME).order
    # Celery runs eagerly in the tests: the queued task rendered and sent the mail.
    assert callbacks and len(mail.outbox) == 1
    assert order.reference in mail.outbox[0].subject and mail.outbox[0].to == [patient.email]
    with tenant_scope(tenant_a):
        assert Product.objects.get(pk=product.pk).stock == 2
