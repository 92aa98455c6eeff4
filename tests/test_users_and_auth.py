"""Email accounts scoped to a tenant: patients cannot cross dispensaries."""

import re

from django.core import mail
from django.db import IntegrityError, transaction

import pytest

from sites.context import platform_scope, tenant_scope
from sites.models import Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, prefix: str, email: str, password: str = PASSWORD):
    return client.post(f"{prefix}/auth/login/", {"username": email, "password": password})


def test_same_email_can_be_a_patient_at_two_dispensaries(tenant_a, tenant_b, make_user):
    a = make_user(tenant_a, email="Sam@Example.com")
    b = make_user(tenant_b, email="sam@example.com")
    assert a.pk != b.pk and a.email == b.email == "sam@example.com"


def test_email_is_unique_within_a_tenant(tenant_a, make_user):
    make_user(tenant_a, email="sam@example.com")
    with pytest.raises(IntegrityError), transaction.atomic(), platform_scope("test"):
        User.objects.create(email="sam@example.com", tenant=tenant_a, role=Role.PATIENT)


def test_staff_email_is_unique_platform_wide(tenant_a, tenant_b, make_user):
    make_user(tenant_a, Role.EDITOR, email="ed@example.com")
    with pytest.raises(IntegrityError), transaction.atomic(), platform_scope("test"):
        User.objects.create(email="ed@example.com", tenant=tenant_b, role=Role.EDITOR)


@pytest.mark.parametrize(
    ("role", "has_tenant"),
    [(Role.SUPER_ADMIN, True), (Role.PATIENT, False), (Role.TENANT_ADMIN, False)],
    ids=["super-admin-with-tenant", "patient-without-tenant", "admin-without-tenant"],
)
def test_role_and_tenant_must_agree(tenant_a, role, has_tenant):
    with pytest.raises(IntegrityError), transaction.atomic(), platform_scope("test"):
        User.objects.create(email="x@example.com", tenant=tenant_a if has_tenant else None, role=role)


def test_patient_logs_in_only_at_their_own_dispensary(client, tenant_a, tenant_b, make_user):
    make_user(tenant_a, email="pat@example.com")
    wrong = login(client, "/store/bravo", "pat@example.com")
    assert wrong.status_code == 200
    assert "do not match an account here" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    right = login(client, "/store/alpha", "pat@example.com")
    assert right.status_code == 302 and right["Location"] == "/store/alpha/account/"


def test_session_from_one_tenant_is_not_honoured_at_another(client, tenant_a, tenant_b, make_user):
    make_user(tenant_a, email="pat@example.com")
    login(client, "/store/alpha", "pat@example.com")
    assert client.get("/store/alpha/account/").status_code == 200
    elsewhere = client.get("/store/bravo/account/")
    assert elsewhere.status_code == 302 and "/store/bravo/auth/login/" in elsewhere["Location"]
    by_host = client.get("/account/", HTTP_HOST="bravo.budstack.test")
    assert by_host.status_code == 302


def test_patients_cannot_log_in_to_the_admin(client, tenant_a, make_user):
    make_user(tenant_a, email="pat@example.com")
    response = client.post("/admin/login/", {"username": "pat@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_and_super_admins_log_in_to_the_admin(client, tenant_a, make_user):
    for user in (make_user(tenant_a, Role.EDITOR), make_user(None, Role.SUPER_ADMIN)):
        client.logout()
        response = client.post("/admin/login/", {"username": user.email.upper(), "password": PASSWORD})
        assert response.status_code == 302, user.role
        assert client.get("/admin/").status_code == 200


def test_signup_confirms_by_email_and_reveals_nothing(
    client, tenant_a, tenant_b, make_user, django_capture_on_commit_callbacks
):
    make_user(tenant_a, email="taken@example.com")
    mail.outbox.clear()
    form = {
        "first_name": "Ana", "last_name": "Silva", "password1": "a-long-new-pass-91",
        "password2": "a-long-new-pass-91",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post("/store/alpha/auth/signup/", {**form, "email": "new@example.com"})
        taken = client.post("/store/alpha/auth/signup/", {**form, "email": "taken@example.com"})
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"] == "/store/alpha/auth/signup/sent/"
    assert [m.to for m in mail.outbox] == [["new@example.com"], ["taken@example.com"]]
    assert "already has one" in mail.outbox[1].body
    with tenant_scope(tenant_a):
        created = User.objects.get(email="new@example.com", tenant=tenant_a)
    assert not created.is_active
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert "/store/alpha/auth/confirm/" in link
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.get(link.split("testserver", 1)[1])
    assert confirmed.status_code == 302
    # Once confirmed, the patient is welcomed and pointed to the consultation.
    welcome = mail.outbox[2]
    assert welcome.to == ["new@example.com"] and welcome.subject == "Welcome to Alpha Dispensary"
    assert "/store/alpha/consultation/" in welcome.body
    with tenant_scope(tenant_a):
        created.refresh_from_db()
    assert created.is_active
    assert client.get("/store/alpha/account/").status_code == 200
    # The same email is still free at the other dispensary.
    client.logout()
    client.post("/store/bravo/auth/signup/", {**form, "email": "taken@example.com"})
    with platform_scope("test"):
        assert User.objects.filter(email="taken@example.com").count() == 2


def test_signing_up_again_before_confirming_sends_the_link_again(
    client, tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    form = {
        "first_name": "Ana", "last_name": "Silva", "password1": "a-long-new-pass-91",
        "password2": "a-long-new-pass-91", "email": "new@example.com",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/store/alpha/auth/signup/", form)
        again = client.post(
            "/store/alpha/auth/signup/", {**form, "password1": "x-other-91", "password2": "x-other-91"}
        )
    assert first["Location"] == again["Location"] == "/store/alpha/auth/signup/sent/"
    # Not "log in" (the account cannot yet): the confirmation link, again.
    assert [m.subject for m in mailoutbox] == ["Confirm your account at Alpha Dispensary"] * 2
    link = re.search(r"https?://testserver(\S+)", mailoutbox[1].body).group(1)
    assert client.get(link).status_code == 302
    with tenant_scope(tenant_a):
        user = User.objects.get(email="new@example.com")
    assert user.is_active and user.check_password("a-long-new-pass-91")


def test_signup_form_errors_are_shown(client, tenant_a):
    response = client.post("/store/alpha/auth/signup/", {"email": "bad", "password1": "x", "password2": "y"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body and "The two passwords differ" in body
    with tenant_scope(tenant_a):
        assert User.objects.filter(role=Role.PATIENT).count() == 0


def test_password_reset_is_tenant_scoped_and_single_use(
    client, tenant_a, tenant_b, make_user, django_capture_on_commit_callbacks
):
    make_user(tenant_a, email="pat@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/store/bravo/auth/forgot-password/", {"email": "pat@example.com"})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/store/alpha/auth/forgot-password/", {"email": "pat@example.com"})
    assert "If an account exists" in answer.content.decode()
    link = re.search(r"https?://testserver(\S+)", mail.outbox[0].body).group(1)
    assert link.startswith("/store/alpha/auth/reset-password/")
    assert client.get(link.replace("/store/alpha/", "/store/bravo/")).status_code == 400
    done = client.post(link, {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"})
    assert done.status_code == 302
    assert (
        client.post(
            link, {"new_password1": "x-other-pass-88", "new_password2": "x-other-pass-88"}
        ).status_code
        == 400
    )
    assert login(client, "/store/alpha", "pat@example.com", "brand-new-pass-77").status_code == 302


def test_demo_accounts_are_refused_without_debug(client, tenant_a, make_user, settings):
    user = make_user(tenant_a, email="demo@example.com")
    with platform_scope("test"):
        User.objects.filter(pk=user.pk).update(is_demo=True)
    settings.DEBUG = False
    assert login(client, "/store/alpha", "demo@example.com").status_code == 200
    settings.DEBUG = True
    assert login(client, "/store/alpha", "demo@example.com").status_code == 302
