"""Account protection: Argon2, lockout, two-factor sign-in, sessions that end on demand."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client, override_settings

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BASE_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_passwords_are_hashed_with_argon2():
    from budstack.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = User(email="x@example.com", role=Role.SUPER_ADMIN)
        user.set_password("a long enough passphrase")
        assert user.password.startswith("argon2$")
        assert user.check_password("a long enough passphrase")


def _without_csrf(html: bytes) -> bytes:
    """The page minus what differs on every answer anyway: CSRF token and CSP nonce."""
    html = re.sub(rb'nonce="[^"]+"', b"", html)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def _storefront_login(client: Client, slug: str, email: str, password: str):
    return client.post(f"/store/{slug}/auth/login/", {"username": email, "password": password})


def test_an_account_is_locked_after_five_failures_with_the_same_answer_as_an_unknown_one(
    make_tenant, make_user
):
    alpha, bravo = make_tenant("alpha"), make_tenant("bravo")
    make_user(alpha, Role.PATIENT, email="pat@example.com")
    make_user(bravo, Role.PATIENT, email="pat@example.com")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _storefront_login(attacker, "alpha", "pat@example.com", "guess").status_code == 200
    # The fifth failure locks the account.
    assert _storefront_login(attacker, "alpha", "pat@example.com", "guess").status_code == 429
    locked = _storefront_login(attacker, "alpha", "pat@example.com", PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert b"Too many sign-in attempts" in locked.content

    # The owner, from another address, is locked out too (per account) ...
    owner = Client(REMOTE_ADDR="198.51.100.20")
    assert _storefront_login(owner, "alpha", "pat@example.com", PASSWORD).status_code == 429
    # ... but the same address at another dispensary is another account.
    assert _storefront_login(owner, "bravo", "pat@example.com", PASSWORD).status_code == 302

    # An unknown account locks the same way: the answer reveals nothing.
    prober = Client(REMOTE_ADDR="192.0.2.77")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _storefront_login(prober, "alpha", "nobody@example.com", "guess")
    unknown = _storefront_login(prober, "alpha", "nobody@example.com", "guess")
    assert unknown.status_code == 429
    assert _without_csrf(unknown.content) == _without_csrf(locked.content)


def test_one_address_trying_many_accounts_is_locked_out(make_tenant, make_user):
    alpha = make_tenant("alpha")
    make_user(alpha, Role.PATIENT, email="real@example.com")
    sprayer = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _storefront_login(sprayer, "alpha", f"user{n}@example.com", "Summer2026!")
    assert _storefront_login(sprayer, "alpha", "real@example.com", PASSWORD).status_code == 429


def test_admin_sign_in_locks_out_too(make_tenant, make_user):
    alpha = make_tenant("alpha")
    admin = make_user(alpha, Role.TENANT_ADMIN, email="chief@alpha.example")
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": admin.email, "password": "guess"})
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _admin_login(client: Client, email: str):
    response = client.post("/admin/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def test_super_admins_must_set_up_and_then_use_a_second_factor(settings, make_user):
    settings.BUDSTACK_REQUIRE_2FA_FOR_SUPERADMINS = True
    root = make_user(None, Role.SUPER_ADMIN, email="root@platform.example")
    client = Client()
    _admin_login(client, root.email)

    held = client.get("/admin/pages/")
    assert held.status_code == 302
    assert held["Location"].startswith("/admin/two-factor/?next=")
    setup = client.get(held["Location"])
    assert setup.status_code == 200
    assert b"<svg" in setup.content
    secret = re.search(rb"data-secret>([A-Z2-7 ]+)<", setup.content).group(1)
    assert len(secret.replace(b" ", b"")) >= 32

    device = TOTPDevice.objects.get(user=root)
    wrong = client.post("/admin/two-factor/", {"token": "000000", "next": "/admin/pages/"})
    assert wrong.status_code == 200
    assert b"That code is not right" in wrong.content
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    session_before = client.session.session_key
    done = client.post("/admin/two-factor/", {"token": _code(device), "next": "/admin/pages/"})
    assert done.status_code == 302 and done["Location"] == "/admin/pages/"
    assert client.session.session_key != session_before
    assert client.get("/admin/pages/").status_code == 200

    # Next sign-in: password, then a code.
    second = Client()
    _admin_login(second, root.email)
    held = second.get("/admin/")
    assert held["Location"].startswith("/admin/two-factor/verify/")
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    assert second.post("/admin/two-factor/verify/", {"token": _code(device)}).status_code == 302
    assert second.get("/admin/").status_code == 200
    with platform_scope("check"):
        actions = set(AuditLogEntry.objects.filter(actor=root).values_list("action", flat=True))
    assert {"auth.2fa_enabled", "auth.2fa_verified"} <= actions


def test_staff_may_opt_in_and_are_then_asked_for_a_code(settings, make_tenant, make_user):
    settings.BUDSTACK_REQUIRE_2FA_FOR_SUPERADMINS = True
    alpha = make_tenant("alpha")
    editor = make_user(alpha, Role.EDITOR, email="ed@alpha.example")
    client = Client()
    _admin_login(client, editor.email)
    assert client.get("/admin/").status_code == 200  # not required for tenant staff
    client.get("/admin/two-factor/")
    device = TOTPDevice.objects.get(user=editor)
    assert client.post("/admin/two-factor/", {"token": _code(device)}).status_code == 302

    later = Client()
    _admin_login(later, editor.email)
    assert later.get("/admin/")["Location"].startswith("/admin/two-factor/verify/")


def test_a_privilege_change_ends_the_accounts_sessions(make_tenant, make_user):
    alpha = make_tenant("alpha")
    admin = make_user(alpha, Role.TENANT_ADMIN, email="chief@alpha.example")
    client = Client()
    _admin_login(client, admin.email)
    assert client.get("/admin/").status_code == 200
    with tenant_scope(alpha):
        admin = User.objects.get(pk=admin.pk)
        admin.role = Role.EDITOR
        admin.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_sign_out_everywhere_keeps_only_this_session(make_tenant, make_user):
    alpha = make_tenant("alpha")
    admin = make_user(alpha, Role.TENANT_ADMIN, email="chief@alpha.example")
    laptop, phone = Client(), Client()
    _admin_login(laptop, admin.email)
    _admin_login(phone, admin.email)
    assert laptop.post("/admin/sessions/sign-out-others/").status_code == 302
    assert laptop.get("/admin/").status_code == 200
    assert phone.get("/admin/")["Location"].startswith("/admin/login/")


def test_patients_sign_out_everywhere_from_the_storefront(make_tenant, make_user):
    alpha = make_tenant("alpha")
    make_user(alpha, Role.PATIENT, email="pat@example.com")
    laptop, phone = Client(), Client()
    assert _storefront_login(laptop, "alpha", "pat@example.com", PASSWORD).status_code == 302
    assert _storefront_login(phone, "alpha", "pat@example.com", PASSWORD).status_code == 302
    assert laptop.post("/store/alpha/auth/sign-out-everywhere/").status_code == 302
    assert laptop.get("/store/alpha/account/").status_code == 200
    assert phone.get("/store/alpha/account/").status_code == 302
