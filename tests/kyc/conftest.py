"""KYC fixtures: a consultation-ready tenant, answers that pass every step, the fake Dr. Green."""

from __future__ import annotations

import re
from datetime import date

from django.core import mail
from django.test import TestCase

import pytest

from integrations.drgreen.credentials import store_credentials
from integrations.drgreen.fake import FakeDrGreen
from integrations.drgreen.signing import generate_key_pair
from pages.models import ConditionPage, ConditionsIndexPage
from sites.context import tenant_scope


def add_condition(tenant, title: str) -> ConditionPage:
    index = ConditionsIndexPage.objects.descendant_of(tenant.site.root_page).get()
    slug = title.lower().replace(" ", "-")
    with tenant_scope(tenant):
        return index.add_child(instance=ConditionPage(title=title, slug=slug, summary=f"About {title}."))


def step_posts(country: str = "GB", conditions=("chronic-pain",)) -> dict[int, dict]:
    """What a patient posts at each step: valid answers that rule nothing out."""
    no = dict.fromkeys(
        (
            "psychosis",
            "pregnant_or_breastfeeding",
            "heart_condition",
            "family_history_psychosis",
            "liver_disease",
            "kidney_disease",
            "epilepsy",
            "substance_dependence",
            "depression_or_anxiety",
            "under_specialist_care",
            "operates_machinery",
        ),
        "no",
    )
    return {
        1: {
            "first_name": "Ana",
            "last_name": "Silva",
            "date_of_birth": "1985-04-12",
            "gender": "female",
            "phone_code": "+44",
            "contact_number": "7700900123",
        },
        2: {
            "address1": "1 High Street",
            "address2": "Flat 2",
            "city": "London",
            "state": "Greater London",
            "postal_code": "N1 1AA",
            "country": country,
        },
        3: {
            "conditions": list(conditions),
            "other_condition": "Tension headaches",
            "condition_duration": "more_than_12_months",
        },
        4: {
            **no,
            "treatments_failed": "yes",
            "used_cannabis_before": "yes",
            "current_medication": "Ibuprofen 400mg",
            "previous_treatments": ["painkillers", "physiotherapy"],
            "other_treatments": "Acupuncture",
            "allergies": "penicillin, latex",
            "cannabis_frequency": "1_2_times_per_week",
            "cannabis_routes": ["vaporizing", "ingestion"],
        },
        5: {"consent_data_processing": "on", "consent_terms": "on", "consent_truthful": "on"},
    }


def adult_dob(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years).isoformat()


@pytest.fixture(scope="session")
def fake_server():
    with FakeDrGreen() as fake:
        yield fake


@pytest.fixture
def fake(fake_server):
    fake_server.reset()
    fake_server.state.kyc_links = True
    yield fake_server
    fake_server.reset()


@pytest.fixture
def connect(fake, settings):
    """``connect(tenant)``: give the tenant its own key pair at the fake server."""
    settings.DRGREEN_RETRIES = 0
    settings.DRGREEN_TIMEOUT = 2.0

    def connect(tenant):
        pair = generate_key_pair()
        store_credentials(tenant, pair.api_key, pair.secret_key, base_url=fake.api_url)
        return pair

    return connect


@pytest.fixture
def shop(tenant_a, connect):
    """Tenant A with a condition library and a Dr. Green connection."""
    add_condition(tenant_a, "Chronic pain")
    add_condition(tenant_a, "Insomnia")
    connect(tenant_a)
    return tenant_a


PASSWORD = "a sturdy passphrase 42"  # noqa: S105 - a test password
CONFIRM_LINK = re.compile(r"https?://testserver(/\S+/consultation/confirm/[\w-]+/[\w-]+/)")


def confirmation_path(email: str) -> str:
    """The path of the last consultation confirmation link emailed to ``email``."""
    links = [CONFIRM_LINK.search(m.body) for m in mail.outbox if m.to == [email]]
    links = [link.group(1) for link in links if link]
    assert links, f"no confirmation link was emailed to {email}"
    return links[-1]


def start(client, base: str, data: dict, *, email: str = "ana@example.com") -> str:
    """Post step 1 as a visitor and confirm the address from the email: the client is then
    signed in at step 2. Returns the confirmation link's path.

    The step's mail is sent on commit; it is captured here (and, for a caller capturing
    on-commit callbacks too, sent again at its end) so the link can be followed at once.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"{base}step/1/", {**data, "email": email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == f"{base}sent/", response.content[:3000]
    link = confirmation_path(email)
    confirmed = client.get(link)
    assert confirmed.status_code == 302 and confirmed["Location"] == f"{base}step/2/"
    return link


def walk(client, base: str, posts: dict[int, dict], *, until: int = 5, email: str | None = "ana@example.com"):
    """Post steps 1..until; step 1 creates the account when ``email`` is given, and its
    emailed link is followed (it signs the patient in) before step 2."""
    response = None
    for step in range(1, until + 1):
        if step == 1 and email:
            start(client, base, posts[1], email=email)
            continue
        response = client.post(f"{base}step/{step}/", posts[step])
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    return response
