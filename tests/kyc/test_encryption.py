"""Answers at rest: unreadable in PostgreSQL, readable under rotated keys, re-encrypted by a command."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import connection

import pytest
from cryptography.fernet import Fernet, InvalidToken

from kyc.models import ConsultationDraft, ConsultationSubmission
from sites.context import tenant_scope
from sites.models import User

from .conftest import step_posts, walk

pytestmark = pytest.mark.django_db
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.mark.postgres
def test_answers_are_not_plain_text_in_the_database(client, shop, fake):
    walk(client, "/store/alpha/consultation/", step_posts())
    client.post("/store/alpha/consultation/step/1/", step_posts()[1])  # a draft again, for its table too
    with tenant_scope(shop), connection.cursor() as cursor:
        for table in (ConsultationSubmission._meta.db_table, ConsultationDraft._meta.db_table):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            rows = cursor.fetchall()
            assert rows, table
            dump = repr(rows)
            for secret in (
                "Ibuprofen",
                "Tension headaches",
                "chronic-pain",
                "1985-04-12",
                "penicillin",
                "Silva",
            ):
                assert secret not in dump, (table, secret)


def _submission(tenant, settings, keys):
    settings.FIELD_ENCRYPTION_KEYS = keys
    with tenant_scope(tenant):
        user = User.objects.create_user("rot@example.com", role="PATIENT", tenant=tenant)
        submission = ConsultationSubmission(user=user, version=1)
        submission.answers = {"step4": {"current_medication": "Codeine"}}
        submission.save()
    return submission


def test_newest_key_encrypts_and_every_key_decrypts(shop, settings):
    submission = _submission(shop, settings, [OLD])
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    with tenant_scope(shop):
        stored = ConsultationSubmission.objects.get(pk=submission.pk)
        assert stored.answers["step4"]["current_medication"] == "Codeine"
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(InvalidToken):
        stored.answers  # noqa: B018 - the old key is gone and nothing was re-encrypted


def test_kyc_reencrypt_moves_answers_to_the_newest_key(shop, settings):
    submission = _submission(shop, settings, [OLD])
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    out = StringIO()
    call_command("kyc_reencrypt", stdout=out)
    assert "1 answer records re-encrypted" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    with tenant_scope(shop):
        stored = ConsultationSubmission.objects.get(pk=submission.pk)
        assert stored.answers["step4"]["current_medication"] == "Codeine"
    out = StringIO()
    call_command("kyc_reencrypt", stdout=out)
    assert "0 answer records re-encrypted" in out.getvalue()


@pytest.mark.postgres
def test_the_database_refuses_to_rewrite_a_submission_but_allows_re_encryption(shop, settings):
    from django.db import DatabaseError, transaction

    submission = _submission(shop, settings, [OLD])
    table = ConsultationSubmission._meta.db_table
    with (
        tenant_scope(shop),
        connection.cursor() as cursor,
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
    ):
        cursor.execute(f'UPDATE "{table}" SET version = 7 WHERE id = %s', [submission.pk])  # noqa: S608
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    with tenant_scope(shop):
        assert ConsultationSubmission.objects.get(pk=submission.pk).reencrypt()
        assert ConsultationSubmission.objects.get(pk=submission.pk).version == 1
