"""Tenant admins set their Dr. Green key pair in the admin and test it against the fake server."""

from __future__ import annotations

import pytest

from integrations.drgreen.credentials import store_credentials
from integrations.drgreen.signing import generate_key_pair
from integrations.models import DrGreenCredentials
from sites.context import tenant_scope
from sites.models import AuditLogEntry, Role

pytestmark = pytest.mark.django_db

URL = "/admin/drgreen/"


@pytest.fixture
def owner_a(client, tenant_a, make_user):
    client.force_login(make_user(tenant_a, Role.TENANT_ADMIN, email="chief@alpha.example"))
    return client


def stored(tenant) -> DrGreenCredentials | None:
    with tenant_scope(tenant):
        return DrGreenCredentials.objects.filter(tenant=tenant).first()


def audit(tenant, action: str) -> list[AuditLogEntry]:
    with tenant_scope(tenant):
        return list(AuditLogEntry.objects.filter(tenant=tenant, action=action))


def test_a_tenant_admin_sets_a_key_pair_and_never_sees_the_secret_again(owner_a, tenant_a, tenant_b):
    pair = generate_key_pair()
    page = owner_a.get(URL)
    assert page.status_code == 200 and "No key pair is stored" in page.content.decode()

    saved = owner_a.post(URL, {"api_key": pair.api_key, "secret_key": pair.secret_key, "enabled": "on"})
    assert saved.status_code == 302
    credentials = stored(tenant_a)
    assert credentials.api_key == pair.api_key and credentials.secret_key == pair.secret_key
    assert pair.secret_key not in credentials.secret_key_encrypted  # encrypted at rest
    assert stored(tenant_b) is None

    again = owner_a.get(URL).content.decode()
    assert pair.secret_key not in again and "A secret key is stored" in again
    (entry,) = audit(tenant_a, "drgreen.credentials_changed")
    assert entry.data["secret_key_replaced"] is True and entry.actor_label == "chief@alpha.example"
    assert pair.secret_key not in str(entry.data)

    # Saving again without a secret keeps the stored one.
    owner_a.post(URL, {"api_key": pair.api_key, "secret_key": ""})
    kept = stored(tenant_a)
    assert kept.secret_key == pair.secret_key and kept.enabled is False


@pytest.mark.parametrize(
    ("which", "message"),
    [
        pytest.param("mismatched", "does not belong to this API key", id="keys-from-two-pairs"),
        pytest.param("garbage", "not a valid Dr. Green API key", id="not-a-key"),
        pytest.param("swapped", "not a valid Dr. Green", id="secret-in-api-field"),
        pytest.param("no-secret", "Enter the secret key", id="secret-missing"),
    ],
)
def test_bad_key_pairs_are_refused_and_nothing_is_stored(owner_a, tenant_a, which, message):
    pair, other = generate_key_pair(), generate_key_pair()
    form = {
        "mismatched": {"api_key": pair.api_key, "secret_key": other.secret_key},
        "garbage": {"api_key": "hello", "secret_key": pair.secret_key},
        "swapped": {"api_key": pair.secret_key, "secret_key": pair.api_key},
        "no-secret": {"api_key": pair.api_key, "secret_key": ""},
    }[which]
    response = owner_a.post(URL, form)
    assert response.status_code == 200 and message in response.content.decode()
    assert stored(tenant_a) is None and audit(tenant_a, "drgreen.credentials_changed") == []


def test_test_connection_calls_the_configured_api(owner_a, tenant_a, fake, settings):
    settings.DRGREEN_API_URL = fake.api_url
    settings.DRGREEN_RETRIES = 0
    pair = generate_key_pair()
    owner_a.post(URL, {"api_key": pair.api_key, "secret_key": pair.secret_key, "enabled": "on"})

    answer = owner_a.post(f"{URL}test/", follow=True).content.decode()
    assert "Connected:" in answer and "available in GB" in answer
    assert fake.control("GET", "/requests")  # it really went to the fake server

    # A pair the supplier does not accept (stored behind the form's back) is reported as such.
    store_credentials(tenant_a, pair.api_key, generate_key_pair().secret_key)
    refused = owner_a.post(f"{URL}test/", follow=True).content.decode()
    assert "refused the key pair" in refused
    results = [entry.data["ok"] for entry in audit(tenant_a, "drgreen.connection_tested")]
    assert sorted(results) == [False, True]


def test_test_connection_reports_an_unreachable_api(owner_a, tenant_a, settings):
    from tests.integrations.smtp import free_port

    settings.DRGREEN_API_URL = f"http://127.0.0.1:{free_port()}/api/v1"
    settings.DRGREEN_RETRIES = 0
    pair = generate_key_pair()
    store_credentials(tenant_a, pair.api_key, pair.secret_key)
    answer = owner_a.post(f"{URL}test/", follow=True).content.decode()
    assert "could not be reached" in answer


def test_each_tenant_admin_sees_only_their_own_credentials(client, tenant_a, tenant_b, make_user):
    pair = generate_key_pair()
    store_credentials(tenant_a, pair.api_key, pair.secret_key)
    client.force_login(make_user(tenant_b, Role.TENANT_ADMIN, email="chief@bravo.example"))
    page = client.get(URL).content.decode()
    assert "No key pair is stored" in page and pair.api_key not in page
    # Saving at B creates B's own row and leaves A's untouched.
    other = generate_key_pair()
    client.post(URL, {"api_key": other.api_key, "secret_key": other.secret_key, "enabled": "on"})
    assert stored(tenant_a).api_key == pair.api_key and stored(tenant_b).api_key == other.api_key


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MARKETER])
def test_other_staff_cannot_see_or_change_credentials(client, tenant_a, make_user, role):
    client.force_login(make_user(tenant_a, role))
    pair = generate_key_pair()
    assert client.get(URL).status_code == 302
    client.post(URL, {"api_key": pair.api_key, "secret_key": pair.secret_key, "enabled": "on"})
    client.post(f"{URL}test/")
    assert stored(tenant_a) is None
    assert audit(tenant_a, "drgreen.connection_tested") == []
