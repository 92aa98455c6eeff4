"""API routes covered by isolation probes, and the probes themselves.

Every route below /api/ must be listed in PROBED_ROUTES (test_matrix checks it against
the URL configuration) and have a probe here: a caller of tenant A, with each role,
aims at tenant B's objects through that route. Each probe first shows the door works
for B (so it can fail), then that it stays shut for A.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rest_framework.test import APIClient

from sites.context import tenant_scope
from tests.isolation.probes import probe


@dataclass
class ApiWorld:
    """Tenant B's objects, B's admin token, and a caller of tenant A (token or none)."""

    alpha: object
    bravo: object
    bravo_admin_token: str
    caller_token: str | None
    objects: dict[str, object] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)

    def as_bravo(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.bravo_admin_token}", HTTP_X_TENANT_SLUG="bravo")
        return client

    def as_alpha_caller(self, tenant_slug: str = "alpha") -> APIClient:
        client = APIClient()
        headers = {"HTTP_X_TENANT_SLUG": tenant_slug}
        if self.caller_token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.caller_token}"
        client.credentials(**headers)
        return client


def _shut(response, allowed=(401, 403, 404)) -> None:
    assert response.status_code in allowed, (response.status_code, response.content[:300])


def _no_leak(world: ApiWorld, response) -> None:
    body = response.content
    for marker in world.markers:
        assert marker.encode() not in body, (marker, body[:300])
    assert b"bravo" not in body.lower(), body[:300]


def _owner_sees(response, status: int = 200, marker: str | None = None) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    if marker is not None:
        assert marker.encode() in response.content


def probe_products_detail(w: ApiWorld) -> None:
    product = w.objects["product"]
    _owner_sees(w.as_bravo().get(f"/api/v1/products/{product.pk}"), marker=product.name)
    probe("api")
    response = w.as_alpha_caller().get(f"/api/v1/products/{product.pk}")
    _shut(response, (404,))
    _no_leak(w, response)


def probe_products_list(w: ApiWorld) -> None:
    product = w.objects["product"]
    _owner_sees(w.as_bravo().get("/api/v1/products"), marker=product.name)
    probe("api")
    response = w.as_alpha_caller().get("/api/v1/products", {"q": "Secret"})
    assert response.status_code == 200 and response.json()["count"] == 0
    _no_leak(w, response)


def probe_audit_detail(w: ApiWorld) -> None:
    entry = w.objects["audit"]
    _owner_sees(w.as_bravo().get(f"/api/v1/audit-logs/{entry.pk}"), marker=entry.data["note"])
    probe("api")
    response = w.as_alpha_caller().get(f"/api/v1/audit-logs/{entry.pk}")
    _shut(response)
    _no_leak(w, response)


def probe_audit_list(w: ApiWorld) -> None:
    entry = w.objects["audit"]
    _owner_sees(w.as_bravo().get("/api/v1/audit-logs"), marker=entry.data["note"])
    probe("api")
    response = w.as_alpha_caller().get("/api/v1/audit-logs", {"tenant": "bravo"})
    assert response.status_code in (200, 401, 403)
    _no_leak(w, response)


def probe_tokens_detail(w: ApiWorld) -> None:
    token = w.objects["token"]
    probe("api")
    response = w.as_alpha_caller().delete(f"/api/v1/auth/tokens/{token.pk}")
    _shut(response)
    # Bravo's token still works: nothing was revoked.
    _owner_sees(w.as_bravo().get("/api/v1/auth/tokens"), marker=token.prefix)


def probe_tokens_list(w: ApiWorld) -> None:
    token = w.objects["token"]
    _owner_sees(w.as_bravo().get("/api/v1/auth/tokens"), marker=token.prefix)
    probe("api")
    response = w.as_alpha_caller().get("/api/v1/auth/tokens")
    assert response.status_code in (200, 401)
    assert token.prefix.encode() not in response.content


def probe_auth_token(w: ApiWorld) -> None:
    from tests.conftest import PASSWORD

    email = w.objects["bravo_patient"].email
    ok = APIClient().post(
        "/api/v1/auth/token", {"email": email, "password": PASSWORD}, HTTP_X_TENANT_SLUG="bravo"
    )
    _owner_sees(ok, 201)
    probe("api")
    response = APIClient().post(
        "/api/v1/auth/token", {"email": email, "password": PASSWORD}, HTTP_X_TENANT_SLUG="alpha"
    )
    _shut(response, (401,))
    # Bravo's token is refused on alpha, like an unknown one.
    token = ok.json()["token"]
    _shut(APIClient().get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_TENANT_SLUG="alpha"),
          (401,))  # fmt: skip


def probe_tenants_detail(w: ApiWorld) -> None:
    probe("api")
    response = w.as_alpha_caller().patch(
        f"/api/v1/tenants/{w.bravo.pk}", {"status": "suspended"}, format="json"
    )
    _shut(response, (401, 403))
    w.bravo.refresh_from_db()
    assert w.bravo.is_active
    _shut(w.as_alpha_caller().get(f"/api/v1/tenants/{w.bravo.pk}"), (401, 403))


def probe_tenants_list(w: ApiWorld) -> None:
    probe("api")
    response = w.as_alpha_caller().get("/api/v1/tenants")
    _shut(response, (401, 403))
    _no_leak(w, response)


def probe_themes_detail(w: ApiWorld) -> None:
    probe("api")
    theme_id = w.bravo.theme_id
    _shut(w.as_alpha_caller().delete(f"/api/v1/themes/{theme_id}"), (401, 403))
    response = w.as_alpha_caller().get(f"/api/v1/themes/{theme_id}")
    assert response.status_code in (200, 401, 403)
    _no_leak(w, response)


def probe_themes_list(w: ApiWorld) -> None:
    probe("api")
    response = w.as_alpha_caller().get("/api/v1/themes")
    assert response.status_code in (200, 401, 403)
    _no_leak(w, response)


def probe_tenant_current(w: ApiWorld) -> None:
    _owner_sees(w.as_bravo().get("/api/v1/tenant/current"), marker="Bravo Clinic")
    probe("api")
    response = w.as_alpha_caller().get("/api/v1/tenant/current")
    _no_leak(w, response)


def probe_tenant_branding(w: ApiWorld) -> None:
    branding = w.objects["branding"]
    _owner_sees(w.as_bravo().get("/api/v1/tenant/branding"), marker=branding.tagline)
    probe("api")
    # Aimed at bravo with alpha's credentials: refused, and nothing changes.
    response = w.as_alpha_caller("bravo").patch(
        "/api/v1/tenant/branding", {"tagline": "hijacked"}, format="json"
    )
    _shut(response, (401, 403))
    with tenant_scope(w.bravo):
        branding.refresh_from_db()
    assert branding.tagline != "hijacked"
    _no_leak(w, w.as_alpha_caller().get("/api/v1/tenant/branding"))


def probe_tenant_theme(w: ApiWorld) -> None:
    probe("api")
    before = w.bravo.theme_id
    other = w.alpha.theme_id
    response = w.as_alpha_caller("bravo").post("/api/v1/tenant/theme", {"theme": other}, format="json")
    _shut(response, (401, 403))
    w.bravo.refresh_from_db()
    assert w.bravo.theme_id == before


def probe_orders_detail(w: ApiWorld) -> None:
    order = w.objects["order"]
    _owner_sees(w.as_bravo().get(f"/api/v1/orders/{order.pk}"), marker=order.reference)
    probe("api")
    response = w.as_alpha_caller().get(f"/api/v1/orders/{order.pk}")
    _shut(response)
    _no_leak(w, response)
    # Alpha's credentials aimed at bravo, or at alpha: bravo's order does not move.
    for slug in ("alpha", "bravo"):
        moved = w.as_alpha_caller(slug).patch(
            f"/api/v1/orders/{order.pk}", {"status": "CANCELLED"}, format="json"
        )
        _shut(moved)
        _no_leak(w, moved)
    with tenant_scope(w.bravo):
        order.refresh_from_db()
    assert order.status == "PENDING"


def probe_orders_list(w: ApiWorld) -> None:
    from commerce.models import Order

    order = w.objects["order"]
    _owner_sees(w.as_bravo().get("/api/v1/orders"), marker=order.reference)
    probe("api")
    response = w.as_alpha_caller().get("/api/v1/orders")
    assert response.status_code in (200, 401, 403), response.content[:300]
    _no_leak(w, response)
    _shut(w.as_alpha_caller("bravo").get("/api/v1/orders"), (401, 403))
    # Ordering bravo's product through alpha: refused, nothing placed anywhere.
    product = w.objects["product"]
    body = {
        "items": [{"product": product.pk, "quantity": 1}],
        "delivery": {"name": "A", "line1": "1 St", "city": "X", "postcode": "X1"},
    }
    for slug in ("alpha", "bravo"):
        placed = w.as_alpha_caller(slug).post("/api/v1/orders", body, format="json")
        _shut(placed, (400, 401, 403, 404))
        _no_leak(w, placed)
    with tenant_scope(w.bravo):
        assert not Order.objects.filter(lines__product=product).exists()


def _bravo_patient_client(w: ApiWorld) -> APIClient:
    from tests.conftest import PASSWORD

    email = w.objects["bravo_patient"].email
    issued = APIClient().post(
        "/api/v1/auth/token", {"email": email, "password": PASSWORD}, HTTP_X_TENANT_SLUG="bravo"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.json()['token']}", HTTP_X_TENANT_SLUG="bravo")
    return client


def probe_consultations_status(w: ApiWorld) -> None:
    _owner_sees(_bravo_patient_client(w).get("/api/v1/consultations/status"))
    probe("api")
    _shut(w.as_alpha_caller("bravo").get("/api/v1/consultations/status"))
    response = w.as_alpha_caller().get("/api/v1/consultations/status")
    assert response.status_code in (200, 401, 403), response.content[:300]
    # Alpha's own patient sees their own (empty) status, never bravo's patient's.
    if response.status_code == 200:
        assert response.json()["submitted"] is False
    _no_leak(w, response)


def probe_consultations(w: ApiWorld) -> None:
    from kyc.models import ConsultationSubmission

    # The door works for bravo's patient: the answers reach validation (empty: 400 by step).
    _owner_sees(
        _bravo_patient_client(w).post("/api/v1/consultations", {}, format="json"), 400, marker="step1"
    )
    probe("api")
    _shut(w.as_alpha_caller("bravo").post("/api/v1/consultations", {}, format="json"))
    response = w.as_alpha_caller().post("/api/v1/consultations", {}, format="json")
    assert response.status_code in (400, 401, 403), response.content[:300]
    _no_leak(w, response)
    with tenant_scope(w.bravo):
        assert not ConsultationSubmission.objects.exists()


def probe_webhooks_list(w: ApiWorld) -> None:
    from integrations.webhooks.models import WebhookEndpoint

    endpoint = w.objects["delivery"].endpoint
    _owner_sees(w.as_bravo().get("/api/v1/webhooks"), marker=endpoint.url)
    probe("api")
    response = w.as_alpha_caller().get("/api/v1/webhooks")
    assert response.status_code in (200, 401, 403), response.content[:300]
    _no_leak(w, response)
    _shut(w.as_alpha_caller("bravo").get("/api/v1/webhooks"), (401, 403))
    made = w.as_alpha_caller("bravo").post(
        "/api/v1/webhooks", {"url": "https://evil.example/in", "events": ["order.created"]}, format="json"
    )
    _shut(made, (401, 403))
    with tenant_scope(w.bravo):
        assert not WebhookEndpoint.objects.filter(url="https://evil.example/in").exists()


def probe_webhooks_detail(w: ApiWorld) -> None:
    from integrations.webhooks.models import WebhookEndpoint

    endpoint = w.objects["delivery"].endpoint
    _owner_sees(w.as_bravo().get(f"/api/v1/webhooks/{endpoint.pk}"), marker=endpoint.url)
    probe("api")
    for slug in ("alpha", "bravo"):
        caller = w.as_alpha_caller(slug)
        for response in (
            caller.get(f"/api/v1/webhooks/{endpoint.pk}"),
            caller.patch(
                f"/api/v1/webhooks/{endpoint.pk}", {"url": "https://evil.example/in"}, format="json"
            ),
            caller.delete(f"/api/v1/webhooks/{endpoint.pk}"),
        ):
            _shut(response)
            _no_leak(w, response)
    with tenant_scope(w.bravo):
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == endpoint.url


def probe_webhooks_deliveries(w: ApiWorld) -> None:
    delivery = w.objects["delivery"]
    _owner_sees(
        w.as_bravo().get(f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries"), marker=delivery.event_id
    )
    probe("api")
    for slug in ("alpha", "bravo"):
        response = w.as_alpha_caller(slug).get(f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries")
        _shut(response)
        _no_leak(w, response)


def probe_webhooks_redeliver(w: ApiWorld) -> None:
    from integrations.webhooks.models import WebhookDelivery

    delivery = w.objects["delivery"]
    url = f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries/{delivery.pk}/redeliver"
    with tenant_scope(w.bravo):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
    probe("api")
    for slug in ("alpha", "bravo"):
        response = w.as_alpha_caller(slug).post(url)
        _shut(response)
        _no_leak(w, response)
    with tenant_scope(w.bravo):
        assert WebhookDelivery.objects.get(pk=delivery.pk).status == WebhookDelivery.Status.FAILED
    # The door works for bravo's admin (last: it queues the delivery again).
    _owner_sees(w.as_bravo().post(url), 202, marker=delivery.event_id)


def probe_schema_and_docs(w: ApiWorld) -> None:
    probe("api")
    for path in ("/api/v1/schema/", "/api/v1/docs/"):
        response = w.as_alpha_caller().get(path)
        assert response.status_code == 200
        _no_leak(w, response)


def probe_unknown_route(w: ApiWorld) -> None:
    probe("api")
    response = w.as_alpha_caller().get(f"/api/v1/products/{w.objects['product'].pk}/secret")
    _shut(response, (404,))
    _no_leak(w, response)


def _v2_detail(kind: str) -> Callable[[ApiWorld], None]:
    def check(w: ApiWorld) -> None:
        obj = w.objects[kind]
        _owner_sees(w.as_bravo().get(f"/api/v2/{kind}/{obj.pk}/"))
        probe("api")
        response = w.as_alpha_caller().get(f"/api/v2/{kind}/{obj.pk}/")
        _shut(response, (404,))
        _no_leak(w, response)

    return check


def _v2_list(kind: str) -> Callable[[ApiWorld], None]:
    def check(w: ApiWorld) -> None:
        title = w.objects[kind].title
        _owner_sees(w.as_bravo().get(f"/api/v2/{kind}/"), marker=title)
        probe("api")
        response = w.as_alpha_caller().get(f"/api/v2/{kind}/", {"site": "bravo.budstack.test"})
        assert response.status_code in (200, 400)
        _no_leak(w, response)
        _no_leak(w, w.as_alpha_caller().get(f"/api/v2/{kind}/"))

    return check


def _v2_find(kind: str) -> Callable[[ApiWorld], None]:
    def check(w: ApiWorld) -> None:
        obj = w.objects[kind]
        probe("api")
        response = w.as_alpha_caller().get(f"/api/v2/{kind}/find/", {"id": obj.pk})
        _shut(response, (404,))
        _no_leak(w, response)

    return check


def probe_onboarding(w: ApiWorld) -> None:
    # Platform-wide and anonymous: an application for another tenant's slug is refused
    # without telling anything about that tenant beyond "taken".
    probe("api")
    response = w.as_alpha_caller().post(
        "/api/v1/onboarding", {"slug": "bravo", "business_name": "Copycat"}, format="json"
    )
    _shut(response, (400,))
    assert response.json()["details"]["slug"] == ["That address is already taken; choose another."]
    _no_leak(w, response)


PROBES: dict[str, Callable[[ApiWorld], None]] = {
    "api/^.*$": probe_unknown_route,
    "api/v1/^audit-logs/(?P<pk>[^/.]+)/?$": probe_audit_detail,
    "api/v1/^audit-logs/?$": probe_audit_list,
    "api/v1/^auth/tokens/(?P<pk>[^/.]+)/?$": probe_tokens_detail,
    "api/v1/^auth/tokens/?$": probe_tokens_list,
    "api/v1/^orders/(?P<pk>[^/.]+)/?$": probe_orders_detail,
    "api/v1/^orders/?$": probe_orders_list,
    "api/v1/^products/(?P<pk>[^/.]+)/?$": probe_products_detail,
    "api/v1/^products/?$": probe_products_list,
    "api/v1/^tenants/(?P<pk>[^/.]+)/?$": probe_tenants_detail,
    "api/v1/^tenants/?$": probe_tenants_list,
    "api/v1/^themes/(?P<pk>[^/.]+)/?$": probe_themes_detail,
    "api/v1/^themes/?$": probe_themes_list,
    "api/v1/^webhooks/(?P<pk>[^/.]+)/?$": probe_webhooks_detail,
    "api/v1/^webhooks/(?P<pk>[^/.]+)/deliveries/?$": probe_webhooks_deliveries,
    "api/v1/^webhooks/(?P<pk>[^/.]+)/deliveries/(?P<delivery_pk>[^/.]+)/redeliver/?$": probe_webhooks_redeliver,
    "api/v1/^webhooks/?$": probe_webhooks_list,
    "api/v1/auth/token": probe_auth_token,
    "api/v1/consultations": probe_consultations,
    "api/v1/consultations/status": probe_consultations_status,
    "api/v1/docs/": probe_schema_and_docs,
    "api/v1/onboarding": probe_onboarding,
    "api/v1/schema/": probe_schema_and_docs,
    "api/v1/tenant/branding": probe_tenant_branding,
    "api/v1/tenant/current": probe_tenant_current,
    "api/v1/tenant/theme": probe_tenant_theme,
    "api/v2/^documents/": _v2_list("documents"),
    "api/v2/^documents/<int:pk>/": _v2_detail("documents"),
    "api/v2/^documents/find/": _v2_find("documents"),
    "api/v2/^images/": _v2_list("images"),
    "api/v2/^images/<int:pk>/": _v2_detail("images"),
    "api/v2/^images/find/": _v2_find("images"),
    "api/v2/^pages/": _v2_list("pages"),
    "api/v2/^pages/<int:pk>/": _v2_detail("pages"),
    "api/v2/^pages/find/": _v2_find("pages"),
}

PROBED_ROUTES: list[str] = [
    *PROBES,
    # Platform-level, signed by Dr. Green; probed in tests/integrations/test_inbound_webhook.py
    # (an event for tenant B's key changes nothing of tenant A's, a forged one nothing at all).
    "api/v1/integrations/drgreen/webhook",
]
