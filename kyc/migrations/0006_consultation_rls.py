from django.db import migrations

from sites.rls import EnableTenantRLS

TABLE = "kyc_consultationsubmission"

# A submission is a record of what the patient declared: the table refuses changes even
# to raw SQL, except re-encryption (only the ciphertext changes) by kyc_reencrypt.
# Deleting stays possible: erasure on request, and a tenant's offboarding by cascade.
CREATE = f"""
CREATE OR REPLACE FUNCTION budstack_consultation_immutable() RETURNS trigger AS $$
BEGIN
    IF (to_jsonb(NEW) - 'answers_encrypted') = (to_jsonb(OLD) - 'answers_encrypted') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consultation submissions are immutable (submit a new version)'
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS consultation_immutable ON "{TABLE}";
CREATE TRIGGER consultation_immutable BEFORE UPDATE ON "{TABLE}"
    FOR EACH ROW EXECUTE FUNCTION budstack_consultation_immutable();
"""
DROP = f"""
DROP TRIGGER IF EXISTS consultation_immutable ON "{TABLE}";
DROP FUNCTION IF EXISTS budstack_consultation_immutable();
"""


def _run(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("kyc", "0005_consultation")]

    operations = [
        EnableTenantRLS("consultationdraft"),
        EnableTenantRLS("consultationsubmission"),
        migrations.RunPython(_run(CREATE), _run(DROP), elidable=False),
    ]
