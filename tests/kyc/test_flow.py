"""The consultation flow over HTTP: steps, validation, resuming, submission, registration."""

from __future__ import annotations

import pytest

from kyc.models import ConsultationDraft, ConsultationSubmission, KycStatus, PatientProfile
from sites.context import tenant_scope
from sites.models import User

from .conftest import adult_dob, step_posts, walk

BASE = "/store/alpha/consultation/"
pytestmark = pytest.mark.django_db


def test_new_patient_walks_five_steps_and_is_registered_pending_with_kyc_link(
    client, shop, fake, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = walk(client, BASE, step_posts())
    assert response["Location"] == f"{BASE}success/"
    page = client.get(f"{BASE}success/").content.decode()
    assert 'data-status="PENDING"' in page
    with tenant_scope(shop):
        user = User.objects.get(email="ana@example.com")
        profile = PatientProfile.objects.get(user=user)
        submission = ConsultationSubmission.objects.get(user=user)
        assert not ConsultationDraft.objects.filter(user=user).exists()
    assert profile.drgreen_client_id and profile.kyc_link.startswith(fake.url)
    assert profile.kyc_link in page
    assert submission.version == 1
    assert submission.answers["step4"]["cannabis_routes"] == ["vaporizing", "ingestion"]
    assert [m.subject for m in mailoutbox] == ["Alpha Dispensary: we received your consultation"]
    assert profile.kyc_link in mailoutbox[0].body
