"""A database trigger that keeps batch events append-only, even for raw SQL.

The model refuses edits; the trigger makes the table refuse them too (the pattern of
``sites.audit_triggers``). Deleting is allowed only when a transaction asks for it
explicitly with ``app.audit_purge = 'on'``, the switch that offboarding a tenant uses
for its audit trail. The table's owner can still disable the trigger: that is what a
tampering test does, and what ``verify_chain`` is there to catch.
"""

from __future__ import annotations

from django.db import migrations

from sites.postgres_sql import postgres_only

TABLE = "commerce_batchevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION budstack_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('app.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    -- No percent signs in this text: the migration sends it through the DB driver.
    RAISE EXCEPTION USING MESSAGE = 'batch events are append-only (' || lower(TG_OP) || ' refused)',
        ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_append_only ON "{TABLE}";
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON "{TABLE}"
    FOR EACH ROW EXECUTE FUNCTION budstack_ledger_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS ledger_append_only ON "{TABLE}";
DROP FUNCTION IF EXISTS budstack_ledger_append_only();
"""


def append_only_trigger() -> migrations.RunPython:
    return postgres_only(CREATE, DROP)
