"""REST API v1 consultations: a patient submits the questionnaire and reads the status."""

from __future__ import annotations

import pytest

from kyc.models import ConsultationSubmission, PatientProfile
from sites.context import tenant_scope
from sites.models import Role
from tests.api.conftest import assert_envelope
from tests.api.test_api_v1 import bearer
from tests.kyc import conftest as kyc_fixtures
from tests.kyc.conftest import step_posts

# The consultation-ready tenant and the fake Dr. Green of the KYC tests.
fake_server, fake, connect, shop = (
    kyc_fixtures.fake_server,
    kyc_fixtures.fake,
    kyc_fixtures.connect,
    kyc_fixtures.shop,
)

pytestmark = pytest.mark.django_db


def questionnaire(**overrides) -> dict:
    posts = step_posts()
    body = {f"step{n}": answers for n, answers in posts.items()}
    body["step5"] = {"consent_data_processing": True, "consent_terms": True, "consent_truthful": True}
    for step, answers in overrides.items():
        body[step] = {**body[step], **answers}
    return body


def test_a_patient_submits_and_is_registered_pending_with_a_kyc_link(
    api, shop, fake, token_for, mailoutbox, django_capture_on_commit_callbacks
):
    token = token_for(shop, Role.PATIENT)
    auth = bearer(token, "alpha")
    before = api.get("/api/v1/consultations/status", **auth)
    assert before.status_code == 200
    assert before.json() | {} == {
        "status": "PENDING",
        "kyc_verified": False,
        "kyc_link": "",
        "submitted": False,
        "submitted_at": None,
        "version": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/consultations", questionnaire(), format="json", **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "PENDING" and body["submitted"] and body["version"] == 1
    assert body["kyc_link"].startswith(fake.url)
    with tenant_scope(shop):
        submission = ConsultationSubmission.objects.get()
        assert PatientProfile.objects.get().drgreen_client_id
    assert submission.answers["step4"]["cannabis_routes"] == ["vaporizing", "ingestion"]
    assert any("received your consultation" in m.subject for m in mailoutbox)
    status = api.get("/api/v1/consultations/status", **auth).json()
    assert status["submitted"] and status["kyc_link"] == body["kyc_link"]


def test_invalid_answers_are_a_400_by_step_and_field_and_store_nothing(api, shop, token_for):
    auth = bearer(token_for(shop, Role.PATIENT), "alpha")
    wrong_country = assert_envelope(
        api.post("/api/v1/consultations", questionnaire(step2={"country": "FR"}), format="json", **auth),
        400,
        "VALIDATION_ERROR",
    )
    assert list(wrong_country["details"]) == ["step2"] and "country" in wrong_country["details"]["step2"]
    nested = assert_envelope(
        api.post(
            "/api/v1/consultations", questionnaire(step1={"first_name": {"a": 1}}), format="json", **auth
        ),
        400,
        "VALIDATION_ERROR",
    )
    assert "step1" in nested["details"]
    missing = assert_envelope(
        api.post("/api/v1/consultations", {}, format="json", **auth), 400, "VALIDATION_ERROR"
    )
    assert "step1" in missing["details"]
    with tenant_scope(shop):
        assert not ConsultationSubmission.objects.exists()


def test_only_the_tenants_patients_use_consultations(api, shop, tenant_b, token_for):
    assert_envelope(
        api.get("/api/v1/consultations/status", HTTP_X_TENANT_SLUG="alpha"), 401, "NOT_AUTHENTICATED"
    )
    admin = bearer(token_for(shop, Role.TENANT_ADMIN), "alpha")
    assert_envelope(api.post("/api/v1/consultations", questionnaire(), format="json", **admin), 403)
    assert_envelope(api.get("/api/v1/consultations/status", **admin), 403, "PERMISSION_DENIED")
    patient = token_for(shop, Role.PATIENT)
    assert_envelope(api.get("/api/v1/consultations/status", **bearer(patient, "bravo")), 401)
    assert_envelope(api.get("/api/v1/consultations/stats", **bearer(patient, "alpha")), 404, "NOT_FOUND")
