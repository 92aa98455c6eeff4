"""/account/: patients download everything held about them and can have it erased."""

from __future__ import annotations

import json

import pytest

from kyc.data_rights import register_exporter
from kyc.models import ConsultationSubmission, PatientProfile
from sites.context import tenant_scope
from sites.models import AuditLogEntry, User

from .conftest import step_posts, walk

pytestmark = pytest.mark.django_db
BASE = "/store/alpha/consultation/"


def test_export_holds_profile_and_decrypted_answers_and_registered_parts(client, shop, fake, monkeypatch):
    monkeypatch.setattr("kyc.data_rights._EXPORTERS", [])
    register_exporter(lambda user: {"orders": [{"note": f"orders of {user.pk}"}]})
    walk(client, BASE, step_posts())
    response = client.get("/store/alpha/account/export/")
    assert response["Content-Disposition"] == 'attachment; filename="alpha-my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "ana@example.com"
    assert data["verification"]["status"] == "PENDING"
    assert data["consultations"][0]["answers"]["step4"]["current_medication"] == "Ibuprofen 400mg"
    assert data["orders"][0]["note"].startswith("orders of ")
    with tenant_scope(shop):
        assert AuditLogEntry.objects.filter(action="kyc.data_exported").count() == 1


def test_erasure_removes_answers_and_personal_data_and_leaves_a_clean_trail(client, shop, fake):
    walk(client, BASE, step_posts())
    assert (
        client.post("/store/alpha/account/erase/", {"password": "wrong", "confirm": "on"}).status_code == 400
    )
    response = client.post(
        "/store/alpha/account/erase/", {"password": "a sturdy passphrase 42", "confirm": "on"}
    )
    assert "Your data is erased" in response.content.decode()
    with tenant_scope(shop):
        assert not User.objects.filter(email="ana@example.com").exists()
        assert not ConsultationSubmission.objects.exists()
        profile = PatientProfile.objects.select_related("user").get()
        entry = AuditLogEntry.objects.filter(action="kyc.patient_erased").get()
        trail = repr(list(AuditLogEntry.objects.values()))
    assert profile.kyc_link == "" and not profile.user.is_active
    from kyc.data_rights import _ERASERS

    # Commerce registers its order anonymiser; the entry counts erasers, never data.
    assert entry.data == {"submissions_erased": 1, "erasers": len(_ERASERS)}
    assert "ana@example.com" not in trail and "Silva" not in trail
    assert client.get("/store/alpha/account/").status_code == 302
    login = client.post(
        "/store/alpha/auth/login/", {"username": "ana@example.com", "password": "a sturdy passphrase 42"}
    )
    assert login.status_code == 200  # the form again: no such account
