"""The audit trail: append-only, tenant-stamped, free of patients' personal data."""

from __future__ import annotations

import pytest

from sites.audit import record_audit
from sites.context import tenant_scope
from sites.models import AuditLogEntry, Role, User

pytestmark = pytest.mark.django_db


def test_entry_records_actor_target_and_tenant(make_tenant):
    tenant = make_tenant("audited")
    with tenant_scope(tenant):
        staff = User.objects.create_user("boss@audited.test", role=Role.TENANT_ADMIN, tenant=tenant)
        entry = record_audit("kyc.approved", actor=staff, target=staff, data={"reason": "docs ok"})
        stored = AuditLogEntry.objects.get()
    assert stored.pk == entry.pk
    assert stored.tenant == tenant
    assert stored.actor_label == "boss@audited.test"
    assert (stored.object_type, stored.object_id) == ("tenancy.user", str(staff.pk))
    assert stored.data == {"reason": "docs ok"}


def test_patient_actor_is_recorded_without_email(make_tenant):
    tenant = make_tenant("audited")
    with tenant_scope(tenant):
        patient = User.objects.create_user("jane@example.com", role=Role.PATIENT, tenant=tenant)
        entry = record_audit("account.exported", actor=patient)
    assert entry.actor_label == f"patient #{patient.pk}"
    assert "jane" not in entry.actor_label


def test_entries_cannot_be_edited(make_tenant):
    tenant = make_tenant("audited")
    with tenant_scope(tenant):
        entry = record_audit("order.cancelled")
        entry.action = "order.shipped"
        with pytest.raises(ValueError, match="append-only"):
            entry.save()
        assert AuditLogEntry.objects.get().action == "order.cancelled"


def test_recording_needs_a_tenant():
    with pytest.raises(ValueError, match="needs a tenant"):
        record_audit("orphan.action")
