"""Rotating FIELD_ENCRYPTION_KEYS: every registered encrypted value moves to the newest key."""

from __future__ import annotations

from io import StringIO

from django.core.exceptions import FieldDoesNotExist
from django.core.management import CommandError, call_command

import pytest
from cryptography.fernet import Fernet

from budstack import encrypted_fields, encryption
from integrations.drgreen.credentials import store_credentials
from integrations.drgreen.signing import generate_key_pair
from integrations.models import DrGreenCredentials
from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_token(tenant) -> str:
    with tenant_scope(tenant):
        return DrGreenCredentials.objects.get().secret_key_encrypted


def secret(tenant) -> str:
    with tenant_scope(tenant):
        return DrGreenCredentials.objects.get().secret_key


def run(*args) -> str:
    out = StringIO()
    call_command("reencrypt_fields", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two_tenants_with_secrets(settings, tenant_a, tenant_b):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    pairs = {tenant: generate_key_pair() for tenant in (tenant_a, tenant_b)}
    for tenant, pair in pairs.items():
        store_credentials(tenant, pair.api_key, pair.secret_key)
    return pairs


def test_rotation_moves_every_tenants_secret_to_the_new_key(settings, two_tenants_with_secrets):
    pairs = two_tenants_with_secrets
    before = {tenant: raw_token(tenant) for tenant in pairs}
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    output = run()
    assert "[##############################] 2/2 integrations.DrGreenCredentials" in output
    assert "re-encrypted 2 values, 0 already under the newest key, 0 unreadable" in output

    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is gone
    for tenant, pair in pairs.items():
        assert raw_token(tenant) != before[tenant]
        assert secret(tenant) == pair.secret_key
    # Running again changes nothing.
    again = run("--no-progress")
    assert "re-encrypted 0 values, 2 already under the newest key" in again
    with platform_scope("test"):
        entries = AuditLogEntry.objects.filter(action="platform.fields_reencrypted", tenant=None)
        assert [entry.data["rotated"] for entry in entries.order_by("pk")] == [2, 0]


def test_dry_run_writes_nothing(settings, two_tenants_with_secrets):
    before = {tenant: raw_token(tenant) for tenant in two_tenants_with_secrets}
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert "would re-encrypt 2 values" in run("--dry-run")
    assert {tenant: raw_token(tenant) for tenant in before} == before


def test_an_unreadable_value_is_reported_and_left_alone(
    settings, two_tenants_with_secrets, tenant_a, tenant_b
):
    with tenant_scope(tenant_a):
        DrGreenCredentials.objects.update(secret_key_encrypted="not-a-fernet-token")
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    with pytest.raises(CommandError, match=r"1 values could not be decrypted.*DrGreenCredentials#\d+"):
        run("--no-progress")
    assert raw_token(tenant_a) == "not-a-fernet-token"
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert secret(tenant_b) == two_tenants_with_secrets[tenant_b].secret_key  # the others moved on


def test_the_registry_knows_the_drgreen_secret_and_refuses_typos():
    assert (DrGreenCredentials, ("secret_key_encrypted",)) in encrypted_fields.registered()
    encrypted_fields.register("integrations.DrGreenCredentials", ["secret_key_encrypted"])
    assert dict(encrypted_fields.registered())[DrGreenCredentials] == ("secret_key_encrypted",)
    encrypted_fields.register("tenancy.Branding", ["no_such_field"])
    try:
        with pytest.raises(FieldDoesNotExist):
            encrypted_fields.registered()
    finally:
        encrypted_fields.unregister("tenancy.Branding")


def test_is_current_tells_old_tokens_from_new(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    token = encryption.encrypt("s")
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert not encryption.is_current(token) and encryption.is_current(encryption.rotate(token))
