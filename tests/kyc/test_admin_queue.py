"""The review queue at /admin/kyc/: tenant admins review their own patients, nobody else's."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

import pytest

from kyc.models import KycStatus, PatientProfile
from sites.context import tenant_scope
from sites.models import AuditLogEntry, Role
from tests.conftest import PASSWORD

from .conftest import step_posts, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(shop, fake):
    walk(Client(), "/store/alpha/consultation/", step_posts())
    with tenant_scope(shop):
        return PatientProfile.objects.select_related("user").get(user__email="ana@example.com")


def staff(make_user, tenant, role=Role.TENANT_ADMIN, email=None) -> Client:
    user = make_user(tenant, role, email=email)
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_tenant_admin_lists_filters_and_reads_answers_with_an_audit_entry(make_user, shop, patient):
    admin = staff(make_user, shop)
    listing = admin.get("/admin/kyc/").content.decode()
    assert "ana@example.com" in listing
    assert "ana@example.com" not in admin.get("/admin/kyc/?status=verified").content.decode()
    detail = admin.get(f"/admin/kyc/{patient.pk}/").content.decode()
    assert "Ibuprofen 400mg" in detail and "Tension headaches" in detail
    with tenant_scope(shop):
        viewed = AuditLogEntry.objects.filter(action="kyc.answers_viewed").get()
    assert viewed.actor_label == "owner@alpha.example" or viewed.actor_id is not None
    assert viewed.data == {"patient_id": patient.user_id, "version": 1}


def test_approval_lets_the_patient_order(make_user, shop, patient):
    admin = staff(make_user, shop)
    assert admin.post(f"/admin/kyc/{patient.pk}/approve/").status_code == 302
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.kyc_status == KycStatus.VERIFIED and patient.may_order
    me = Client()
    me.post("/store/alpha/auth/login/", {"username": "ana@example.com", "password": "a sturdy passphrase 42"})
    assert "You are verified: you may order." in me.get("/store/alpha/account/").content.decode()
    with tenant_scope(shop):
        assert AuditLogEntry.objects.filter(action="kyc.status_changed", data__source="staff").count() == 1


def test_rejection_needs_a_reason_which_the_patient_sees(make_user, shop, patient):
    admin = staff(make_user, shop)
    admin.post(f"/admin/kyc/{patient.pk}/reject/", {"reason": ""})
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.kyc_status == KycStatus.PENDING
    admin.post(f"/admin/kyc/{patient.pk}/reject/", {"reason": "Your GP letter is missing."})
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.kyc_status == KycStatus.REJECTED
    me = Client()
    me.post("/store/alpha/auth/login/", {"username": "ana@example.com", "password": "a sturdy passphrase 42"})
    page = me.get("/store/alpha/consultation/success/").content.decode()
    assert 'data-status="REJECTED"' in page and "Your GP letter is missing." in page


def test_setting_the_monthly_allowance(make_user, shop, patient):
    admin = staff(make_user, shop)
    admin.post(f"/admin/kyc/{patient.pk}/allowance/", {"monthly_allowance_grams": "-3"})
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.monthly_allowance_grams is None
    admin.post(f"/admin/kyc/{patient.pk}/allowance/", {"monthly_allowance_grams": "30"})
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.monthly_allowance_grams == Decimal("30")


@pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.EDITOR, Role.MARKETER])
def test_staff_of_another_tenant_get_404_and_change_nothing(make_user, shop, patient, tenant_b, role):
    other = staff(make_user, tenant_b, role)
    assert "ana@example.com" not in other.get("/admin/kyc/").content.decode()
    for path in ("", "approve/", "reject/", "allowance/"):
        response = (other.get if not path else other.post)(
            f"/admin/kyc/{patient.pk}/{path}", {"reason": "x", "monthly_allowance_grams": "99"}
        )
        assert response.status_code == 404, path
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.kyc_status == KycStatus.PENDING and patient.monthly_allowance_grams is None
    with tenant_scope(shop):
        assert not AuditLogEntry.objects.filter(action__startswith="kyc.answers").exists()


def test_editors_of_the_same_tenant_cannot_open_the_queue(make_user, shop, patient):
    editor = staff(make_user, shop, Role.EDITOR)
    assert editor.get("/admin/kyc/").status_code == 404
    assert editor.get(f"/admin/kyc/{patient.pk}/").status_code == 404
