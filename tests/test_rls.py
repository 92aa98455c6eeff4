"""Wall 2: PostgreSQL row-level security, tried with raw SQL that forgets the tenant."""

import logging

from django.db import DatabaseError, connection, transaction
from django.db.utils import ProgrammingError

import pytest

from commerce.models import Product
from sites.context import platform_scope, tenant_scope
from sites.models import User, tenant_owned_models
from sites.rls import POLICY_NAME, tables_missing_policy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def add_product(tenant, sku):
    with tenant_scope(tenant):
        return Product.objects.create(name=sku, slug=sku.lower(), sku=sku, strain_type="hybrid", price=5)


def raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


@pytest.fixture
def products(tenant_a, tenant_b):
    return add_product(tenant_a, "A1"), add_product(tenant_b, "B1")


def test_suite_connects_as_a_non_owner_role_without_bypass():
    (user, is_super, bypass), *_ = raw(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    owner = raw("SELECT tableowner FROM pg_tables WHERE tablename = 'commerce_product'")[0][0]
    assert user != owner
    assert not is_super and not bypass


def test_every_tenant_owned_table_is_forced_behind_the_policy():
    tables = [m._meta.db_table for m in tenant_owned_models()]
    assert len(tables) >= 6
    assert tables_missing_policy(connection) == []
    rows = raw(
        "SELECT tablename, policyname FROM pg_policies WHERE tablename = ANY(%s) AND policyname = %s",
        [tables, POLICY_NAME],
    )
    assert sorted(table for table, _ in rows) == sorted(tables)


def test_a_table_without_the_policy_is_reported():
    # tenancy_tenant is the one table deliberately outside RLS: it is how tenants are found.
    assert tables_missing_policy(connection, ["commerce_product", "tenancy_tenant"]) == ["tenancy_tenant"]


def test_raw_select_with_no_tenant_set_returns_nothing(products):
    assert raw("SELECT count(*) FROM commerce_product")[0][0] == 0
    assert raw("SELECT count(*) FROM tenancy_user")[0][0] == 0
    assert raw("SELECT count(*) FROM tenancy_branding")[0][0] == 0


def test_forgotten_filter_still_sees_only_the_current_tenant(products, tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        assert list(Product.all_tenants.values_list("sku", flat=True)) == ["A1"]
        assert raw("SELECT sku FROM commerce_product") == [("A1",)]
    with tenant_scope(tenant_b):
        assert raw("SELECT sku FROM commerce_product") == [("B1",)]


def test_cannot_change_or_delete_another_tenants_rows(products, tenant_a, tenant_b):
    _, b1 = products
    with tenant_scope(tenant_a):
        assert raw("UPDATE commerce_product SET name = 'pwned' WHERE id = %s", [b1.pk]) == 0
        assert raw("DELETE FROM commerce_product WHERE id = %s", [b1.pk]) == 0
    with tenant_scope(tenant_b):
        assert Product.objects.get(pk=b1.pk).name == "B1"


def test_cannot_write_a_row_into_another_tenant(products, tenant_a, tenant_b):
    a1, _ = products
    with pytest.raises(ProgrammingError, match="row-level security"), tenant_scope(tenant_a):
        raw("UPDATE commerce_product SET tenant_id = %s WHERE id = %s", [tenant_b.pk, a1.pk])
    with pytest.raises(ProgrammingError, match="row-level security"), tenant_scope(tenant_a):
        raw(
            "INSERT INTO commerce_product (tenant_id, name, slug, sku, strain_type, form, thc_percent,"
            " cbd_percent, price, currency, stock, description, available_countries, is_published)"
            " VALUES (%s, 'x', 'x', 'X9', 'hybrid', 'flower', 0, 0, 1, 'GBP', 0, '', '', true)",
            [tenant_b.pk],
        )


def test_the_app_role_cannot_switch_rls_off(products):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("ALTER TABLE commerce_product DISABLE ROW LEVEL SECURITY")


def test_platform_bypass_sees_all_and_is_logged(products, caplog):
    with caplog.at_level(logging.INFO, logger="budstack.tenancy"), platform_scope("nightly report"):
        assert raw("SELECT count(*) FROM commerce_product")[0][0] == 2
    assert "platform scope entered: nightly report" in caplog.text


def test_inner_scope_hands_the_transaction_back(products, tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        with platform_scope("peek"):
            assert raw("SELECT count(*) FROM commerce_product")[0][0] == 2
        assert raw("SELECT sku FROM commerce_product") == [("A1",)]
        with tenant_scope(tenant_b):
            assert raw("SELECT sku FROM commerce_product") == [("B1",)]
        assert raw("SELECT sku FROM commerce_product") == [("A1",)]
    assert raw("SELECT count(*) FROM commerce_product")[0][0] == 0


def test_a_failed_inner_scope_restores_the_outer_one(products, tenant_a):
    with tenant_scope(tenant_a):
        with pytest.raises(RuntimeError), platform_scope("doomed"):
            raise RuntimeError("boom")
        assert raw("SELECT sku FROM commerce_product") == [("A1",)]


def test_reentering_the_same_tenant_keeps_its_rows_and_its_own_rollback(products, tenant_a, tenant_b):
    """A nested scope of the tenant already in force writes no setting (nothing changes),
    but still rolls back on its own and hands the tenant back intact."""
    with tenant_scope(tenant_a):
        with pytest.raises(RuntimeError), tenant_scope(tenant_a):
            add_product(tenant_a, "A2")
            assert sorted(raw("SELECT sku FROM commerce_product")) == [("A1",), ("A2",)]
            raise RuntimeError("the block fails after writing")
        assert raw("SELECT sku FROM commerce_product") == [("A1",)]  # A2 went with the block
        with tenant_scope(tenant_a), tenant_scope(tenant_b), tenant_scope(tenant_b):
            assert raw("SELECT sku FROM commerce_product") == [("B1",)]
        assert raw("SELECT sku FROM commerce_product") == [("A1",)]
        assert raw("SELECT current_setting('app.tenant_id')") == [(str(tenant_a.pk),)]


def test_setting_does_not_outlive_its_transaction(settings):
    """As behind pgbouncer: the next transaction on the same connection starts clean."""
    import psycopg

    app = settings.DATABASES["default"]
    with psycopg.connect(
        host=app["HOST"], port=app["PORT"], dbname=app["NAME"], user=app["USER"], password=app["PASSWORD"]
    ) as conn:
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', '42', true)")
            assert conn.execute("SELECT current_setting('app.tenant_id', true)").fetchone()[0] == "42"
        with conn.transaction():
            assert conn.execute("SELECT current_setting('app.tenant_id', true)").fetchone()[0] in ("", None)


def test_sessions_of_another_tenant_are_invisible_at_the_database(client, tenant_a, tenant_b, make_user):
    from tests.conftest import PASSWORD

    make_user(tenant_a, email="pat@example.com")
    client.post("/store/alpha/auth/login/", {"username": "pat@example.com", "password": PASSWORD})
    user_id = int(client.session["_auth_user_id"])
    with tenant_scope(tenant_b):
        assert not User.objects.filter(pk=user_id).exists()
    with tenant_scope(tenant_a):
        assert User.objects.filter(pk=user_id).exists()
