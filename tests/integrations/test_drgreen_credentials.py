"""Per-tenant Dr. Green credentials: encrypted at rest, rotatable, isolated, used by the client."""

from __future__ import annotations

from django.db import connection

import pytest
from cryptography.fernet import Fernet

from budstack import encryption
from integrations.drgreen.credentials import client_for_tenant, generate_credentials, store_credentials
from integrations.drgreen.errors import NotConfigured
from integrations.drgreen.patients import register_patient
from integrations.drgreen.signing import InvalidKey, generate_key_pair
from integrations.models import DrGreenCredentials
from sites.context import tenant_scope

from .conftest import registration

pytestmark = pytest.mark.django_db


def raw_secret_column(credentials: DrGreenCredentials) -> str:
    with tenant_scope(credentials.tenant), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT secret_key_encrypted FROM {DrGreenCredentials._meta.db_table} WHERE id = %s",  # noqa: S608
            [credentials.pk],
        )
        return cursor.fetchone()[0]


def test_the_secret_key_is_not_stored_in_plain_text(tenant_a, keys):
    credentials = store_credentials(tenant_a, keys.api_key, keys.secret_key)

    stored = raw_secret_column(credentials)
    assert keys.secret_key not in stored
    assert stored.startswith("gAAAAA")  # a Fernet token
    with tenant_scope(tenant_a):
        again = DrGreenCredentials.objects.get()
    assert again.secret_key == keys.secret_key
    assert again.api_key == keys.api_key


def test_key_rotation(tenant_a, keys, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    credentials = store_credentials(tenant_a, keys.api_key, keys.secret_key)
    under_old = raw_secret_column(credentials)

    settings.FIELD_ENCRYPTION_KEYS = [new, old]  # a new first key; the old one still decrypts
    with tenant_scope(tenant_a):
        credentials = DrGreenCredentials.objects.get()
    assert credentials.secret_key == keys.secret_key
    with tenant_scope(tenant_a):
        credentials.reencrypt()
    under_new = raw_secret_column(credentials)
    assert under_new != under_old
    assert Fernet(new.encode()).decrypt(under_new.encode()).decode() == keys.secret_key

    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can now be dropped
    with tenant_scope(tenant_a):
        assert DrGreenCredentials.objects.get().secret_key == keys.secret_key

    settings.FIELD_ENCRYPTION_KEYS = [old]  # but the new token is unreadable without the new key
    with tenant_scope(tenant_a), pytest.raises(encryption.InvalidToken):
        DrGreenCredentials.objects.get().secret_key  # noqa: B018


def test_without_configured_keys_dev_derives_one_from_the_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = encryption.encrypt("s3cret")
    assert encryption.decrypt(token) == "s3cret"
    settings.SECRET_KEY = "another-secret-key"
    with pytest.raises(encryption.InvalidToken):
        encryption.decrypt(token)


def test_bad_encryption_keys_are_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        encryption.encrypt("x")


def test_one_set_of_credentials_per_tenant_replaced_in_place(tenant_a, tenant_b):
    first, _ = generate_credentials(tenant_a)
    second, pair = generate_credentials(tenant_a)
    other, _ = generate_credentials(tenant_b)
    assert first.pk == second.pk
    with tenant_scope(tenant_a):
        assert DrGreenCredentials.objects.get().api_key == pair.api_key
    with tenant_scope(tenant_b):
        assert list(DrGreenCredentials.objects.all()) == [other]


def test_keys_that_are_not_secp256k1_are_refused(tenant_a, keys):
    with pytest.raises(InvalidKey):
        store_credentials(tenant_a, keys.api_key, "bm90IGEga2V5")
    with tenant_scope(tenant_a):
        assert not DrGreenCredentials.objects.exists()


# ---------------------------------------------------------------------------
# client_for_tenant
# ---------------------------------------------------------------------------


def test_each_tenant_talks_with_its_own_keys(tenant_a, tenant_b, fake, settings):
    settings.DRGREEN_API_URL = fake.api_url
    _, pair_a = generate_credentials(tenant_a)
    _, pair_b = generate_credentials(tenant_b)

    with client_for_tenant(tenant_a) as dg_a, client_for_tenant(tenant_b) as dg_b:
        assert (dg_a.api_key, dg_b.api_key) == (pair_a.api_key, pair_b.api_key)
        registered = dg_a.register_client(registration()).client
        assert dg_a.get_client(registered.id).id == registered.id
        from integrations.drgreen.errors import AuthError

        with pytest.raises(AuthError):
            dg_b.get_client(registered.id)


def test_the_base_url_can_be_overridden_per_tenant(tenant_a, fake, settings):
    settings.DRGREEN_API_URL = "http://127.0.0.1:9/api/v1"
    generate_credentials(tenant_a, base_url=fake.api_url)
    with client_for_tenant(tenant_a) as dg:
        assert dg.base_url == fake.api_url
        assert dg.list_strains(tenant_a.country_code, take=1).items


def test_without_tenant_credentials_the_platform_settings_are_used(tenant_a, fake, settings):
    pair = generate_key_pair()
    settings.DRGREEN_API_URL = fake.api_url
    settings.DRGREEN_API_KEY, settings.DRGREEN_SECRET_KEY = pair.api_key, pair.secret_key
    settings.DRGREEN_TIMEOUT, settings.DRGREEN_RETRIES = 1.5, 4
    with client_for_tenant(tenant_a) as dg:
        assert dg.api_key == pair.api_key and dg.timeout == 1.5 and dg.retry.attempts == 5
        assert dg.list_strains("GB", take=1).items


def test_no_credentials_anywhere_or_switched_off_is_not_configured(tenant_a, settings):
    settings.DRGREEN_API_KEY = settings.DRGREEN_SECRET_KEY = ""
    with pytest.raises(NotConfigured):
        client_for_tenant(tenant_a)
    generate_credentials(tenant_a, enabled=False)
    with pytest.raises(NotConfigured, match="switched off"):
        client_for_tenant(tenant_a)


# ---------------------------------------------------------------------------
# Registering a patient stores what Dr. Green answers
# ---------------------------------------------------------------------------


@pytest.fixture
def profile(tenant_a, make_user):
    from kyc.models import PatientProfile

    user = make_user(tenant_a)
    with tenant_scope(tenant_a):
        return PatientProfile.objects.create(user=user, tenant=tenant_a)


def test_registering_a_patient_stores_the_client_id_and_kyc_link(tenant_a, profile, fake, settings):
    settings.DRGREEN_API_URL = fake.api_url
    generate_credentials(tenant_a)
    with tenant_scope(tenant_a):
        result = register_patient(profile, registration(country="GB"))
        profile.refresh_from_db()
    assert profile.drgreen_client_id == result.client.id
    assert profile.kyc_link == f"{fake.url}/kyc/{result.client.id}"


def test_without_a_kyc_link_in_the_answer_nothing_is_invented(tenant_a, profile, fake, settings):
    settings.DRGREEN_API_URL = fake.api_url
    fake.state.kyc_links = False
    generate_credentials(tenant_a)
    with tenant_scope(tenant_a):
        register_patient(profile, registration(country="GB"))
        profile.refresh_from_db()
    assert profile.drgreen_client_id and profile.kyc_link == ""


def test_a_refused_registration_stores_nothing(tenant_a, profile, fake, settings):
    from integrations.drgreen.errors import Conflict

    settings.DRGREEN_API_URL = fake.api_url
    generate_credentials(tenant_a)
    with tenant_scope(tenant_a):
        register_patient(profile, registration(country="GB"))
        profile.drgreen_client_id = ""
        profile.save()
        with pytest.raises(Conflict):
            register_patient(profile, registration(country="GB"))
        profile.refresh_from_db()
    assert profile.drgreen_client_id == ""
