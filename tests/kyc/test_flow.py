"""The consultation flow over HTTP: steps, validation, resuming, submission, registration."""

from __future__ import annotations

from django.test import Client

import pytest

from kyc.models import ConsultationDraft, ConsultationSubmission, PatientProfile
from sites.context import tenant_scope
from sites.models import User

from .conftest import adult_dob, start, step_posts, walk

BASE = "/store/alpha/consultation/"
pytestmark = pytest.mark.django_db


def test_new_patient_walks_five_steps_and_is_registered_pending_with_kyc_link(
    client, shop, fake, mailoutbox, django_capture_on_commit_callbacks
):
    start(client, BASE, step_posts()[1])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # Signed in by the link, the patient posts step 1 again (it stays editable) and on.
        response = walk(client, BASE, step_posts(), email=None)
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
    assert [m.subject for m in mailoutbox] == ["We have received your consultation – Alpha Dispensary"]
    assert profile.kyc_link in mailoutbox[0].body


def _login_new_patient(client, shop, email="ana@example.com"):
    posts = step_posts()
    start(client, BASE, posts[1], email=email)
    return posts


def test_step_one_refuses_patients_under_the_tenants_minimum_age(client, shop):
    posts = step_posts()
    data = {
        **posts[1],
        "date_of_birth": adult_dob(17),
        "email": "kid@example.com",
        "password": "a sturdy passphrase 42",
    }
    response = client.post(f"{BASE}step/1/", data)
    assert response.status_code == 400
    assert "at least 18 years old" in response.content.decode()
    with tenant_scope(shop):
        assert not User.objects.filter(email="kid@example.com").exists()


def test_minimum_age_is_the_tenants_setting(client, shop):
    from kyc.models import ConsultationPage

    page = ConsultationPage.objects.descendant_of(shop.site.root_page).get()
    page.minimum_age = 21
    page.save_revision().publish()
    data = {
        **step_posts()[1],
        "date_of_birth": adult_dob(20),
        "email": "young@example.com",
        "password": "a sturdy passphrase 42",
    }
    response = client.post(f"{BASE}step/1/", data)
    assert response.status_code == 400
    assert "at least 21 years old" in response.content.decode()


def test_country_must_be_one_the_tenant_serves(client, shop):
    posts = _login_new_patient(client, shop)
    response = client.post(f"{BASE}step/2/", {**posts[2], "country": "US"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert client.post(f"{BASE}step/2/", posts[2]).status_code == 302


def test_conditions_come_from_the_tenants_library(client, shop, tenant_b):
    from .conftest import add_condition

    add_condition(tenant_b, "Bravo only condition")
    posts = _login_new_patient(client, shop)
    client.post(f"{BASE}step/2/", posts[2])
    page = client.get(f"{BASE}step/3/").content.decode()
    assert "Chronic pain" in page and "Insomnia" in page and "Bravo only condition" not in page
    response = client.post(f"{BASE}step/3/", {**posts[3], "conditions": ["bravo-only-condition"]})
    assert response.status_code == 400
    response = client.post(f"{BASE}step/3/", {"condition_duration": "3_to_12_months"})
    assert "Choose at least one condition" in response.content.decode()


@pytest.mark.parametrize("knockout", ["psychosis", "pregnant_or_breastfeeding", "heart_condition"])
def test_a_knock_out_answer_stops_the_flow(client, shop, knockout):
    posts = _login_new_patient(client, shop)
    for step in (2, 3):
        client.post(f"{BASE}step/{step}/", posts[step])
    response = client.post(f"{BASE}step/4/", {**posts[4], knockout: "yes"})
    assert response.status_code == 400
    assert "we cannot offer medical cannabis" in response.content.decode()
    # Skipping ahead to the consents is refused: step 5 was never unlocked.
    response = client.post(f"{BASE}step/5/", posts[5])
    assert response.status_code == 302 and response["Location"].endswith("/step/4/")
    with tenant_scope(shop):
        assert not ConsultationSubmission.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: d.pop("psychosis"), id="knock-out-question-left-out"),
        pytest.param(lambda d: d.update(psychosis="maybe"), id="knock-out-answer-invented"),
        pytest.param(lambda d: d.update(cannabis_frequency="hourly"), id="frequency-outside-the-enum"),
        pytest.param(lambda d: d.update(cannabis_routes=["never", "vaporizing"]), id="contradicting-routes"),
    ],
)
def test_tampered_step_posts_are_rejected(client, shop, tamper):
    posts = _login_new_patient(client, shop)
    for step in (2, 3):
        client.post(f"{BASE}step/{step}/", posts[step])
    data = dict(posts[4])
    tamper(data)
    assert client.post(f"{BASE}step/4/", data).status_code == 400
    assert client.get(f"{BASE}step/5/")["Location"].endswith("/step/4/")


def test_steps_cannot_be_opened_out_of_order(client, shop):
    _login_new_patient(client, shop)
    response = client.post(f"{BASE}step/4/", step_posts()[4])
    assert response.status_code == 302 and response["Location"].endswith("/step/2/")


def test_anonymous_visitors_start_at_step_one_only(client, shop):
    assert client.get(f"{BASE}step/1/").status_code == 200
    response = client.get(f"{BASE}step/3/")
    assert response.status_code == 302 and "/auth/login/" in response["Location"]


def test_back_and_forward_keep_answers_and_the_draft_survives_logout(client, shop):
    posts = _login_new_patient(client, shop)
    client.post(f"{BASE}step/2/", posts[2])
    step_one = client.get(f"{BASE}step/1/").content.decode()
    assert 'value="Silva"' in step_one and 'value="1985-04-12"' in step_one
    client.post("/store/alpha/auth/logout/")
    client.post(
        "/store/alpha/auth/login/", {"username": "ana@example.com", "password": "a sturdy passphrase 42"}
    )
    index = client.get(BASE).content.decode()
    assert "Continue where you left off" in index and f"{BASE}step/3/" in index
    assert 'value="1 High Street"' in client.get(f"{BASE}step/2/").content.decode()


def test_a_resubmission_is_a_new_version(client, shop, fake):
    walk(client, BASE, step_posts())
    client.post(f"{BASE}step/3/", {**step_posts()[3], "conditions": ["insomnia"]})
    client.post(f"{BASE}step/5/", step_posts()[5])
    with tenant_scope(shop):
        versions = list(ConsultationSubmission.objects.order_by("version"))
    assert [s.version for s in versions] == [1, 2]
    assert versions[0].answers["step3"]["conditions"] == ["chronic-pain"]
    assert versions[1].answers["step3"]["conditions"] == ["insomnia"]


def test_submissions_cannot_be_changed(shop):
    from kyc.models.consultation import ImmutableRecord

    with tenant_scope(shop):
        user = User.objects.create_user("x@example.com", role="PATIENT", tenant=shop)
        submission = ConsultationSubmission(user=user, version=1)
        submission.answers = {"a": 1}
        submission.save()
        submission.answers = {"a": 2}
        with pytest.raises(ImmutableRecord):
            submission.save()


def test_when_dr_green_is_down_the_submission_is_kept_and_registration_retried(
    client, shop, fake, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from kyc.tasks import retry_registration

    fake.fail("error", status=503)
    start(client, BASE, step_posts()[1])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        walk(client, BASE, step_posts(), email=None)
    page = client.get(f"{BASE}success/").content.decode()
    assert "could not be reached" in page
    [received] = mailoutbox
    assert "/consultation/success/" in received.body and "/kyc/" not in received.body
    with tenant_scope(shop):
        profile = PatientProfile.objects.get(user__email="ana@example.com")
        assert ConsultationSubmission.objects.filter(user=profile.user).count() == 1
    assert (
        profile.drgreen_client_id == ""
        and profile.registration_attempts == 1
        and profile.next_registration_at
    )
    fake.clear_failures()
    assert retry_registration(shop.pk, profile.pk) == "done"
    with tenant_scope(shop):
        profile.refresh_from_db()
    assert profile.drgreen_client_id and profile.kyc_link
    assert profile.kyc_link in client.get(f"{BASE}success/").content.decode()


def test_registration_is_flagged_for_staff_after_the_last_attempt(client, shop, fake, settings):
    from kyc.tasks import retry_registration

    settings.KYC_REGISTRATION_MAX_ATTEMPTS = 3
    fake.fail("error", status=500)
    walk(client, BASE, step_posts())
    with tenant_scope(shop):
        profile = PatientProfile.objects.get(user__email="ana@example.com")
    assert retry_registration(shop.pk, profile.pk) == "retrying"
    assert retry_registration(shop.pk, profile.pk) == "needs_attention"
    with tenant_scope(shop):
        profile.refresh_from_db()
    assert profile.needs_attention and profile.registration_attempts == 3
    assert "Our team has been told" in client.get(f"{BASE}success/").content.decode()
    assert retry_registration(shop.pk, profile.pk) == "skipped"


def test_same_email_at_two_tenants_is_two_unrelated_patients(client, shop, tenant_b, connect, fake):
    from .conftest import add_condition

    add_condition(tenant_b, "Chronic pain")
    connect(tenant_b)
    walk(client, BASE, step_posts())
    other = type(client)()
    walk(other, "/store/bravo/consultation/", step_posts(country="PT"))
    with tenant_scope(shop):
        a = PatientProfile.objects.get(user__email="ana@example.com")
    with tenant_scope(tenant_b):
        b = PatientProfile.objects.get(user__email="ana@example.com")
    assert a.user_id != b.user_id and a.drgreen_client_id != b.drgreen_client_id
    assert other.get("/store/alpha/account/").status_code == 302  # bravo's session is not alpha's


@pytest.mark.parametrize("theme", ["sage", "clinic", "nocturne"])
def test_every_built_in_theme_renders_the_steps_and_the_status(client, make_tenant, theme):
    tenant = make_tenant("themed", "Themed", "GB", theme)
    step = client.get("/store/themed/consultation/step/1/")
    assert step.status_code == 200
    assert "Step 1 of 5" in step.content.decode() and 'name="date_of_birth"' in step.content.decode()
    assert client.get("/store/themed/consultation/").status_code == 200
    sent = Client().get("/store/themed/consultation/sent/").content.decode()
    assert "Check your inbox" in sent
    start(client, "/store/themed/consultation/", step_posts()[1], email="t@example.com")
    assert client.get("/store/themed/consultation/success/").status_code == 200
    assert "Step 2 of 5" in client.get("/store/themed/consultation/step/2/").content.decode()
    assert tenant.theme.slug == theme
    # Each theme's own frame (its base.html) wraps the steps.
    frame = {"sage": 'class="site-header"', "clinic": 'class="masthead"', "nocturne": 'class="sidebar"'}[
        theme
    ]
    assert frame in step.content.decode()


def test_editors_change_the_wording_of_a_step(client, shop):
    from kyc.models import ConsultationPage

    page = ConsultationPage.objects.descendant_of(shop.site.root_page).get()
    page.step1_title = "About you"
    page.step1_help = "We need this to prescribe safely."
    page.save_revision().publish()
    body = client.get(f"{BASE}step/1/").content.decode()
    assert "About you" in body and "We need this to prescribe safely." in body
