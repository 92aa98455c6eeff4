"""Outbound webhooks, delivered inline (eager Celery) to a real receiver on loopback.

The retry schedule is shortened and runs without waiting here; the real worker and its
waits are in test_webhooks_worker.py.
"""

from __future__ import annotations

import uuid

from django.core import mail
from django.db import transaction

import pytest

from integrations.events import emit_event
from integrations.webhooks import services
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from sites.context import tenant_scope
from sites.models import AuditLogEntry, Role
from tests.integrations.webhook_receiver import dead_url, verify

pytestmark = pytest.mark.django_db

ORDER = {"order": {"id": 42, "total": "30.00", "status": "PENDING"}}


@pytest.fixture(autouse=True)
def _short_schedule(settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = [1, 2]
    settings.WEBHOOKS_DISABLE_AFTER = 2
    settings.WEBHOOKS_TIMEOUT = 2


def endpoint_for(tenant, url, events=("order.created",)):
    endpoint, secret = services.create_endpoint(tenant, url=url, events=list(events))
    return endpoint, secret


def emit(tenant, event="order.created", data=ORDER, *, capture):
    with capture(execute=True):
        emit_event(tenant, event, data)


def deliveries(tenant):
    with tenant_scope(tenant):
        return list(WebhookDelivery.objects.order_by("pk"))


def test_a_delivery_is_signed_as_the_contract_says(tenant_a, receiver, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint_for(tenant_a, receiver.url)

    emit(tenant_a, capture=django_capture_on_commit_callbacks)

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert verify(secret, got.headers, got.body)
    assert not verify("whsec_wrong", got.headers, got.body)
    assert got.headers["X-BudStack-Event"] == "order.created"
    assert got.headers["Content-Type"] == "application/json"
    body = got.json
    assert set(body) == {"id", "event", "created_at", "tenant", "data"}
    assert body["event"] == "order.created" and body["tenant"] == "alpha" and body["data"] == ORDER
    (delivery,) = deliveries(tenant_a)
    assert got.headers["X-BudStack-Delivery"] == str(delivery.delivery_id)
    assert body["id"] == delivery.event_id and body["id"].startswith("evt_")
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    with tenant_scope(tenant_a):
        (attempt,) = WebhookAttempt.objects.all()
    assert attempt.success and attempt.status_code == 200 and attempt.response_excerpt == '{"ok": true}'


def test_the_secret_is_stored_encrypted_and_still_signs(tenant_a, receiver):
    endpoint, secret = endpoint_for(tenant_a, receiver.url)

    with tenant_scope(tenant_a):
        stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert secret.startswith("whsec_") and len(secret) > 40
    assert secret not in stored.secret_encrypted
    assert stored.secret == secret


def test_nothing_is_sent_before_the_transaction_commits_or_when_it_rolls_back(
    tenant_a, receiver, django_capture_on_commit_callbacks
):
    endpoint_for(tenant_a, receiver.url)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        emit_event(tenant_a, "order.created", ORDER)
    assert receiver.received == [] and len(callbacks) == 1  # queued, not sent

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sid = transaction.savepoint()
        emit_event(tenant_a, "order.created", ORDER)
        transaction.savepoint_rollback(sid)
    assert len(deliveries(tenant_a)) == 1  # only the first, never sent
    assert receiver.received == []


def test_only_subscribed_active_endpoints_of_the_tenant_receive(
    tenant_a, tenant_b, receiver, django_capture_on_commit_callbacks
):
    endpoint_for(tenant_a, receiver.url + "/orders", ["order.created"])
    endpoint_for(tenant_a, receiver.url + "/pages", ["page.published"])
    off, _ = endpoint_for(tenant_a, receiver.url + "/off", ["order.created"])
    services.update_endpoint(tenant_a, off, is_active=False)
    endpoint_for(tenant_b, receiver.url + "/bravo", ["order.created"])

    emit(tenant_a, capture=django_capture_on_commit_callbacks)

    assert [r.headers["X-BudStack-Event"] for r in receiver.received] == ["order.created"]
    assert len(deliveries(tenant_b)) == 0


def test_failures_are_retried_logged_and_then_the_endpoint_is_disabled_with_an_email(
    tenant_a, receiver, django_capture_on_commit_callbacks, make_user
):
    receiver.status = 503
    receiver.answer = b"maintenance, back soon"
    endpoint, _ = endpoint_for(tenant_a, receiver.url)
    mail.outbox.clear()  # provisioning's welcome mail

    emit(tenant_a, capture=django_capture_on_commit_callbacks)

    (first,) = deliveries(tenant_a)
    assert first.status == WebhookDelivery.Status.FAILED
    assert len(receiver.received) == 3  # the first try and the two retries of the schedule
    assert {r.headers["X-BudStack-Delivery"] for r in receiver.received} == {str(first.delivery_id)}
    with tenant_scope(tenant_a):
        attempts = list(WebhookAttempt.objects.filter(delivery=first).order_by("number"))
        endpoint.refresh_from_db()
    assert [(a.number, a.status_code, a.success) for a in attempts] == [
        (1, 503, False),
        (2, 503, False),
        (3, 503, False),
    ]
    assert attempts[0].response_excerpt == "maintenance, back soon" and attempts[0].error == "HTTP 503"
    assert endpoint.is_active and endpoint.consecutive_failures == 1
    assert mail.outbox == []

    emit(tenant_a, capture=django_capture_on_commit_callbacks)

    with tenant_scope(tenant_a):
        endpoint.refresh_from_db()
        disabled = AuditLogEntry.objects.filter(action="webhook.endpoint_disabled").count()
    assert not endpoint.is_active and endpoint.consecutive_failures == 2 and endpoint.disabled_at
    assert disabled == 1
    (message,) = mail.outbox
    assert message.to == ["owner@alpha.example"]
    assert endpoint.url in message.body and "Alpha Dispensary" in message.subject

    emit(tenant_a, capture=django_capture_on_commit_callbacks)
    assert len(receiver.received) == 6  # a disabled endpoint gets nothing more
    assert len(deliveries(tenant_a)) == 2


def test_a_success_resets_the_run_of_failures(tenant_a, receiver, django_capture_on_commit_callbacks):
    receiver.status = 500
    endpoint, _ = endpoint_for(tenant_a, receiver.url)
    emit(tenant_a, capture=django_capture_on_commit_callbacks)
    receiver.status = 204
    emit(tenant_a, capture=django_capture_on_commit_callbacks)
    receiver.status = 500
    emit(tenant_a, capture=django_capture_on_commit_callbacks)

    with tenant_scope(tenant_a):
        endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 1


def test_an_unreachable_receiver_is_logged_as_an_error(tenant_a, django_capture_on_commit_callbacks):
    endpoint_for(tenant_a, dead_url())

    emit(tenant_a, capture=django_capture_on_commit_callbacks)

    (delivery,) = deliveries(tenant_a)
    with tenant_scope(tenant_a):
        attempts = list(delivery.attempts.order_by("number"))
    assert len(attempts) == 3
    assert all(a.status_code is None and "ConnectError" in a.error for a in attempts)


def test_manual_redelivery_sends_the_same_delivery_again(
    tenant_a, receiver, django_capture_on_commit_callbacks, make_user
):
    receiver.status = 500
    endpoint, secret = endpoint_for(tenant_a, receiver.url)
    emit(tenant_a, capture=django_capture_on_commit_callbacks)
    (delivery,) = deliveries(tenant_a)
    receiver.status = 200
    admin = make_user(tenant_a, Role.TENANT_ADMIN)

    with django_capture_on_commit_callbacks(execute=True):
        services.redeliver(tenant_a, endpoint, delivery.pk, actor=admin)

    with tenant_scope(delivery.tenant):  # RLS: rows are read inside their tenant's scope
        delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempt_count == 4
    last = receiver.received[-1]
    assert last.headers["X-BudStack-Delivery"] == str(delivery.delivery_id)
    assert last.json["id"] == delivery.event_id and verify(secret, last.headers, last.body)
    with tenant_scope(tenant_a):
        entry = AuditLogEntry.objects.get(action="webhook.redelivered")
    assert entry.actor_id == admin.pk


def test_a_delivery_of_another_tenant_cannot_be_redelivered(
    tenant_a, tenant_b, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    endpoint_b, _ = endpoint_for(tenant_b, receiver.url)
    emit(tenant_b, capture=django_capture_on_commit_callbacks)
    (delivery,) = deliveries(tenant_b)
    sent = len(receiver.received)

    with pytest.raises(WebhookDelivery.DoesNotExist):
        services.redeliver(tenant_a, endpoint_b, delivery.pk)

    with tenant_scope(delivery.tenant):  # RLS: rows are read inside their tenant's scope
        delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and len(receiver.received) == sent


def test_a_stale_task_does_nothing(tenant_a, receiver, django_capture_on_commit_callbacks):
    from integrations.webhooks.tasks import deliver_webhook

    endpoint_for(tenant_a, receiver.url)
    emit(tenant_a, capture=django_capture_on_commit_callbacks)
    (delivery,) = deliveries(tenant_a)

    assert deliver_webhook(tenant_a.pk, delivery.pk, 0) == "skipped"
    assert len(receiver.received) == 1


def test_publishing_a_page_announces_page_published(
    tenant_a, tenant_b, receiver, django_capture_on_commit_callbacks
):
    from pages.models import AboutPage

    endpoint_for(tenant_a, receiver.url, ["page.published"])
    endpoint_for(tenant_b, receiver.url + "/bravo", ["page.published"])

    with django_capture_on_commit_callbacks(execute=True), tenant_scope(tenant_a):
        home = tenant_a.site.root_page.specific
        page = home.add_child(instance=AboutPage(title="Our new lab", slug="our-new-lab", live=False))
        page.save_revision().publish()

    (got,) = receiver.received
    assert got.headers["X-BudStack-Event"] == "page.published"
    data = got.json["data"]["page"]
    assert data["id"] == page.pk and data["title"] == "Our new lab" and data["type"] == "pages.aboutpage"
    assert data["url"].endswith("/our-new-lab/")
    assert got.json["tenant"] == "alpha" and len(deliveries(tenant_b)) == 0


def test_signing_up_announces_patient_registered(
    tenant_a, receiver, client, django_capture_on_commit_callbacks
):
    endpoint_for(tenant_a, receiver.url, ["patient.registered"])
    email = f"new-{uuid.uuid4().hex[:6]}@example.com"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/store/alpha/auth/signup/",
            {
                "first_name": "Ana",
                "last_name": "Silva",
                "email": email,
                "password1": "a-long-enough-passphrase-42",
                "password2": "a-long-enough-passphrase-42",
            },
        )

    assert response.status_code == 302
    (got,) = receiver.received
    assert got.headers["X-BudStack-Event"] == "patient.registered"
    patient = got.json["data"]["patient"]
    assert patient["email"] == email and patient["first_name"] == "Ana" and isinstance(patient["id"], int)


def test_a_delivery_whose_task_was_lost_is_sent_by_the_sweeper(tenant_a, receiver):
    from datetime import timedelta

    from django.utils import timezone

    from integrations.webhooks.tasks import requeue_stale_deliveries

    endpoint_for(tenant_a, receiver.url)
    # As if the broker was down: the row is written, its task never runs (the test's
    # transaction never commits, so on_commit callbacks are dropped).
    emit_event(tenant_a, "order.created", ORDER)
    (delivery,) = deliveries(tenant_a)
    assert receiver.received == []
    with tenant_scope(tenant_a):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(hours=1)
        )

    assert requeue_stale_deliveries() == 1

    with tenant_scope(delivery.tenant):  # RLS: rows are read inside their tenant's scope
        delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and len(receiver.received) == 1
    assert requeue_stale_deliveries() == 0


def test_editing_a_product_in_the_admin_announces_product_updated(
    tenant_a, tenant_b, receiver, client, make_user, django_capture_on_commit_callbacks
):
    from commerce.models import Product
    from tests.admin_world import log_in
    from tests.commerce.conftest import add_product

    endpoint_for(tenant_a, receiver.url, ["product.updated"])
    endpoint_for(tenant_b, receiver.url + "/bravo", ["product.updated"])
    with django_capture_on_commit_callbacks(execute=True):
        product = add_product(tenant_a, "Lemon Haze", stock=3)
    log_in(client, make_user(tenant_a, Role.TENANT_ADMIN))
    form = {
        "name": "Lemon Haze", "slug": product.slug, "sku": product.sku, "strain_type": product.strain_type,
        "form": product.form, "thc_percent": "18.00", "cbd_percent": "1.00", "price": "12.50",
        "currency": "GBP", "stock": "40", "description": "Restocked.", "available_countries": "GB PT",
        "is_published": "on", "thc_unit": "%", "cbd_unit": "%", "flower_equivalent_grams": "1",
        "terpenes": "", "unit_weight_grams": "", "unit_volume_ml": "", "image": "", "image_url": "",
        "coa_document": "", "publish_at": "", "unpublish_at": "",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/snippets/commerce/product/edit/{product.pk}/", form)
    assert response.status_code == 302, response.content.decode()[:2000]

    created, edited = receiver.received
    assert [r.headers["X-BudStack-Event"] for r in (created, edited)] == ["product.updated"] * 2
    assert created.json["data"]["created"] is True and edited.json["data"]["created"] is False
    data = edited.json["data"]["product"]
    assert (data["id"], data["name"], data["price"], data["stock"]) == (product.pk, "Lemon Haze", "12.50", 40)
    assert data["available_countries"] == ["GB", "PT"] and data["is_published"] is True
    assert edited.json["tenant"] == "alpha" and len(deliveries(tenant_b)) == 0
    with tenant_scope(tenant_a):
        assert Product.objects.get(pk=product.pk).stock == 40
