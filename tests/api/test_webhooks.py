"""REST API v1 outbound webhooks: tenant admins manage endpoints, read deliveries, redeliver."""

from __future__ import annotations

import pytest

from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from sites.context import tenant_scope
from sites.models import AuditLogEntry, Role
from tests.api.conftest import assert_envelope
from tests.api.test_api_v1 import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tenant_a, token_for) -> dict[str, str]:
    return bearer(token_for(tenant_a, Role.TENANT_ADMIN), "alpha")


def test_an_admin_creates_an_endpoint_and_sees_its_secret_once(api, tenant_a, admin):
    response = api.post(
        "/api/v1/webhooks",
        {"url": "https://pos.example.com/in", "events": ["order.created"], "description": "POS"},
        format="json",
        **admin,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["events"] == ["order.created"]
    with tenant_scope(tenant_a):
        endpoint = WebhookEndpoint.objects.get(pk=created["id"])
        assert endpoint.secret == created["secret"]
        assert AuditLogEntry.objects.filter(action="webhook.endpoint_created").exists()
    listed = api.get("/api/v1/webhooks", **admin).json()
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    detail = api.get(f"/api/v1/webhooks/{created['id']}", **admin).json()
    assert detail["url"] == "https://pos.example.com/in" and "secret" not in detail


def test_updates_validate_and_delete_removes(api, tenant_a, admin):
    created = api.post(
        "/api/v1/webhooks",
        {"url": "https://pos.example.com/in", "events": ["order.created"]},
        format="json",
        **admin,
    ).json()
    url = f"/api/v1/webhooks/{created['id']}"
    changed = api.patch(
        url, {"events": ["order.created", "kyc.status_changed"], "is_active": False}, format="json", **admin
    )
    assert changed.status_code == 200
    assert (
        changed.json()["events"] == ["order.created", "kyc.status_changed"]
        and not changed.json()["is_active"]
    )
    bad = assert_envelope(
        api.patch(url, {"events": ["order.eaten"]}, format="json", **admin), 400, "VALIDATION_ERROR"
    )
    assert "events" in bad["details"]
    bad_url = assert_envelope(
        api.post(
            "/api/v1/webhooks",
            {"url": "ftp://x.example/", "events": ["order.created"]},
            format="json",
            **admin,
        ),
        400,
        "VALIDATION_ERROR",
    )
    assert "url" in bad_url["details"]
    assert_envelope(api.post("/api/v1/webhooks", {"url": "https://a.example/"}, format="json", **admin), 400)
    assert api.delete(url, **admin).status_code == 204
    assert_envelope(api.get(url, **admin), 404, "NOT_FOUND")
    assert_envelope(api.delete(url, **admin), 404, "NOT_FOUND")
    with tenant_scope(tenant_a):
        assert not WebhookEndpoint.objects.exists()


def test_deliveries_are_listed_and_redelivered_unless_the_endpoint_is_off(api, tenant_a, admin):
    from integrations.webhooks.services import create_endpoint

    endpoint, _secret = create_endpoint(tenant_a, url="https://pos.example.com/in", events=["order.created"])
    with tenant_scope(tenant_a):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id="evt_1",
            event="order.created",
            payload={"id": "evt_1"},
            status=WebhookDelivery.Status.FAILED,
            retries_used=5,
        )
    listed = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries", **admin)
    assert listed.status_code == 200
    assert [d["event_id"] for d in listed.json()["results"]] == ["evt_1"]
    assert (
        api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries", {"status": "succeeded"}, **admin).json()[
            "count"
        ]
        == 0
    )

    redeliver = f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver"
    again = api.post(redeliver, **admin)
    assert again.status_code == 202 and again.json()["status"] == "pending"
    with tenant_scope(tenant_a):
        delivery.refresh_from_db()
    assert delivery.retries_used == 0
    assert_envelope(api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/999999/redeliver", **admin), 404)
    assert_envelope(api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/abc/redeliver", **admin), 404)
    api.patch(f"/api/v1/webhooks/{endpoint.pk}", {"is_active": False}, format="json", **admin)
    assert_envelope(api.post(redeliver, **admin), 409, "ENDPOINT_DISABLED")


def test_only_tenant_admins_manage_webhooks(api, tenant_a, token_for):
    assert_envelope(api.get("/api/v1/webhooks", HTTP_X_TENANT_SLUG="alpha"), 401, "NOT_AUTHENTICATED")
    for role in (Role.PATIENT, Role.EDITOR):
        caller = bearer(token_for(tenant_a, role), "alpha")
        assert_envelope(api.get("/api/v1/webhooks", **caller), 403, "PERMISSION_DENIED")
        assert_envelope(
            api.post(
                "/api/v1/webhooks",
                {"url": "https://a.example/", "events": ["order.created"]},
                format="json",
                **caller,
            ),
            403,
        )
