"""The audit trail: append-only, tenant-stamped, free of patients' personal data."""

from __future__ import annotations

from django.db import DatabaseError, connection

import pytest

from sites.audit import record_audit
from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Role, User
from tests.conftest import PASSWORD

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


def test_platform_actions_are_recorded_without_a_tenant_and_hidden_from_tenants(make_tenant):
    tenant = make_tenant("audited")
    with platform_scope("test"):
        entry = record_audit("tenant.suspended", data={"slug": "audited"})
        assert entry.tenant is None
    with tenant_scope(tenant):
        assert not AuditLogEntry.objects.filter(pk=entry.pk).exists()
    with platform_scope("test"):
        assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
def test_the_database_refuses_to_rewrite_or_delete_entries_even_by_raw_sql(make_tenant):
    tenant = make_tenant("audited")
    with tenant_scope(tenant):
        entry = record_audit("order.cancelled", data={"reason": "patient asked"})
    for statement in (
        "UPDATE tenancy_auditlogentry SET action = 'order.shipped' WHERE id = %s",
        "UPDATE tenancy_auditlogentry SET data = '{}'::jsonb WHERE id = %s",
        "DELETE FROM tenancy_auditlogentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            platform_scope("tamper"),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    with platform_scope("check"):
        stored = AuditLogEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.data) == ("order.cancelled", {"reason": "patient asked"})


@pytest.mark.postgres
def test_deleting_a_staff_account_keeps_its_entries_under_its_label(make_tenant, make_user):
    tenant = make_tenant("audited")
    staff = make_user(tenant, Role.EDITOR, email="gone@audited.example")
    with tenant_scope(tenant):
        entry = record_audit("page.published", actor=staff)
        staff.delete()
        stored = AuditLogEntry.objects.get(pk=entry.pk)
    assert stored.actor is None
    assert stored.actor_label == "gone@audited.example"


def test_sign_ins_and_failed_sign_ins_are_recorded(client, make_tenant, make_user):
    tenant = make_tenant("audited")
    admin = make_user(tenant, Role.TENANT_ADMIN, email="chief@audited.example")
    response = client.post("/admin/login/", {"username": admin.email, "password": "wrong guess"})
    assert response.status_code == 200
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    with tenant_scope(tenant):
        actions = list(AuditLogEntry.objects.values_list("action", "actor_label"))
    assert ("auth.login", "chief@audited.example") in actions
    with platform_scope("check"):
        failed = AuditLogEntry.objects.get(action="auth.login_failed")
    # The attempted address is kept only as a digest.
    assert "chief" not in str(failed.data)
    assert len(failed.data["account_digest"]) == 16


def _admin_get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_tenant_admins_read_their_own_trail_only(client, make_tenant, make_user):
    alpha, bravo = make_tenant("alpha"), make_tenant("bravo")
    admin = make_user(alpha, Role.TENANT_ADMIN, email="chief@alpha.example")
    with tenant_scope(alpha):
        record_audit("kyc.approved", data={"note": "alpha-own-entry"})
    with tenant_scope(bravo):
        secret = record_audit("kyc.rejected", data={"note": "bravo-secret-entry"})
    with platform_scope("test"):
        platform = record_audit("tenant.suspended", data={"note": "platform-secret-entry"})

    listing = _admin_get(client, admin, "/admin/audit-log/")
    assert listing.status_code == 200
    assert b"kyc.approved" in listing.content
    assert b"kyc.rejected" not in listing.content
    assert b"tenant.suspended" not in listing.content
    # The tenant filter (which would list every dispensary) is for super admins only.
    assert b"Bravo" not in listing.content

    for entry in (secret, platform):
        inspect = client.get(f"/admin/audit-log/inspect/{entry.pk}/")
        assert inspect.status_code in (302, 404)
        assert b"secret-entry" not in inspect.content

    export = client.get("/admin/audit-log/?export=csv")
    assert export.status_code == 200
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert b"alpha-own-entry" in body
    assert b"bravo-secret-entry" not in body


def test_nobody_edits_the_trail_in_the_admin(client, make_tenant, make_user):
    alpha = make_tenant("alpha")
    admin = make_user(alpha, Role.TENANT_ADMIN, email="chief@alpha.example")
    root = make_user(None, Role.SUPER_ADMIN, email="root@platform.example")
    with tenant_scope(alpha):
        entry = record_audit("kyc.approved")
    for user in (admin, root):
        client.force_login(user)
        created = client.post("/admin/audit-log/new/", {"action": "forged"})
        edited = client.post(f"/admin/audit-log/edit/{entry.pk}/", {"action": "forged"})
        deleted = client.post(f"/admin/audit-log/delete/{entry.pk}/")
        assert {created.status_code, edited.status_code, deleted.status_code} <= {302, 403, 404}
    with tenant_scope(alpha):
        kept = AuditLogEntry.objects.exclude(action__startswith="auth.")
        assert list(kept.values_list("action", flat=True)) == ["kyc.approved"]


def test_super_admins_see_every_trail_and_filter_by_tenant(client, make_tenant, make_user):
    alpha, bravo = make_tenant("alpha"), make_tenant("bravo")
    root = make_user(None, Role.SUPER_ADMIN, email="root@platform.example")
    with tenant_scope(alpha):
        record_audit("kyc.approved")
    with tenant_scope(bravo):
        record_audit("kyc.rejected")
    everything = _admin_get(client, root, "/admin/audit-log/")
    assert b"kyc.approved" in everything.content and b"kyc.rejected" in everything.content
    only_bravo = client.get(f"/admin/audit-log/?tenant={bravo.pk}")
    assert b"kyc.rejected" in only_bravo.content
    assert b"kyc.approved" not in only_bravo.content
