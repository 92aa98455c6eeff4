"""Verification changes: one function, polling Dr. Green, relayed events, reminders."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

import pytest

from kyc.inbound import handle_client_event
from kyc.models import KycStatus, PatientProfile
from kyc.status import apply_supplier_kyc
from kyc.tasks import poll_pending, poll_tenant, send_reminders
from sites.context import tenant_scope
from sites.models import AuditLogEntry

from .conftest import step_posts, walk

pytestmark = pytest.mark.django_db
BASE = "/store/alpha/consultation/"


@pytest.fixture
def patient(client, shop, fake):
    walk(client, BASE, step_posts())
    with tenant_scope(shop):
        return PatientProfile.objects.select_related("user", "tenant").get(user__email="ana@example.com")


def test_a_change_is_audited_emailed_and_announced(
    shop, patient, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with caplog.at_level(logging.INFO, logger="budstack.events"), tenant_scope(shop):
        with django_capture_on_commit_callbacks(execute=True):
            changed = apply_supplier_kyc(
                patient,
                is_kyc_verified=False,
                admin_approval="REJECTED",
                reason="Prescription missing",
                source="staff",
            )
        entry = AuditLogEntry.objects.filter(action="kyc.status_changed").get()
    assert changed
    assert entry.data["to"] == "REJECTED" and entry.data["reason"] == "Prescription missing"
    assert "event kyc.status_changed for tenant alpha" in caplog.text
    assert mailoutbox[0].subject == "About your consultation at Alpha Dispensary"
    assert "Prescription missing" in mailoutbox[0].body


def test_nothing_happens_when_nothing_changes(shop, patient, mailoutbox):
    with tenant_scope(shop):
        assert not apply_supplier_kyc(patient, is_kyc_verified=False, admin_approval="PENDING", source="poll")
        assert not AuditLogEntry.objects.filter(action="kyc.status_changed").exists()


def test_polling_applies_what_dr_green_says(shop, patient, fake):
    fake.verify_client(patient.drgreen_client_id)
    fake.approve_client(patient.drgreen_client_id)
    assert poll_tenant(shop.pk)["changed"] == 1
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.kyc_status == KycStatus.VERIFIED and patient.kyc_verified and patient.may_order


def test_the_beat_finds_every_tenant_with_pending_patients(
    shop, patient, fake, django_capture_on_commit_callbacks
):
    fake.verify_client(patient.drgreen_client_id)
    fake.approve_client(patient.drgreen_client_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_pending() == 1
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.is_verified


def test_polling_backs_off_while_dr_green_fails(shop, patient, fake):
    fake.fail("error", status=500)
    assert poll_tenant(shop.pk)["failed"] == 1
    with tenant_scope(shop):
        patient.refresh_from_db()
    first_wait = patient.next_poll_at - timezone.now()
    assert patient.poll_failures == 1
    assert poll_tenant(shop.pk)["checked"] == 0  # not due yet
    with tenant_scope(shop):
        PatientProfile.objects.filter(pk=patient.pk).update(next_poll_at=timezone.now())
    poll_tenant(shop.pk)
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.poll_failures == 2 and patient.next_poll_at - timezone.now() > first_wait


def test_a_relayed_event_is_applied(shop, patient):
    from integrations.webhooks.inbound import IgnoreEvent, InboundWebhookEvent

    client = {"id": patient.drgreen_client_id, "adminApproval": "VERIFIED", "isKYCVerified": True}

    def relayed(profile, client_id):
        return InboundWebhookEvent(
            id="evt-1", type="client.approved", created=0, api_key_fingerprint="f" * 16,
            data={"client": {**client, "id": client_id}}, tenant=shop, client_id=client_id, patient=profile,
        )  # fmt: skip

    with tenant_scope(shop):
        with pytest.raises(IgnoreEvent):
            handle_client_event(relayed(None, "someone-else"))
        assert handle_client_event(relayed(patient, patient.drgreen_client_id))
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.may_order


def test_a_supplier_approval_does_not_overturn_a_staff_rejection(shop, patient):
    with tenant_scope(shop):
        apply_supplier_kyc(
            patient, is_kyc_verified=False, admin_approval="REJECTED", reason="No", source="staff"
        )
        apply_supplier_kyc(patient, is_kyc_verified=True, admin_approval="VERIFIED", source="poll")
    with tenant_scope(shop):
        patient.refresh_from_db()
    assert patient.kyc_status == KycStatus.REJECTED


def test_reminders_after_two_and_seven_days(shop, patient, mailoutbox, django_capture_on_commit_callbacks):
    def age(days):
        with tenant_scope(shop):
            PatientProfile.objects.filter(pk=patient.pk).update(
                submitted_at=timezone.now() - timedelta(days=days)
            )

    def run():
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            send_reminders()
        return [m.subject for m in mailoutbox]

    age(1)
    assert run() == []
    age(3)
    assert run() == ["Alpha Dispensary: please finish verifying your identity"]
    assert run() == []
    age(8)
    assert run() == ["Alpha Dispensary: please finish verifying your identity"]
    assert run() == []


def test_beat_runs_the_kyc_sweeps(settings):
    from budstack.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"kyc.poll_pending", "kyc.send_reminders"} <= tasks
    assert {"kyc.poll_pending", "kyc.send_reminders", "kyc.poll_tenant", "kyc.retry_registration"} <= set(
        app.tasks
    )
