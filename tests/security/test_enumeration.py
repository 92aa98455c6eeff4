"""No user enumeration: an address with an account gets the answer a new one gets.

The consultation's first step creates the patient's account, so it is an enumeration
oracle unless an existing address is answered like a fresh one (same status, redirect,
body and cookies) while its owner is told by email; and since signing the new patient in
would show on the very next request, nobody is signed in until the emailed link is used. Timing is compared with a hasher
that sleeps: the real Argon2 costs ~0.1-0.6 s here, and a sleep measures "did this
answer hash a password" without depending on how busy the machine is.
"""

from __future__ import annotations

import re
import statistics
import time

from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

import pytest

from kyc.models import ConsultationDraft, PatientProfile
from sites.context import tenant_scope
from sites.models import User
from tests.conftest import PASSWORD
from tests.kyc.conftest import confirmation_path, step_posts

pytestmark = pytest.mark.django_db

CONSULTATION = "/store/alpha/consultation/"
HASH_SECONDS = 0.25


class SleepingHasher(MD5PasswordHasher):
    """MD5 plus a fixed delay per hash or check: a stand-in for Argon2's cost."""

    algorithm = "sleeping_md5"

    def encode(self, password, salt):  # verify() encodes too, so checks sleep as well
        time.sleep(HASH_SECONDS)
        return super().encode(password, salt)


def _comparable(response) -> tuple:
    """What a prober sees, minus what differs on every answer anyway (tokens, nonces)."""
    body = re.sub(rb'nonce="[^"]+"', b"", response.content)
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
    return response.status_code, response.get("Location"), sorted(response.cookies), body


def _headers(response) -> dict:
    """The headers, minus those that differ on every answer (CSP nonce, request id)."""
    return {k: v for k, v in response.headers.items() if k not in ("Content-Security-Policy", "X-Request-ID")}


NEW_PASSWORD = "a sturdy passphrase 42"  # noqa: S105 - a test password


def _start(client: Client, email: str, password: str = NEW_PASSWORD):
    return client.post(f"{CONSULTATION}step/1/", {**step_posts()[1], "email": email, "password": password})


FOLLOW_UPS = (f"{CONSULTATION}step/2/", "/store/alpha/account/", CONSULTATION, f"{CONSULTATION}sent/")


def test_consultation_step_one_answers_an_existing_address_like_a_new_one(
    tenant_a, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    owner = make_user(tenant_a, email="owner@example.com", first_name="Olga")
    with tenant_scope(tenant_a):
        PatientProfile.objects.get_or_create(user=owner, tenant=tenant_a)
    mailoutbox.clear()
    fresh_client, taken_client = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = _start(fresh_client, "fresh@example.com")
        taken = _start(taken_client, "Owner@Example.com")
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"] == f"{CONSULTATION}sent/"
    assert _comparable(fresh) == _comparable(taken)
    assert _headers(fresh) == _headers(taken)
    # Nobody is signed in by the step: not the owner, and not the new address either.
    assert "sessionid" not in fresh.cookies and "sessionid" not in taken.cookies

    # Every request the prober makes next is answered alike as well.
    for path in FOLLOW_UPS:
        after_fresh, after_taken = fresh_client.get(path), taken_client.get(path)
        assert _comparable(after_fresh) == _comparable(after_taken), path
    assert after_fresh.status_code == 200 and b"Check your inbox" in after_fresh.content

    # Each address's owner, not the prober, hears of it: a link to confirm the new
    # address, a pointer to logging in for the one that has an account.
    assert sorted(m.to[0] for m in mailoutbox) == ["fresh@example.com", "owner@example.com"]
    [told] = [m for m in mailoutbox if m.to == ["owner@example.com"]]
    assert "tried to start a consultation" in told.body
    assert "/store/alpha/auth/login/?next=" in told.body and "/confirm/" not in told.body
    with tenant_scope(tenant_a):
        # No second account, nothing stored against the owner, the owner's password kept.
        assert User.objects.filter(email="owner@example.com").count() == 1
        assert not ConsultationDraft.objects.filter(user=owner).exists()
        owner.refresh_from_db()
        assert owner.first_name == "Olga" and owner.check_password(PASSWORD)
        created = User.objects.get(email="fresh@example.com")
        assert not created.is_active

    # The new address's link signs its owner in at step 2, step 1's answers kept.
    link = confirmation_path("fresh@example.com")
    confirmed = fresh_client.get(link)
    assert confirmed.status_code == 302 and confirmed["Location"] == f"{CONSULTATION}step/2/"
    step_two = fresh_client.get(f"{CONSULTATION}step/2/")
    assert step_two.status_code == 200 and b"Step 2 of 5" in step_two.content
    step_one = fresh_client.get(f"{CONSULTATION}step/1/").content.decode()
    assert 'value="Silva"' in step_one and 'value="1985-04-12"' in step_one
    assert fresh_client.get("/store/alpha/account/").status_code == 200
    # The link works once.
    again = Client().get(link)
    assert again.status_code == 400 and b"This link no longer works" in again.content
    assert taken_client.get("/store/alpha/account/").status_code == 302


def test_the_prober_is_not_signed_in_as_the_owner(tenant_a, make_user):
    owner = make_user(tenant_a, email="owner@example.com")
    with tenant_scope(tenant_a):
        PatientProfile.objects.get_or_create(user=owner, tenant=tenant_a)
    prober = Client()
    # Even with the right password the step does not sign in: a login does that.
    _start(prober, "owner@example.com", PASSWORD)
    step_two = prober.get(f"{CONSULTATION}step/2/")
    assert step_two.status_code == 302 and "/auth/login/" in step_two["Location"]
    assert prober.get("/store/alpha/account/").status_code == 302


def _login(client, email, password):
    return client.post("/store/alpha/auth/login/", {"username": email, "password": password})


def _signup(client, email, password):
    data = {"first_name": "Ana", "last_name": "Silva", "password1": password, "password2": password}
    return client.post("/store/alpha/auth/signup/", {**data, "email": email})


def _reset(client, email, password):
    return client.post("/store/alpha/auth/forgot-password/", {"email": email})


FLOWS = {"login": _login, "signup": _signup, "password reset": _reset, "consultation": _start}


@pytest.mark.parametrize("flow", FLOWS)
def test_an_existing_address_costs_the_same_time_as_an_unknown_one(
    flow, tenant_a, make_user, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_HASHERS = [f"{__name__}.SleepingHasher"]
    make_user(tenant_a, email="known@example.com")
    send = FLOWS[flow]
    known, unknown = [], []
    # Interleaved, so both sides see the same machine load.
    for attempt in range(3):
        for email, times in (("known@example.com", known), (f"new{attempt}@example.com", unknown)):
            client = Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}")
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=False):
                response = send(client, email, NEW_PASSWORD)
            times.append(time.monotonic() - started)
            assert response.status_code < 500
    gap = abs(statistics.median(known) - statistics.median(unknown))
    # Skipping (or adding) one password hash would make the gap a whole HASH_SECONDS.
    assert gap < HASH_SECONDS / 2, (flow, known, unknown)
