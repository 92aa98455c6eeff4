"""A database trigger that keeps the audit trail append-only even for raw SQL.

The model refuses edits; the trigger makes the table refuse them too, so a bug, a shell
session or a compromised app role cannot rewrite history. Two narrow exceptions keep the
rest of the data model working: the actor reference may be cleared (SET NULL when a staff
account is deleted; the label stays), and rows may be deleted when a transaction
explicitly asks for it with ``app.audit_purge = 'on'`` (offboarding a tenant after its
grace period, which deletes the tenant's rows by cascade).
"""

from __future__ import annotations

from django.db import migrations

from sites.postgres_sql import postgres_only

TABLE = "tenancy_auditlogentry"

CREATE = f"""
CREATE OR REPLACE FUNCTION budstack_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('app.audit_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit log entries are append-only (delete refused)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit log entries are append-only (update refused)'
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON "{TABLE}";
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON "{TABLE}"
    FOR EACH ROW EXECUTE FUNCTION budstack_audit_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS audit_append_only ON "{TABLE}";
DROP FUNCTION IF EXISTS budstack_audit_append_only();
"""


def append_only_trigger() -> migrations.RunPython:
    return postgres_only(CREATE, DROP)
