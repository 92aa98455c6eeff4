"""The traceability ledger: hash-chained batch events, their public page and the admin."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

from django.db import DatabaseError, connection, connections, transaction

import pytest

from commerce.models import Product
from commerce.traceability.chain import LedgerError, append_event, record_dispensed, verify_chain
from commerce.traceability.models import GENESIS_HASH, Batch, BatchEvent
from sites.context import platform_scope, tenant_scope
from sites.models import AuditLogEntry, Role
from tests.conftest import _OWNER, PASSWORD

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 9, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)


def make_batch(
    tenant, code="HB-2026-PK-014", countries="GB PT", events=("cultivated", "harvested", "tested")
):
    with tenant_scope(tenant):
        product, _ = Product.objects.get_or_create(
            sku=f"SKU-{countries.replace(' ', '')}",
            defaults={"name": f"Pink Kush {countries}", "slug": f"pink-kush-{countries.replace(' ', '-').lower()}",
                      "strain_type": "indica", "price": 9, "available_countries": countries},
        )  # fmt: skip
        batch = Batch.objects.create(code=code, product=product, lab_name="Eurofins")
        for day, kind in enumerate(events):
            append_event(batch, kind, {"step": day + 1}, occurred_at=WHEN + dt.timedelta(days=day))
    return batch


def page(client, tenant, path=""):
    return client.get(f"/store/{tenant.slug}/blockchain/{path}")


# --- The chain ---------------------------------------------------------------------------


def test_each_event_carries_the_sha256_of_its_content_and_the_previous_hash(tenant_a, make_user):
    staff = make_user(tenant_a, Role.EDITOR)
    batch = make_batch(tenant_a, events=())

    with tenant_scope(tenant_a):
        first = append_event(
            batch, "cultivated", {"site": "Greenhouse 3", "plants": 240}, staff, occurred_at=WHEN
        )
        second = append_event(batch, "harvested", {"weight": 38.4}, occurred_at=WHEN + dt.timedelta(days=70))
        stored = list(BatchEvent.objects.filter(batch=batch))

    # Recomputed here from the documented serialisation, independently of the code.
    expected = json.dumps(
        {"batch": "HB-2026-PK-014", "sequence": 1, "kind": "cultivated",
         "occurred_at": "2026-09-01T08:30:15.123456+00:00", "data": {"plants": 240, "site": "Greenhouse 3"},
         "actor": staff.email, "prev_hash": GENESIS_HASH},
        sort_keys=True, separators=(",", ":"),
    ).encode()  # fmt: skip
    assert first.hash == hashlib.sha256(expected).hexdigest()
    assert [(e.sequence, e.kind, e.prev_hash, e.hash) for e in stored] == [
        (1, "cultivated", GENESIS_HASH, first.hash),
        (2, "harvested", first.hash, second.hash),
    ]
    assert stored[1].data == {"weight": "38.4"}  # floats are kept as text so hashes survive storage
    with tenant_scope(tenant_a):
        batch.refresh_from_db()
        assert (batch.event_count, batch.head_hash) == (2, second.hash)
        assert verify_chain(batch).ok


def test_dispensed_events_name_the_order_and_quantity(tenant_a):
    batch = make_batch(tenant_a)

    with tenant_scope(tenant_a):
        event = record_dispensed(batch, order_reference="HB-1042", quantity="10 g")
        check = verify_chain(batch)

    assert (event.sequence, event.kind, event.data) == (
        4,
        "dispensed",
        {"order": "HB-1042", "quantity": "10 g"},
    )
    assert event.actor_label == "system"
    assert check.ok and len(check.events) == 4


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("eaten", {}, "Unknown event kind"),
        ("shipped", ["a list"], "JSON object"),
        ("shipped", {"x": object()}, "object"),
    ],
    ids=["unknown-kind", "not-an-object", "unserialisable"],
)
def test_bad_events_are_refused_and_nothing_is_written(tenant_a, kind, data, message):
    batch = make_batch(tenant_a)

    with tenant_scope(tenant_a), pytest.raises(LedgerError, match=message):
        append_event(batch, kind, data)

    with tenant_scope(tenant_a):
        assert BatchEvent.objects.filter(batch=batch).count() == 3
        assert Batch.objects.get().event_count == 3


def test_dispensing_needs_an_order_reference(tenant_a):
    batch = make_batch(tenant_a)
    with tenant_scope(tenant_a), pytest.raises(LedgerError, match="order reference"):
        record_dispensed(batch, order_reference=" ", quantity=1)


def test_the_model_refuses_to_change_or_delete_an_event(tenant_a):
    batch = make_batch(tenant_a)
    with tenant_scope(tenant_a):
        event = BatchEvent.objects.first()
        event.data = {"step": 99}
        with pytest.raises(ValueError, match="append-only"):
            event.save()
        with pytest.raises(ValueError, match="append-only"):
            event.delete()
        assert BatchEvent.objects.first().data == {"step": 1}
        assert verify_chain(batch).ok


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE commerce_batchevent SET data = '{\"step\": 99}'::jsonb WHERE id = %s",
        "UPDATE commerce_batchevent SET hash = repeat('0', 64) WHERE id = %s",
        "DELETE FROM commerce_batchevent WHERE id = %s",
    ],
    ids=["update-data", "update-hash", "delete"],
)
def test_the_database_refuses_to_rewrite_or_delete_events_even_by_raw_sql(tenant_a, sql):
    make_batch(tenant_a)
    with tenant_scope(tenant_a):
        event = BatchEvent.objects.first()
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
        assert verify_chain(Batch.objects.get()).ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_extend_one_chain_without_forks(tenant_a):
    batch = make_batch(tenant_a, events=())
    errors: list[Exception] = []

    def worker(n: int) -> None:
        try:
            with tenant_scope(tenant_a):
                append_event(batch, "shipped", {"parcel": n})
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with tenant_scope(tenant_a):
        assert sorted(BatchEvent.objects.values_list("sequence", flat=True)) == list(range(1, 9))
        assert verify_chain(Batch.objects.get()).ok


# --- Tampering: someone edits the ledger directly in the database ---------------------------


def tamper(statements: list[tuple[str, list]]) -> None:
    """Run SQL against the ledger as the tables' owner would, with the trigger switched off.

    On PostgreSQL the suite connects as the application role, which can neither disable
    the trigger nor bypass it; the owner can (the attack the verification must reveal).
    The owner is subject to FORCE ROW LEVEL SECURITY too, hence the bypass setting.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
        return
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or None, dbname=settings["NAME"],
        user=_OWNER["USER"], password=_OWNER["PASSWORD"],
    ) as owner, owner.cursor() as cursor:  # fmt: skip
        cursor.execute("SELECT set_config('app.bypass_rls', 'on', true)")
        cursor.execute("ALTER TABLE commerce_batchevent DISABLE TRIGGER ledger_append_only")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE commerce_batchevent ENABLE TRIGGER ledger_append_only")
    # Committed on leaving the block; the trigger was off for this transaction only.


def event_id(tenant, sequence: int) -> int:
    with tenant_scope(tenant):
        return BatchEvent.objects.get(sequence=sequence).pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("change", "broken_at", "reason"),
    [
        (lambda pk: [("UPDATE commerce_batchevent SET data = %s WHERE id = %s", ['{"step": 7}', pk(2)])],
         2, "its content does not match its hash"),
        (lambda pk: [("UPDATE commerce_batchevent SET occurred_at = %s WHERE id = %s", [WHEN, pk(3)])],
         3, "its content does not match its hash"),
        (lambda pk: [("DELETE FROM commerce_batchevent WHERE id = %s", [pk(2)])], 2, "event 2 is missing"),
        (lambda pk: [("DELETE FROM commerce_batchevent WHERE id = %s", [pk(3)])], 3,
         "events are missing from the end of the chain"),
    ],
    ids=["data-edited", "date-moved", "middle-event-deleted", "last-event-deleted"],
)  # fmt: skip
def test_editing_the_ledger_in_the_database_shows_the_chain_broken(
    client, make_tenant, change, broken_at, reason
):
    tenant = make_tenant("alpha", "Alpha Dispensary", "GB")
    make_batch(tenant)
    assert "Chain verified" in page(client, tenant, "HB-2026-PK-014/").content.decode()

    tamper(change(lambda sequence: event_id(tenant, sequence)))
    response = page(client, tenant, "HB-2026-PK-014/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Chain broken at event {broken_at}" in html
    assert reason in html
    assert "Chain verified" not in html
    with tenant_scope(tenant):
        check = verify_chain(Batch.objects.get())
    assert (check.ok, check.broken_at, check.reason) == (False, broken_at, reason)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_trigger_is_back_after_tampering(make_tenant):
    tenant = make_tenant("alpha", "Alpha Dispensary", "GB")
    make_batch(tenant)
    tamper([("UPDATE commerce_batchevent SET data = %s WHERE id = %s", ['{"step": 7}', event_id(tenant, 1)])])
    if connection.vendor == "postgresql":
        with (
            tenant_scope(tenant),
            pytest.raises(DatabaseError, match="append-only"),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM commerce_batchevent WHERE id = %s", [event_id(tenant, 1)])


# --- The public pages ----------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["sage", "clinic", "nocturne"])
def test_batch_page_shows_the_verified_timeline_in_every_theme(client, make_tenant, theme):
    tenant = make_tenant("alpha", "Alpha Dispensary", "GB", theme)
    batch = make_batch(tenant)
    with tenant_scope(tenant):
        record_dispensed(batch, order_reference="HB-1042", quantity="10 g")

    index = page(client, tenant)
    detail = page(client, tenant, "HB-2026-PK-014/")

    assert index.status_code == 200 and detail.status_code == 200
    assert 'href="/store/alpha/blockchain/HB-2026-PK-014/"' in index.content.decode()
    html = detail.content.decode()
    assert "Batch HB-2026-PK-014" in html and "Pink Kush GB PT" in html and "Eurofins" in html
    assert "Chain verified" in html and "All 4 ledger entries" in html
    positions = [html.index(label) for label in ("Cultivated", "Harvested", "Lab tested", "Dispensed")]
    assert positions == sorted(positions)
    assert "HB-1042" in html
    assert f"themes/{theme}/" in html  # the tenant's theme styles the page


def test_index_lists_only_this_tenants_batches_of_products_sold_here(client, tenant_a, tenant_b):
    make_batch(tenant_a, "HB-GB-1", countries="GB PT")
    make_batch(tenant_a, "HB-ZA-1", countries="ZA")
    make_batch(tenant_b, "GL-PT-1", countries="GB PT")

    html = page(client, tenant_a).content.decode()

    assert "HB-GB-1" in html
    assert "HB-ZA-1" not in html and "GL-PT-1" not in html
    assert page(client, tenant_a, "HB-ZA-1/").status_code == 404
    assert page(client, tenant_a, "GL-PT-1/").status_code == 404
    assert page(client, tenant_b, "GL-PT-1/").status_code == 200


def test_unknown_batch_is_a_404_and_empty_index_says_so(client, tenant_a):
    assert page(client, tenant_a, "NOPE-1/").status_code == 404
    assert "No batches have been recorded yet." in page(client, tenant_a).content.decode()


# --- The admin -----------------------------------------------------------------------------

ADMIN = "/admin/snippets/commerce/batch/"


def staff_client(client, tenant, make_user, role=Role.TENANT_ADMIN):
    user = make_user(tenant, role)
    assert client.login(username=user.email, password=PASSWORD)
    return user


def test_staff_list_their_own_batches_and_see_events_read_only(client, tenant_a, tenant_b, make_user):
    own = make_batch(tenant_a, "HB-OWN-1")
    make_batch(tenant_b, "GL-ZULU-1")
    staff_client(client, tenant_a, make_user)

    listing = client.get(ADMIN).content.decode()
    edit = client.get(f"{ADMIN}edit/{own.pk}/").content.decode()

    assert "HB-OWN-1" in listing and "GL-ZULU-1" not in listing
    assert "Chain verified: 3 events" in edit and "Lab tested" in edit
    assert f"{ADMIN}add-event/{own.pk}/" in edit
    assert 'name="data"' not in edit and 'name="prev_hash"' not in edit  # no way to edit events


def test_staff_add_an_event_that_extends_the_chain_and_is_audited(client, tenant_a, make_user):
    batch = make_batch(tenant_a)
    user = staff_client(client, tenant_a, make_user, Role.EDITOR)

    response = client.post(
        f"{ADMIN}add-event/{batch.pk}/",
        {"kind": "packaged", "occurred_at": "2026-10-01 09:00", "note": "400 jars",
         "details": '{"units": 400}'},
    )  # fmt: skip

    assert response.status_code == 302 and response["Location"] == f"{ADMIN}edit/{batch.pk}/"
    with tenant_scope(tenant_a):
        event = BatchEvent.objects.get(sequence=4)
        assert (event.kind, event.data, event.actor_label) == (
            "packaged",
            {"units": 400, "note": "400 jars"},
            user.email,
        )
        assert verify_chain(Batch.objects.get()).ok
        entry = AuditLogEntry.objects.get(action="batch.event_added")
    assert entry.data == {"kind": "packaged", "sequence": 4} and entry.object_id == str(batch.pk)


@pytest.mark.parametrize(
    ("form", "error"),
    [({"kind": "packaged", "occurred_at": "2026-10-01 09:00", "details": "[1, 2]"}, "must be a JSON object"),
     ({"kind": "packaged", "occurred_at": "2026-10-01 09:00", "details": "{not json"}, "Enter a valid JSON"),
     ({"kind": "teleported", "occurred_at": "2026-10-01 09:00"}, "Select a valid choice"),
     ({"kind": "packaged", "occurred_at": "2999-01-01 09:00"}, "cannot be recorded in the future")],
    ids=["json-list", "bad-json", "bad-kind", "future"],
)  # fmt: skip
def test_bad_event_forms_are_form_errors_and_change_nothing(client, tenant_a, make_user, form, error):
    batch = make_batch(tenant_a)
    staff_client(client, tenant_a, make_user)

    response = client.post(f"{ADMIN}add-event/{batch.pk}/", form)

    assert response.status_code == 200
    assert error in response.content.decode()
    with tenant_scope(tenant_a):
        assert BatchEvent.objects.count() == 3


def test_another_tenants_batch_is_not_found(client, tenant_a, tenant_b, make_user):
    theirs = make_batch(tenant_b, "GL-ZULU-1")
    staff_client(client, tenant_a, make_user)

    for url in (f"{ADMIN}edit/{theirs.pk}/", f"{ADMIN}add-event/{theirs.pk}/", f"{ADMIN}delete/{theirs.pk}/"):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"{ADMIN}add-event/{theirs.pk}/", {"kind": "shipped", "occurred_at": "2026-10-01 09:00"}
        ).status_code
        == 404
    )
    with tenant_scope(tenant_b):
        assert BatchEvent.objects.count() == 3


def test_marketers_cannot_add_events(client, tenant_a, make_user):
    batch = make_batch(tenant_a)
    staff_client(client, tenant_a, make_user, Role.MARKETER)

    response = client.post(
        f"{ADMIN}add-event/{batch.pk}/", {"kind": "shipped", "occurred_at": "2026-10-01 09:00"}
    )

    assert response.status_code in (302, 403)
    with tenant_scope(tenant_a):
        assert BatchEvent.objects.count() == 3


def test_a_batch_made_in_the_admin_belongs_to_the_tenant_and_codes_are_unique(client, tenant_a, make_user):
    make_batch(tenant_a, "HB-1")
    staff_client(client, tenant_a, make_user)
    with tenant_scope(tenant_a):
        product = Product.objects.get()
    form = {"product": product.pk, "lab_results": "{}"}

    duplicate = client.post(f"{ADMIN}add/", {**form, "code": "HB-1"})
    created = client.post(f"{ADMIN}add/", {**form, "code": "HB-2"})

    assert (
        duplicate.status_code == 200 and "Another batch already uses this code." in duplicate.content.decode()
    )
    assert created.status_code == 302
    with platform_scope("test: where the batch went"):
        assert Batch.all_tenants.get(code="HB-2").tenant == tenant_a
        assert Batch.all_tenants.filter(code="HB-1").count() == 1


def test_a_batch_with_events_cannot_be_deleted(client, tenant_a, make_user):
    batch = make_batch(tenant_a)
    staff_client(client, tenant_a, make_user)

    response = client.post(f"{ADMIN}delete/{batch.pk}/")

    assert response.status_code == 302
    with tenant_scope(tenant_a):
        assert Batch.objects.filter(pk=batch.pk).exists() and BatchEvent.objects.count() == 3


def test_seed_demo_gives_each_tenant_verified_batches(settings, client):
    from django.core.management import call_command

    from sites.models import Tenant

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent: no second ledger

    for tenant in Tenant.objects.all():
        with tenant_scope(tenant):
            batches = list(Batch.objects.all())
            assert len(batches) == 3
            assert all(verify_chain(batch).ok for batch in batches)
            assert BatchEvent.objects.filter(kind="dispensed").exists()


def test_a_product_with_batches_is_not_deleted_from_under_its_ledger(client, tenant_a, make_user):
    batch = make_batch(tenant_a)
    staff_client(client, tenant_a, make_user)

    response = client.post(f"/admin/snippets/commerce/product/delete/{batch.product_id}/")

    assert response.status_code in (302, 403)
    with tenant_scope(tenant_a):
        assert Product.objects.filter(pk=batch.product_id).exists()


def test_super_admins_cannot_move_a_batch_to_another_tenants_product(client, tenant_a, tenant_b, make_user):
    batch = make_batch(tenant_a, "HB-1")
    theirs = make_batch(tenant_b, "GL-1")
    root = make_user(None, Role.SUPER_ADMIN, email="root@budstack.example")
    assert client.login(username=root.email, password=PASSWORD)

    response = client.post(
        f"{ADMIN}edit/{batch.pk}/", {"code": "HB-1", "product": theirs.product_id, "lab_results": "{}"}
    )

    assert response.status_code == 200 and "Choose one of this dispensary" in response.content.decode()
    with platform_scope("test: the batch kept its product"):
        assert Batch.all_tenants.get(pk=batch.pk).product_id == batch.product_id
