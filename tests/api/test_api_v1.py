"""REST API v1: each endpoint's happy path and its 400/401/403/404/409 answers.

Tokens are issued through POST /api/v1/auth/token and sent as bearer tokens, as an
integration would; every error is checked for the envelope of CONTRACT.md.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sites.context import platform_scope, tenant_scope
from sites.models import ApiToken, AuditLogEntry, Branding, Role, Tenant
from tests.api.conftest import assert_envelope
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(token: str, slug: str | None = None) -> dict[str, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if slug:
        headers["HTTP_X_TENANT_SLUG"] = slug
    return headers


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------


def test_a_patient_gets_a_token_that_works_at_their_dispensary_only(api, tenant_a, tenant_b, make_user):
    patient = make_user(tenant_a, Role.PATIENT)
    response = api.post(
        "/api/v1/auth/token",
        {"email": patient.email, "password": PASSWORD, "name": "My app"},
        format="json",
        HTTP_X_TENANT_SLUG="alpha",
    )
    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert body["token_type"] == "Bearer" and body["role"] == "PATIENT" and body["tenant"] == "alpha"
    # Stored hashed: the raw token is nowhere in the database.
    with platform_scope("test"):
        stored = ApiToken.objects.get(pk=body["id"])
    assert raw not in (stored.key_hash, stored.prefix) and raw.startswith(stored.prefix)

    mine = api.get("/api/v1/auth/tokens", **bearer(raw, "alpha"))
    assert mine.status_code == 200 and [t["id"] for t in mine.json()["results"]] == [body["id"]]
    # No tenant header: the token's own tenant is used.
    assert api.get("/api/v1/tenant/current", **bearer(raw)).json()["slug"] == "alpha"
    assert_envelope(api.get("/api/v1/auth/tokens", **bearer(raw, "bravo")), 401, "AUTHENTICATION_FAILED")


def test_wrong_credentials_and_bad_input_get_the_envelope(api, tenant_a, make_user):
    patient = make_user(tenant_a, Role.PATIENT)
    wrong = api.post(
        "/api/v1/auth/token",
        {"email": patient.email, "password": "nope"},
        format="json",
        HTTP_X_TENANT_SLUG="alpha",
    )
    assert_envelope(wrong, 401, "INVALID_CREDENTIALS")
    body = assert_envelope(
        api.post("/api/v1/auth/token", {"password": "x"}, format="json", HTTP_X_TENANT_SLUG="alpha"),
        400,
        "VALIDATION_ERROR",
    )
    assert "email" in body["details"]
    garbage = api.post(
        "/api/v1/auth/token", "{not json", content_type="application/json", HTTP_X_TENANT_SLUG="alpha"
    )
    assert_envelope(garbage, 400, "PARSE_ERROR")
    assert_envelope(
        api.post("/api/v1/auth/token", "x", content_type="text/plain", HTTP_X_TENANT_SLUG="alpha"),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    # Tenant staff sign in through their tenant.
    admin = make_user(tenant_a, Role.TENANT_ADMIN)
    assert_envelope(
        api.post("/api/v1/auth/token", {"email": admin.email, "password": PASSWORD}, format="json"),
        400,
        "TENANT_REQUIRED",
    )
    assert_envelope(api.get("/api/v1/auth/tokens", HTTP_AUTHORIZATION="Bearer bst_made-up"), 401)
    assert_envelope(api.get("/api/v1/auth/tokens"), 401, "NOT_AUTHENTICATED")


def test_a_revoked_token_stops_working_and_others_tokens_cannot_be_revoked(api, tenant_a, token_for):
    raw = token_for(tenant_a, Role.PATIENT)
    other = token_for(tenant_a, Role.EDITOR)
    with tenant_scope(tenant_a):
        other_id = ApiToken.objects.get(user__role=Role.EDITOR).pk
        own_id = ApiToken.objects.get(user__role=Role.PATIENT).pk
    assert_envelope(api.delete(f"/api/v1/auth/tokens/{other_id}", **bearer(raw)), 404, "NOT_FOUND")
    assert api.get("/api/v1/auth/tokens", **bearer(other)).status_code == 200
    assert api.delete(f"/api/v1/auth/tokens/{own_id}", **bearer(raw)).status_code == 204
    assert_envelope(api.get("/api/v1/auth/tokens", **bearer(raw)), 401, "AUTHENTICATION_FAILED")


def test_super_admins_get_platform_tokens_without_a_tenant(api, make_user, settings):
    admin = make_user(None, Role.SUPER_ADMIN)
    response = api.post("/api/v1/auth/token", {"email": admin.email, "password": PASSWORD}, format="json")
    assert response.status_code == 201 and response.json()["tenant"] is None
    # Where two-factor is required, a super admin without a device is sent to set it up.
    settings.BUDSTACK_REQUIRE_2FA_FOR_SUPERADMINS = True
    assert_envelope(
        api.post("/api/v1/auth/token", {"email": admin.email, "password": PASSWORD}, format="json"),
        403,
        "TWO_FACTOR_SETUP_REQUIRED",
    )


def test_sign_in_attempts_are_throttled_with_retry_after(api, tenant_a, settings):
    settings.BUDSTACK_API_THROTTLE_RATES = {**settings.BUDSTACK_API_THROTTLE_RATES, "auth": "2/min"}
    for _ in range(2):
        api.post("/api/v1/auth/token", {"email": "a@b.example", "password": "x"}, HTTP_X_TENANT_SLUG="alpha")
    response = api.post(
        "/api/v1/auth/token", {"email": "a@b.example", "password": "x"}, HTTP_X_TENANT_SLUG="alpha"
    )
    body = assert_envelope(response, 429, "THROTTLED")
    assert 1 <= int(response["Retry-After"]) <= 60 and body["details"]["retry_after"] == int(
        response["Retry-After"]
    )


def test_anonymous_callers_are_throttled_per_address(api, tenant_a, settings):
    settings.BUDSTACK_API_THROTTLE_RATES = {**settings.BUDSTACK_API_THROTTLE_RATES, "anon": "3/min"}
    statuses = [api.get("/api/v1/tenant/current", HTTP_X_TENANT_SLUG="alpha").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another address has its own allowance.
    assert (
        api.get("/api/v1/tenant/current", HTTP_X_TENANT_SLUG="alpha", REMOTE_ADDR="10.0.0.9").status_code
        == 200
    )


# ---------------------------------------------------------------------------
# Tenant
# ---------------------------------------------------------------------------


def test_current_tenant_by_header_or_host_and_the_tenant_errors(api, tenant_a, tenant_b):
    by_header = api.get("/api/v1/tenant/current", HTTP_X_TENANT_SLUG="alpha").json()
    by_host = api.get("/api/v1/tenant/current", HTTP_HOST="bravo.budstack.test").json()
    assert (by_header["slug"], by_header["country_code"], by_header["theme"]["slug"]) == (
        "alpha",
        "GB",
        "sage",
    )
    assert by_host["name"] == "Bravo Clinic" and "primary_colour" in by_host["branding"]
    assert_envelope(api.get("/api/v1/tenant/current", HTTP_X_TENANT_SLUG="nowhere"), 404, "TENANT_NOT_FOUND")
    assert_envelope(api.get("/api/v1/tenant/current"), 400, "TENANT_REQUIRED")
    tenant_b.status = Tenant.Status.SUSPENDED
    tenant_b.save()
    assert_envelope(api.get("/api/v1/tenant/current", HTTP_X_TENANT_SLUG="bravo"), 403, "TENANT_SUSPENDED")


def test_tenant_admins_change_branding_others_cannot(api, tenant_a, token_for):
    admin = token_for(tenant_a, Role.TENANT_ADMIN)
    patient = token_for(tenant_a, Role.PATIENT)
    response = api.patch(
        "/api/v1/tenant/branding", {"tagline": "Care first", "primary_colour": "#1f6f4a"}, format="json",
        **bearer(admin, "alpha"),
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["tagline"] == "Care first"
    with tenant_scope(tenant_a):
        assert Branding.objects.get().primary_colour == "#1f6f4a"
        assert AuditLogEntry.objects.filter(action="branding.updated").count() == 1
    body = assert_envelope(
        api.patch(
            "/api/v1/tenant/branding", {"primary_colour": "green"}, format="json", **bearer(admin, "alpha")
        ),
        400,
        "VALIDATION_ERROR",
    )
    assert "primary_colour" in body["details"]
    assert_envelope(
        api.patch("/api/v1/tenant/branding", {"tagline": "x"}, format="json", **bearer(patient, "alpha")), 403
    )
    assert_envelope(api.patch("/api/v1/tenant/branding", {"tagline": "x"}, format="json", HTTP_X_TENANT_SLUG="alpha"),
                    401)  # fmt: skip
    with tenant_scope(tenant_a):
        assert Branding.objects.get().tagline == "Care first"


def test_tenant_admins_choose_and_roll_back_the_theme(api, tenant_a, token_for):
    from themes.models import Theme

    admin = token_for(tenant_a, Role.TENANT_ADMIN)
    assert_envelope(api.post("/api/v1/tenant/theme", {"rollback": True}, format="json", **bearer(admin)), 409,
                    "NO_PREVIOUS_THEME")  # fmt: skip
    clinic = Theme.objects.get(slug="clinic")
    response = api.post("/api/v1/tenant/theme", {"theme": clinic.pk}, format="json", **bearer(admin))
    assert response.status_code == 200 and response.json()["theme"]["slug"] == "clinic"
    back = api.post("/api/v1/tenant/theme", {"rollback": True}, format="json", **bearer(admin))
    assert back.json()["theme"]["slug"] == "sage"
    assert_envelope(api.post("/api/v1/tenant/theme", {"theme": 99999}, format="json", **bearer(admin)), 400)
    assert_envelope(api.post("/api/v1/tenant/theme", {}, format="json", **bearer(admin)), 400)


# ---------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------


def test_products_are_gated_to_the_tenants_country_searchable_and_paginated(api, tenant_a, product_in):
    product_in(tenant_a, "Northern Lights", "GB", price=12)
    product_in(tenant_a, "Amnesia Haze", "GB PT", price=30, strain_type="sativa", stock=0)
    hidden = product_in(tenant_a, "Lisbon Only", "PT")
    alpha = {"HTTP_X_TENANT_SLUG": "alpha"}
    names = [p["name"] for p in api.get("/api/v1/products", **alpha).json()["results"]]
    assert names == ["Amnesia Haze", "Northern Lights"]
    assert [p["name"] for p in api.get("/api/v1/products", {"q": "haze"}, **alpha).json()["results"]] == [
        "Amnesia Haze"
    ]
    assert [
        p["name"] for p in api.get("/api/v1/products", {"strain_type": "sativa"}, **alpha).json()["results"]
    ] == ["Amnesia Haze"]
    assert [
        p["name"] for p in api.get("/api/v1/products", {"in_stock": "true"}, **alpha).json()["results"]
    ] == ["Northern Lights"]
    by_price = api.get("/api/v1/products", {"ordering": "-price"}, **alpha).json()["results"]
    assert [p["name"] for p in by_price] == ["Amnesia Haze", "Northern Lights"]
    page = api.get("/api/v1/products", {"page_size": 1}, **alpha).json()
    assert (
        page["count"] == 2
        and len(page["results"]) == 1
        and "page=2" in page["next"]
        and page["previous"] is None
    )
    assert_envelope(api.get("/api/v1/products", {"page": 9}, **alpha), 404, "NOT_FOUND")
    assert_envelope(api.get("/api/v1/products", {"min_price": "cheap"}, **alpha), 400, "VALIDATION_ERROR")
    assert_envelope(api.get(f"/api/v1/products/{hidden.pk}", **alpha), 404, "NOT_FOUND")
    assert_envelope(api.get("/api/v1/products/not-a-number", **alpha), 404)
    assert api.get(f"/api/v1/products/{hidden.pk - 1}", **alpha).json()["name"] == "Amnesia Haze"


# ---------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------


def test_super_admins_upload_and_remove_themes(api, tenant_a, make_user, token_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.themes.zips import make_zip

    root = token_for(None, Role.SUPER_ADMIN)
    owner = token_for(tenant_a, Role.TENANT_ADMIN)
    listing = api.get("/api/v1/themes", **bearer(owner)).json()
    assert {t["slug"] for t in listing["results"]} >= {"sage", "clinic"}
    upload = {"zip_file": SimpleUploadedFile("t.zip", make_zip(), content_type="application/zip")}
    assert_envelope(api.post("/api/v1/themes", upload, format="multipart", **bearer(owner)), 403)
    created = api.post("/api/v1/themes", {"zip_file": SimpleUploadedFile("t.zip", make_zip())}, format="multipart",
                       **bearer(root))  # fmt: skip
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/themes", {"zip_file": SimpleUploadedFile("t.zip", make_zip())}, format="multipart",
                     **bearer(root))  # fmt: skip
    assert_envelope(again, 409, "THEME_EXISTS")
    bad = api.post("/api/v1/themes", {"zip_file": SimpleUploadedFile("t.zip", b"not a zip")}, format="multipart",
                   **bearer(root))  # fmt: skip
    assert assert_envelope(bad, 400, "INVALID_THEME")["details"]["zip_file"]
    in_use = api.delete(f"/api/v1/themes/{tenant_a.theme_id}", **bearer(root))
    assert assert_envelope(in_use, 409, "THEME_IN_USE")["details"]["used_by"] == ["Alpha Dispensary"]
    assert api.delete(f"/api/v1/themes/{created.json()['id']}", **bearer(root)).status_code == 204
    assert_envelope(api.get(f"/api/v1/themes/{created.json()['id']}", **bearer(root)), 404)


# ---------------------------------------------------------------------------
# Tenants and the audit trail
# ---------------------------------------------------------------------------


def test_super_admins_list_update_and_suspend_tenants(api, tenant_a, tenant_b, token_for):
    root = token_for(None, Role.SUPER_ADMIN)
    owner = token_for(tenant_a, Role.TENANT_ADMIN)
    listing = api.get("/api/v1/tenants", {"ordering": "-name"}, **bearer(root)).json()
    assert [t["slug"] for t in listing["results"]] == ["bravo", "alpha"]
    assert [
        t["slug"]
        for t in api.get("/api/v1/tenants", {"country_code": "pt"}, **bearer(root)).json()["results"]
    ] == ["bravo"]
    assert_envelope(api.get("/api/v1/tenants", **bearer(owner)), 403, "PERMISSION_DENIED")
    assert_envelope(api.get("/api/v1/tenants"), 401)
    assert_envelope(api.get("/api/v1/tenants/99999", **bearer(root)), 404)
    assert_envelope(api.patch(f"/api/v1/tenants/{tenant_b.pk}", {"country_code": "ZZ"}, format="json", **bearer(root)),
                    400, "VALIDATION_ERROR")  # fmt: skip
    api.patch(
        f"/api/v1/tenants/{tenant_a.pk}",
        {"custom_domain": "shop.alpha.example"},
        format="json",
        **bearer(root),
    )
    clash = api.patch(f"/api/v1/tenants/{tenant_b.pk}", {"custom_domain": "shop.alpha.example"}, format="json",
                      **bearer(root))  # fmt: skip
    assert_envelope(clash, 409, "DOMAIN_TAKEN")
    suspended = api.patch(
        f"/api/v1/tenants/{tenant_b.pk}", {"status": "suspended"}, format="json", **bearer(root)
    )
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert_envelope(api.get("/api/v1/products", HTTP_X_TENANT_SLUG="bravo"), 403, "TENANT_SUSPENDED")
    with platform_scope("test"):
        assert AuditLogEntry.objects.filter(action="tenant.suspended", tenant=tenant_b).exists()


def test_audit_logs_are_the_tenants_own_and_everything_for_super_admins(api, tenant_a, tenant_b, token_for):
    from sites.audit import record_audit

    with tenant_scope(tenant_b):
        record_audit("probe.recorded", tenant=tenant_b, data={"note": "bravo only"})
    owner = token_for(tenant_a, Role.TENANT_ADMIN)
    root = token_for(None, Role.SUPER_ADMIN)
    mine = api.get("/api/v1/audit-logs", {"tenant": "bravo"}, **bearer(owner)).json()["results"]
    assert mine and {entry["tenant"] for entry in mine} == {"alpha"}
    assert [e["action"] for e in api.get("/api/v1/audit-logs", {"tenant": "bravo", "action": "probe."},
                                         **bearer(root)).json()["results"]] == ["probe.recorded"]  # fmt: skip
    assert_envelope(
        api.get("/api/v1/audit-logs", {"since": "yesterday"}, **bearer(owner)), 400, "VALIDATION_ERROR"
    )
    assert_envelope(api.get("/api/v1/audit-logs", **bearer(token_for(tenant_a, Role.EDITOR))), 403)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


def test_unknown_routes_wrong_methods_and_crashes_answer_with_the_envelope(
    api, tenant_a, monkeypatch, caplog
):
    assert_envelope(api.get("/api/v1/no-such-thing"), 404, "NOT_FOUND")
    assert_envelope(
        api.delete("/api/v1/tenant/current", HTTP_X_TENANT_SLUG="alpha"), 405, "METHOD_NOT_ALLOWED"
    )

    from sites import api as sites_api

    def explode(self, tenant):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(sites_api.TenantPublicSerializer, "get_branding", explode)
    response = APIClient(raise_request_exception=False).get(
        "/api/v1/tenant/current", HTTP_X_TENANT_SLUG="alpha", HTTP_X_REQUEST_ID="trace-12345678"
    )
    body = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert (
        body["details"] == {"request_id": "trace-12345678"} and response["X-Request-ID"] == "trace-12345678"
    )
    assert b"database on fire" not in response.content and b"Traceback" not in response.content
    assert "trace-12345678" in caplog.text


def test_a_cookie_bearing_delete_to_an_unknown_route_is_a_json_404(tenant_a):
    # Found by schemathesis: the catch-all 404 answered CSRF's HTML page instead.
    client = APIClient(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "whatever"
    assert_envelope(client.delete("/api/v1/auth/tokens/0.5", HTTP_X_TENANT_SLUG="alpha"), 404, "NOT_FOUND")
