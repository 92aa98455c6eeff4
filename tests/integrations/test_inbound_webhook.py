"""POST /api/v1/integrations/drgreen/webhook: signed events from Dr. Green's relay."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from integrations.drgreen.credentials import store_credentials
from integrations.drgreen.signing import generate_key_pair, webhook_signature
from integrations.webhooks import inbound
from integrations.webhooks.models import InboundEvent
from kyc.models import KycStatus, PatientProfile
from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Role, User
from tests.integrations.conftest import registration

URL = "/api/v1/integrations/drgreen/webhook"
SECRET = "test-drgreen-webhook-secret"  # budstack.settings.test's DRGREEN_WEBHOOK_SECRET


def patient_with_client_id(tenant, client_id: str) -> PatientProfile:
    with tenant_scope(tenant):
        user = User.objects.create_user(
            f"p-{uuid.uuid4().hex[:6]}@example.com", role=Role.PATIENT, tenant=tenant
        )
        return PatientProfile.objects.create(user=user, drgreen_client_id=client_id)


def own_key(tenant) -> str:
    pair = generate_key_pair()
    store_credentials(tenant, pair.api_key, pair.secret_key)
    return inbound.api_key_fingerprint(pair.api_key)


def event(fingerprint: str, type_: str = "client.approved", **client) -> dict:
    client = {"id": "client-1", "adminApproval": "VERIFIED", "isKYCVerified": True, **client}
    data = (
        {"client": client}
        if type_.startswith("client.")
        else {"order": {"id": "o-1", "clientId": client["id"]}}
    )
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": type_,
        "created": int(time.time()),
        "apiKey": fingerprint,
        "data": data,
    }


def send(
    client,
    body: dict | bytes,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    header: str | None = None,
):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signature = header if header is not None else webhook_signature(secret, raw, timestamp)
    return client.generic(
        "POST", URL, raw, content_type="application/json", HTTP_X_DRGREEN_SIGNATURE=signature
    )


def status_of(profile: PatientProfile) -> str:
    with tenant_scope(profile.tenant):
        return PatientProfile.objects.get(pk=profile.pk).kyc_status


def inbound_count() -> int:
    with platform_scope("test"):
        return InboundEvent.objects.count()


def assert_envelope(response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "code", "details", "timestamp"}
    assert body["code"] == code and body["error"]


@pytest.fixture
def handlers(monkeypatch):
    """Register handlers for one test only, in place of the apps' own (KYC's, commerce's)."""
    monkeypatch.setattr(inbound, "_handlers", {})
    added: list[tuple[str, object]] = []

    def register(event_type: str, handler) -> None:
        inbound.register_inbound_handler(event_type, handler)
        added.append((event_type, handler))

    yield register
    for event_type, handler in added:
        inbound.unregister_inbound_handler(event_type, handler)


# Serialized rollback: the flush that ends a transactional test would otherwise take the
# root page and collection that migrations made, which provisioning needs.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_fake_relay_and_budstack_agree_end_to_end(live_server, make_tenant, fake, make_client, settings):
    """The fake Dr. Green signs and relays; the patient ends up verified, over real HTTP."""
    tenant = make_tenant("alpha", "Alpha Dispensary")
    pair = generate_key_pair()
    store_credentials(tenant, pair.api_key, pair.secret_key, base_url=fake.api_url)
    supplier_client = make_client(pair).register_client(registration()).client
    profile = patient_with_client_id(tenant, supplier_client.id)
    fake.relay_to(live_server.url + URL, settings.DRGREEN_WEBHOOK_SECRET)

    fake.verify_client(supplier_client.id)  # KYC passed, not yet approved by the supplier
    fake.relay.wait()
    assert status_of(profile) == KycStatus.PENDING
    fake.approve_client(supplier_client.id)
    fake.relay.wait()

    deliveries = fake.control("GET", "/webhook")["deliveries"]
    assert [d["attempts"][-1]["status"] for d in deliveries] == [200, 200]
    assert status_of(profile) == KycStatus.VERIFIED
    with platform_scope("test"):
        assert list(
            InboundEvent.objects.order_by("received_at").values_list("event_type", "status", "tenant_slug")
        ) == [
            ("client.kyc_verified", "processed", "alpha"),
            ("client.approved", "processed", "alpha"),
        ]
    with tenant_scope(tenant):
        entry = AuditLogEntry.objects.filter(action="kyc.status_changed").latest("pk")
    assert entry.data["to"] == "VERIFIED" and entry.data["source"] == "webhook"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda raw: {"secret": "someone-elses-secret"}, id="wrong-secret"),
        pytest.param(lambda raw: {"header": ""}, id="no-signature"),
        pytest.param(lambda raw: {"header": "garbage"}, id="garbage-header"),
        pytest.param(lambda raw: {"header": webhook_signature(SECRET, raw + b" ")}, id="body-changed"),
        pytest.param(lambda raw: {"header": webhook_signature(SECRET, raw).split(",v1")[0]}, id="no-mac"),
    ],
)
def test_a_bad_signature_is_refused_and_changes_nothing(tamper, client, tenant_a):
    profile = patient_with_client_id(tenant_a, "client-1")
    raw = json.dumps(event(own_key(tenant_a))).encode()

    response = send(client, raw, **tamper(raw))

    assert_envelope(response, 401, "INVALID_SIGNATURE")
    assert status_of(profile) == KycStatus.PENDING
    assert inbound_count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-301, 301, -3600], ids=["just-too-old", "from-the-future", "an-hour-old"])
def test_a_timestamp_outside_five_minutes_is_refused(offset, client, tenant_a):
    profile = patient_with_client_id(tenant_a, "client-1")

    response = send(client, event(own_key(tenant_a)), timestamp=int(time.time()) + offset)

    assert_envelope(response, 401, "STALE_TIMESTAMP")
    assert status_of(profile) == KycStatus.PENDING and inbound_count() == 0


@pytest.mark.django_db
def test_a_timestamp_within_five_minutes_is_accepted(client, tenant_a):
    profile = patient_with_client_id(tenant_a, "client-1")

    response = send(client, event(own_key(tenant_a)), timestamp=int(time.time()) - 290)

    assert response.status_code == 200 and response.json()["status"] == "processed"
    assert status_of(profile) == KycStatus.VERIFIED


@pytest.mark.django_db
def test_a_duplicate_event_is_acknowledged_and_ignored(client, tenant_a, handlers):
    calls = []
    handlers("client.updated", lambda e: calls.append((e.id, e.tenant.slug, e.patient.pk)))
    profile = patient_with_client_id(tenant_a, "client-1")
    body = event(own_key(tenant_a), "client.updated")

    first = send(client, body)
    second = send(client, body)

    assert first.json() == {"status": "processed", "event": body["id"]}
    assert second.status_code == 200 and second.json() == {"status": "duplicate", "event": body["id"]}
    assert calls == [(body["id"], "alpha", profile.pk)]
    assert inbound_count() == 1


@pytest.mark.django_db
def test_a_registered_handler_receives_the_event_with_its_patient(client, tenant_a, handlers):
    seen = []
    handlers("client.approved", seen.append)
    profile = patient_with_client_id(tenant_a, "client-1")

    send(client, event(own_key(tenant_a)))

    assert len(seen) == 1 and seen[0].client_id == "client-1" and seen[0].patient == profile
    assert status_of(profile) == KycStatus.PENDING  # only this handler ran, not the KYC app's


@pytest.mark.django_db
def test_order_events_reach_their_handler_with_tenant_and_patient(client, tenant_a, handlers):
    seen = []
    profile = patient_with_client_id(tenant_a, "client-7")
    fingerprint = own_key(tenant_a)

    unhandled = send(client, event(fingerprint, "order.status_changed", id="client-7"))
    handlers("order.status_changed", seen.append)
    handled = send(client, event(fingerprint, "order.status_changed", id="client-7"))

    assert unhandled.json()["status"] == "ignored"
    assert handled.json()["status"] == "processed"
    (got,) = seen
    assert got.tenant == tenant_a and got.patient == profile and got.data["order"]["id"] == "o-1"


@pytest.mark.django_db
def test_a_failing_handler_keeps_nothing_so_the_relay_can_retry(client, tenant_a, handlers):
    profile = patient_with_client_id(tenant_a, "client-1")
    fingerprint = own_key(tenant_a)
    outcome = {"fail": True}

    def flaky(e):
        with tenant_scope(e.tenant):
            PatientProfile.objects.filter(pk=e.patient.pk).update(kyc_status=KycStatus.REJECTED)
        if outcome["fail"]:
            raise RuntimeError("database hiccup")

    handlers("client.rejected", flaky)
    body = event(fingerprint, "client.rejected", adminApproval="REJECTED")

    failed = send(client, body)
    assert_envelope(failed, 503, "HANDLER_FAILED")
    assert status_of(profile) == KycStatus.PENDING and inbound_count() == 0

    outcome["fail"] = False
    assert send(client, body).json()["status"] == "processed"
    assert status_of(profile) == KycStatus.REJECTED


@pytest.mark.django_db
def test_an_event_for_another_tenants_key_leaves_this_tenant_alone(client, tenant_a, tenant_b):
    """Isolation probe: the same client id at two dispensaries; B's event touches B only."""
    mine = patient_with_client_id(tenant_a, "client-shared")
    theirs = patient_with_client_id(tenant_b, "client-shared")
    own_key(tenant_a)

    response = send(client, event(own_key(tenant_b), id="client-shared"))

    assert response.json()["status"] == "processed"
    assert status_of(theirs) == KycStatus.VERIFIED
    assert status_of(mine) == KycStatus.PENDING


@pytest.mark.django_db
def test_an_unknown_key_is_acknowledged_and_changes_nothing(client, tenant_a):
    profile = patient_with_client_id(tenant_a, "client-1")
    own_key(tenant_a)

    response = send(client, event("0123456789abcdef"))

    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert status_of(profile) == KycStatus.PENDING


@pytest.mark.django_db
def test_the_platform_key_is_resolved_by_the_patients_client_id(client, tenant_a, tenant_b, settings):
    pair = generate_key_pair()
    settings.DRGREEN_API_KEY = pair.api_key
    profile = patient_with_client_id(tenant_b, "client-9")
    patient_with_client_id(tenant_a, "client-other")

    response = send(client, event(inbound.api_key_fingerprint(pair.api_key), id="client-9"))

    assert response.json()["status"] == "processed"
    assert status_of(profile) == KycStatus.VERIFIED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(b"{not json", "VALIDATION_ERROR", id="not-json"),
        pytest.param(b"[1, 2]", "VALIDATION_ERROR", id="not-an-object"),
        pytest.param(
            json.dumps({"id": "evt_1", "type": "client.approved"}).encode(),
            "VALIDATION_ERROR",
            id="missing-fields",
        ),
        pytest.param(
            json.dumps({"id": 5, "type": "x", "apiKey": "k", "data": []}).encode(),
            "VALIDATION_ERROR",
            id="wrong-types",
        ),
    ],
)
def test_a_well_signed_but_invalid_body_is_a_400(body, code, client):
    response = send(client, body)

    assert_envelope(response, 400, code)
    assert inbound_count() == 0


@pytest.mark.django_db
def test_only_post_is_allowed(client):
    assert_envelope(client.get(URL), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.django_db
def test_without_a_configured_secret_nothing_is_accepted(client, settings, tenant_a):
    settings.DRGREEN_WEBHOOK_SECRET = ""

    response = send(client, event(own_key(tenant_a)), secret="")

    assert_envelope(response, 503, "WEBHOOK_NOT_CONFIGURED")
    assert inbound_count() == 0


@pytest.mark.django_db
def test_the_endpoint_needs_no_csrf_token(tenant_a):
    from django.test import Client

    profile = patient_with_client_id(tenant_a, "client-1")

    response = send(Client(enforce_csrf_checks=True), event(own_key(tenant_a)))

    assert response.status_code == 200 and status_of(profile) == KycStatus.VERIFIED
