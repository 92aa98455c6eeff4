"""The consultation's emailed confirmation link: once, in time, only for a new account."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from kyc.models import ConsultationDraft
from sites.context import tenant_scope
from sites.models import User
from tests.conftest import PASSWORD as OWNER_PASSWORD

from .conftest import PASSWORD, confirmation_path, step_posts

BASE = "/store/alpha/consultation/"
pytestmark = pytest.mark.django_db


def _post_step_one(client, email: str, **answers):
    data = {**step_posts()[1], **answers, "email": email}
    data.setdefault("password", PASSWORD)
    return client.post(f"{BASE}step/1/", data)


def _invalid(response) -> bool:
    return response.status_code == 400 and b"This link no longer works" in response.content


def test_starting_again_before_confirming_resends_the_link_and_keeps_the_first_answers(
    shop, tenant_b, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post_step_one(Client(), "ana@example.com")
    first_link = confirmation_path("ana@example.com")
    # Someone (the owner, or a prober) starts again with the same, still unconfirmed address.
    with django_capture_on_commit_callbacks(execute=True):
        again = _post_step_one(Client(), "ana@example.com", last_name="Mallory", password="another pass 77")
    assert again.status_code == 302 and again["Location"] == f"{BASE}sent/"
    assert [m.to for m in mailoutbox] == [["ana@example.com"], ["ana@example.com"]]
    second_link = confirmation_path("ana@example.com")
    with tenant_scope(shop):
        user = User.objects.get(email="ana@example.com")
        draft = ConsultationDraft.objects.get(user=user)
    # Nothing of the second start was kept: not its answers, not its password.
    assert draft.answers["step1"]["last_name"] == "Silva" and draft.current_step == 2
    assert user.check_password(PASSWORD) and not user.is_active

    # A link is good only at the dispensary that sent it.
    assert _invalid(Client().get(second_link.replace("/store/alpha/", "/store/bravo/")))
    patient = Client()
    confirmed = patient.get(second_link)
    assert confirmed.status_code == 302 and confirmed["Location"] == f"{BASE}step/2/"
    assert 'value="Silva"' in patient.get(f"{BASE}step/1/").content.decode()
    # Signing in spent both links: neither opens a second session.
    assert _invalid(Client().get(first_link)) and _invalid(Client().get(second_link))


def test_an_expired_link_is_refused_and_the_account_stays_inactive(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post_step_one(Client(), "ana@example.com")
    link = confirmation_path("ana@example.com")
    client = Client()
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert _invalid(client.get(link))
    assert client.get(f"{BASE}step/2/").status_code == 302
    with tenant_scope(shop):
        assert not User.objects.get(email="ana@example.com").is_active


@pytest.mark.parametrize(
    "link",
    [
        pytest.param("Mg/not-a-token/", id="forged-token"),
        pytest.param("-_-_/x/", id="garbage-uid"),
        pytest.param("OTk5OTk5/abc-def/", id="unknown-user"),
    ],
)
def test_a_forged_link_is_refused(shop, link):
    assert _invalid(Client().get(f"{BASE}confirm/{link}"))


def test_a_deactivated_account_is_not_reactivated_by_starting_a_consultation(
    shop, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    owner = make_user(shop, email="gone@example.com")
    with tenant_scope(shop):
        User.objects.filter(pk=owner.pk).update(is_active=False, last_login=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_step_one(Client(), "gone@example.com")
    assert response.status_code == 302 and response["Location"] == f"{BASE}sent/"
    # The owner is pointed to logging in (which staff must allow again), not sent a link.
    [told] = mailoutbox
    assert "tried to start a consultation" in told.body and "/confirm/" not in told.body
    with tenant_scope(shop):
        owner.refresh_from_db()
    assert not owner.is_active and owner.check_password(OWNER_PASSWORD)
