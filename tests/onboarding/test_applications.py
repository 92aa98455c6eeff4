"""Onboarding: a dispensary applies, a super admin approves (or rejects) it in the admin."""

from __future__ import annotations

import re
import time

from django.core import mail

import pytest
from rest_framework.test import APIClient

from billing.models import Plan
from onboarding.models import TenantApplication
from pages.contact import _signer as form_signer
from sites.context import platform_scope
from sites.models import AuditLogEntry, Role, Tenant, User
from themes.models import Theme

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "business_name": "Northern Lights",
        "slug": "northern-lights",
        "country_code": "GB",
        "contact_name": "Ada Green",
        "contact_email": "ada@northernlights.example",
        "contact_phone": "+44 20 7946 0000",
        "licence_number": "MHRA-12345",
        "plan": Plan.objects.get(slug="professional").pk,
        "theme": Theme.objects.filter(slug="clinic").first().pk,
        "website": "",
        # Started a minute ago: a person, not a bot sending the form back at once.
        "form_started": form_signer.sign(str(int(time.time()) - 60)),
    }
    return {**data, **overrides}


def audit_count(action: str) -> int:
    with platform_scope("test: count audit entries"):
        return AuditLogEntry.objects.filter(action=action).count()


@pytest.fixture
def super_admin(make_user) -> User:
    return make_user(None, Role.SUPER_ADMIN, email="root@budstack.example")


def apply(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/onboarding/", form_data(**overrides))


def test_application_becomes_a_live_storefront_after_one_approval(
    client, super_admin, django_capture_on_commit_callbacks
):
    # Given an applicant who fills in the public form
    page = client.get("/onboarding/")
    assert page.status_code == 200
    assert b"Professional" in page.content and b'nonce="' in page.content
    response = apply(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/onboarding/done/"
    application = TenantApplication.objects.get(slug="northern-lights")
    assert application.status == TenantApplication.Status.PENDING
    # The applicant and the super admins are told
    assert {tuple(m.to) for m in mail.outbox} == {("ada@northernlights.example",), ("root@budstack.example",)}
    mail.outbox.clear()

    # When a super admin finds it in the admin and approves it
    admin = APIClient()  # any client; force_login works on it like the test client
    admin.force_login(super_admin)
    listing = admin.get("/admin/onboarding_applications/", {"status": "pending"})
    assert listing.status_code == 200 and b"Northern Lights" in listing.content
    detail = admin.get(f"/admin/onboarding_applications/inspect/{application.pk}/")
    assert b"MHRA-12345" in detail.content and b"Approve and provision" in detail.content
    with django_capture_on_commit_callbacks(execute=True):
        approved = admin.post(f"/admin/onboarding_applications/approve/{application.pk}/")
    assert approved.status_code == 302

    # Then the storefront serves its home page, on the chosen plan and theme
    tenant = Tenant.objects.get(slug="northern-lights")
    assert tenant.plan.slug == "professional" and tenant.theme.slug == "clinic"
    home = client.get("/store/northern-lights/")
    assert home.status_code == 200 and b"Northern Lights" in home.content
    application.refresh_from_db()
    assert (
        application.status == TenantApplication.Status.APPROVED and application.provisioned_tenant == tenant
    )

    # And the new admin's set-password link works, once
    [message] = mail.outbox
    assert message.to == ["ada@northernlights.example"]
    link = re.search(r"https?://[^/\s]+(/admin/password_reset/confirm/\S+/)", message.body)[1]
    owner = client.__class__()
    form_page = owner.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = owner.post(set_url, {"new_password1": "northern-pass-2026", "new_password2": "northern-pass-2026"})
    assert done.status_code == 302
    assert owner.login(username="ada@northernlights.example", password="northern-pass-2026")
    assert owner.get("/admin/").status_code == 200
    reused = client.__class__().get(link, follow=True)
    assert b"new_password1" not in reused.content  # the token is spent

    # Exactly one audit entry per action
    assert audit_count("onboarding.submitted") == 1
    assert audit_count("onboarding.approved") == 1


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        pytest.param("admin", "reserved", id="reserved"),
        pytest.param("onboarding", "reserved", id="reserved-platform-route"),
        pytest.param("alpha", "already taken", id="existing-tenant"),
        pytest.param("Not A Slug!", "lowercase letters", id="malformed"),
    ],
)
def test_bad_slugs_are_refused_with_a_clear_error(
    client, tenant_a, slug, message, django_capture_on_commit_callbacks
):
    response = apply(client, django_capture_on_commit_callbacks, slug=slug)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TenantApplication.objects.exists() and not mail.outbox


def test_a_pending_application_holds_its_slug(client, db, django_capture_on_commit_callbacks):
    assert apply(client, django_capture_on_commit_callbacks).status_code == 302
    second = apply(client, django_capture_on_commit_callbacks, contact_email="other@example.com")
    assert second.status_code == 400 and "already taken" in second.content.decode()
    check = client.get("/onboarding/check-slug/", {"slug": "northern-lights"}).json()
    assert check["available"] is False and "taken" in check["message"]
    free = client.get("/onboarding/check-slug/", {"slug": "southern-lights"}).json()
    assert free == {
        "slug": "southern-lights",
        "available": True,
        "message": "southern-lights.budstack.test is available.",
    }
    assert TenantApplication.objects.count() == 1


def test_spam_is_turned_away(client, db, settings, django_capture_on_commit_callbacks):
    assert apply(client, django_capture_on_commit_callbacks, website="http://spam.example").status_code == 400
    too_fast = apply(
        client, django_capture_on_commit_callbacks, form_started=form_signer.sign(str(int(time.time())))
    )
    assert too_fast.status_code == 400
    settings.ONBOARDING_RATE_LIMIT = 1
    assert apply(client, django_capture_on_commit_callbacks, slug="first-shop").status_code == 302
    limited = apply(client, django_capture_on_commit_callbacks, slug="second-shop")
    assert limited.status_code == 400 and "Too many applications" in limited.content.decode()
    assert list(TenantApplication.objects.values_list("slug", flat=True)) == ["first-shop"]


def test_the_form_lives_on_the_platform_host_only(client, tenant_a):
    assert client.get("/onboarding/").status_code == 200
    assert client.get("/onboarding/", HTTP_HOST="alpha.budstack.test").status_code == 404
    assert (
        client.get("/onboarding/check-slug/", {"slug": "x"}, HTTP_HOST="alpha.budstack.test").status_code
        == 404
    )


def test_an_existing_account_email_is_not_revealed(
    client, tenant_a, make_user, django_capture_on_commit_callbacks
):
    make_user(tenant_a, Role.TENANT_ADMIN, email="taken@alpha.example")
    response = apply(client, django_capture_on_commit_callbacks, contact_email="taken@alpha.example")
    # Accepted like any other: the super admin sees the clash on approval, not the public.
    assert response.status_code == 302


def test_reject_emails_the_reason_and_frees_the_slug(client, super_admin, django_capture_on_commit_callbacks):
    apply(client, django_capture_on_commit_callbacks)
    application = TenantApplication.objects.get()
    mail.outbox.clear()
    client.force_login(super_admin)
    refused = client.post(f"/admin/onboarding_applications/reject/{application.pk}/", {"reason": " "})
    assert refused.status_code == 302
    application.refresh_from_db()
    assert application.is_pending and not mail.outbox  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/onboarding_applications/reject/{application.pk}/",
            {"reason": "We could not verify licence MHRA-12345 with the regulator."},
        )
    application.refresh_from_db()
    assert application.status == TenantApplication.Status.REJECTED
    [message] = mail.outbox
    assert message.to == ["ada@northernlights.example"]
    assert "could not verify licence MHRA-12345" in message.body
    assert audit_count("onboarding.rejected") == 1
    assert client.get("/onboarding/check-slug/", {"slug": "northern-lights"}).json()["available"] is True
    # Deciding twice is refused
    again = client.post(f"/admin/onboarding_applications/approve/{application.pk}/", follow=True)
    assert b"already rejected" in again.content
    assert not Tenant.objects.filter(slug="northern-lights").exists()


def test_approving_twice_or_a_slug_taken_meanwhile_leaves_no_partial_tenant(
    client, super_admin, make_tenant, django_capture_on_commit_callbacks
):
    apply(client, django_capture_on_commit_callbacks)
    apply(client, django_capture_on_commit_callbacks, slug="late-comer", contact_email="late@example.com")
    first, late = (
        TenantApplication.objects.get(slug="northern-lights"),
        TenantApplication.objects.get(slug="late-comer"),
    )
    client.force_login(super_admin)
    client.post(f"/admin/onboarding_applications/approve/{first.pk}/")
    twice = client.post(f"/admin/onboarding_applications/approve/{first.pk}/", follow=True)
    assert b"already approved" in twice.content
    assert Tenant.objects.filter(slug="northern-lights").count() == 1

    # A tenant created by other means takes the slug before the approval
    make_tenant("late-comer")
    tenants, pages = Tenant.objects.count(), _page_count()
    clash = client.post(f"/admin/onboarding_applications/approve/{late.pk}/", follow=True)
    assert b"Not approved" in clash.content and b"already exists" in clash.content
    late.refresh_from_db()
    assert late.is_pending and Tenant.objects.count() == tenants and _page_count() == pages
    assert audit_count("onboarding.approved") == 1


def _page_count() -> int:
    from wagtail.models import Page

    return Page.objects.count()


def test_tenant_staff_never_reach_the_applications(
    client, tenant_a, make_user, django_capture_on_commit_callbacks
):
    apply(client, django_capture_on_commit_callbacks)
    owner = make_user(tenant_a, Role.TENANT_ADMIN)
    client.force_login(owner)
    application = TenantApplication.objects.get()
    assert client.get("/admin/onboarding_applications/").status_code in (403, 404)
    assert client.get(f"/admin/onboarding_applications/inspect/{application.pk}/").status_code in (403, 404)
    assert client.post(f"/admin/onboarding_applications/approve/{application.pk}/").status_code in (403, 404)
    application.refresh_from_db()
    assert application.is_pending


# ---------------------------------------------------------------------------
# POST /api/v1/onboarding
# ---------------------------------------------------------------------------


def api_payload(**overrides) -> dict:
    data = form_data()
    for name in ("website", "form_started"):
        data.pop(name)
    return {**data, "plan": "starter", "theme": "sage", **overrides}


def test_api_application_is_created_with_201(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/api/v1/onboarding", api_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    application = TenantApplication.objects.get()
    assert body["id"] == application.pk and body["status"] == "pending" and body["slug"] == "northern-lights"
    assert application.plan.slug == "starter"
    assert [m.to for m in mail.outbox] == [["ada@northernlights.example"]]  # no super admin yet
    assert audit_count("onboarding.submitted") == 1


def test_api_validation_errors_use_the_envelope(tenant_a):
    response = APIClient().post(
        "/api/v1/onboarding",
        api_payload(slug="alpha", plan="platinum", country_code="XX", contact_email="nope"),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR" and "timestamp" in body
    assert set(body["details"]) == {"slug", "plan", "country_code", "contact_email"}
    assert not TenantApplication.objects.exists()


def test_api_is_throttled(db, settings):
    settings.BUDSTACK_API_THROTTLE_RATES = {**settings.BUDSTACK_API_THROTTLE_RATES, "onboarding": "1/hour"}
    api = APIClient()
    assert api.post("/api/v1/onboarding", api_payload(), format="json").status_code == 201
    second = api.post("/api/v1/onboarding", api_payload(slug="another-one"), format="json")
    assert second.status_code == 429 and second.json()["code"] == "THROTTLED" and second["Retry-After"]
