"""Settings › Webhooks in the admin: tenant admins manage their own endpoints only."""

from __future__ import annotations

import re

from django.urls import reverse

import pytest

from integrations.events import emit_event
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Role
from tests.admin_world import log_in, refused

pytestmark = pytest.mark.django_db

SECRET_URL = "https://zulu-secret.example/hooks"


@pytest.fixture
def admin_a(tenant_a, make_user):
    return make_user(tenant_a, Role.TENANT_ADMIN)


@pytest.fixture
def theirs(tenant_b, receiver, django_capture_on_commit_callbacks, settings):
    """Tenant B's endpoint with one failed delivery."""
    settings.WEBHOOKS_RETRY_SCHEDULE = []
    receiver.status = 500
    endpoint, _ = services.create_endpoint(tenant_b, url=SECRET_URL, events=["order.created"])
    with tenant_scope(tenant_b):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url + "/zulu-secret")
    with django_capture_on_commit_callbacks(execute=True):
        emit_event(tenant_b, "order.created", {"order": {"id": 1}})
    with tenant_scope(tenant_b):
        return WebhookEndpoint.objects.get(pk=endpoint.pk), WebhookDelivery.objects.get()


def snapshot_b(tenant_b):
    with platform_scope("test snapshot"):
        return (
            list(
                WebhookEndpoint.objects.filter(tenant=tenant_b).values_list(
                    "pk", "url", "events", "is_active"
                )
            ),
            list(
                WebhookDelivery.objects.filter(tenant=tenant_b).values_list("pk", "status", "attempt_count")
            ),
        )


def test_the_list_shows_only_the_tenants_own_endpoints(client, admin_a, tenant_a, theirs):
    services.create_endpoint(tenant_a, url="https://alpha.example/hooks", events=["page.published"])
    log_in(client, admin_a)

    response = client.get("/admin/webhooks/")

    assert response.status_code == 200
    assert b"https://alpha.example/hooks" in response.content
    assert b"zulu-secret" not in response.content


def test_creating_shows_the_secret_once_and_audits(client, admin_a, tenant_a):
    log_in(client, admin_a)

    response = client.post(
        "/admin/webhooks/new/",
        {
            "url": "https://alpha.example/hooks",
            "events": ["order.created", "kyc.status_changed"],
            "description": "ERP",
            "is_active": "on",
        },
    )

    with tenant_scope(tenant_a):
        endpoint = WebhookEndpoint.objects.get()
        entry = AuditLogEntry.objects.get(action="webhook.endpoint_created")
    assert response.status_code == 302 and response["Location"] == reverse(
        "webhooks:secret", args=[endpoint.pk]
    )
    assert endpoint.events == ["order.created", "kyc.status_changed"] and endpoint.is_active
    shown = client.get(response["Location"])
    secret = re.search(rb'id="webhook-secret"[^>]*>(whsec_[\w-]+)<', shown.content).group(1).decode()
    assert secret == endpoint.secret and secret not in endpoint.secret_encrypted
    again = client.get(response["Location"])
    assert again.status_code == 200 and secret.encode() not in again.content
    assert entry.actor_id == admin_a.pk and entry.data["url"] == "https://alpha.example/hooks"
    assert secret not in str(entry.data)


def test_an_invalid_form_shows_errors_and_creates_nothing(client, admin_a, tenant_a):
    log_in(client, admin_a)

    response = client.post("/admin/webhooks/new/", {"url": "ftp://alpha.example/", "is_active": "on"})

    assert response.status_code == 200
    assert b"This field is required" in response.content  # no events chosen
    with tenant_scope(tenant_a):
        assert not WebhookEndpoint.objects.exists()


def test_editing_and_deleting_are_audited(client, admin_a, tenant_a):
    endpoint, _ = services.create_endpoint(
        tenant_a, url="https://alpha.example/hooks", events=["order.created"]
    )
    log_in(client, admin_a)

    edited = client.post(
        f"/admin/webhooks/edit/{endpoint.pk}/",
        {
            "url": "https://alpha.example/v2",
            "events": ["order.created", "order.status_changed"],
            "description": "",
        },
    )
    with tenant_scope(tenant_a):
        endpoint.refresh_from_db()
    assert edited.status_code == 302
    assert endpoint.url == "https://alpha.example/v2" and not endpoint.is_active
    assert endpoint.events == ["order.created", "order.status_changed"]

    deleted = client.post(f"/admin/webhooks/delete/{endpoint.pk}/")

    assert deleted.status_code == 302
    with tenant_scope(tenant_a):
        assert not WebhookEndpoint.objects.exists()
        webhook_entries = AuditLogEntry.objects.filter(action__startswith="webhook.")
        actions = list(webhook_entries.order_by("pk").values_list("action", flat=True))
        update = AuditLogEntry.objects.get(action="webhook.endpoint_updated")
    assert actions == [
        "webhook.endpoint_created",
        "webhook.endpoint_updated",
        "webhook.endpoint_deleted",
    ]
    assert update.data["url"] == {"from": "https://alpha.example/hooks", "to": "https://alpha.example/v2"}


def test_the_delivery_log_shows_attempts_and_redelivers(
    client, admin_a, tenant_a, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_SCHEDULE = []
    receiver.status = 502
    receiver.answer = b"bad gateway from the ERP"
    endpoint, _ = services.create_endpoint(tenant_a, url=receiver.url, events=["order.created"])
    with django_capture_on_commit_callbacks(execute=True):
        emit_event(tenant_a, "order.created", {"order": {"id": 9}})
    with tenant_scope(tenant_a):
        delivery = WebhookDelivery.objects.get()
    log_in(client, admin_a)

    log = client.get(f"/admin/webhooks/deliveries/{endpoint.pk}/")

    assert log.status_code == 200
    assert b"HTTP 502" in log.content and b"bad gateway from the ERP" in log.content
    assert str(delivery.delivery_id).encode() in log.content and b"Redeliver" in log.content

    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        redelivered = client.post(f"/admin/webhooks/deliveries/{endpoint.pk}/{delivery.pk}/redeliver/")

    assert redelivered.status_code == 302
    with tenant_scope(delivery.tenant):  # RLS: rows are read inside their tenant's scope
        delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and len(receiver.received) == 2
    assert b"HTTP 200" in client.get(f"/admin/webhooks/deliveries/{endpoint.pk}/").content


DOORS = {
    "edit": ("get", lambda e, d: f"/admin/webhooks/edit/{e.pk}/"),
    "edit-post": ("post", lambda e, d: f"/admin/webhooks/edit/{e.pk}/"),
    "delete": ("get", lambda e, d: f"/admin/webhooks/delete/{e.pk}/"),
    "delete-post": ("post", lambda e, d: f"/admin/webhooks/delete/{e.pk}/"),
    "secret": ("get", lambda e, d: f"/admin/webhooks/secret/{e.pk}/"),
    "deliveries": ("get", lambda e, d: f"/admin/webhooks/deliveries/{e.pk}/"),
    "redeliver": ("post", lambda e, d: f"/admin/webhooks/deliveries/{e.pk}/{d.pk}/redeliver/"),
}


@pytest.mark.parametrize("door", DOORS, ids=list(DOORS))
def test_another_tenants_admin_gets_404_and_changes_nothing(
    door, client, admin_a, tenant_b, theirs, receiver
):
    endpoint, delivery = theirs
    before, sent = snapshot_b(tenant_b), len(receiver.received)
    log_in(client, admin_a)
    method, url = DOORS[door]
    data = {"url": "https://alpha.example/stolen", "events": ["order.created"], "is_active": "on"}

    response = getattr(client, method)(url(endpoint, delivery), data if method == "post" else None)

    assert response.status_code == 404
    assert b"zulu-secret" not in response.content
    assert snapshot_b(tenant_b) == before and len(receiver.received) == sent


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MARKETER], ids=["editor", "marketer"])
def test_editors_and_marketers_have_no_webhooks(role, client, tenant_a, make_user):
    endpoint, _ = services.create_endpoint(
        tenant_a, url="https://alpha.example/hooks", events=["order.created"]
    )
    log_in(client, make_user(tenant_a, role))

    for url in ("/admin/webhooks/", "/admin/webhooks/new/", f"/admin/webhooks/edit/{endpoint.pk}/"):
        response = client.get(url)
        assert refused(response) or response.status_code == 403, url
    assert client.get(f"/admin/webhooks/deliveries/{endpoint.pk}/").status_code in (302, 403)
