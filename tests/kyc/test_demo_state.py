"""seed_demo: demo patients have a consultation that matches their verification state."""

from django.core.management import call_command

import pytest

from kyc import forms as steps
from kyc.models import ConsultationPage, ConsultationSubmission, KycStatus, PatientProfile
from sites.context import tenant_scope
from sites.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("slug", "email", "status", "may_order"),
    [
        ("healingbuds", "patient@healingbuds.test", KycStatus.VERIFIED, True),
        ("greenleaf", "patient@greenleaf.test", KycStatus.PENDING, False),
    ],
)
def test_demo_patients_have_a_consistent_consultation(settings, slug, email, status, may_order):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        profile = PatientProfile.objects.select_related("user").get(user__email=email)
        [submission] = ConsultationSubmission.objects.filter(user=profile.user)
        page = ConsultationPage.objects.descendant_of(tenant.site.root_page).get()
        # The stored answers pass every step of this tenant's questionnaire.
        steps.validate_all(submission.answers, tenant=tenant, page=page, user=profile.user)
    assert profile.kyc_status == status and profile.may_order is may_order
    assert profile.submitted_at is not None
