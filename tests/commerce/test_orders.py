"""Orders: the status table, stock coming back, idempotency, timeline, audit, admin, data rights."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from commerce.models import Order, OrderStatus, Product
from commerce.order_status import TRANSITIONS, InvalidTransition, check_transition
from commerce.orders import DeliveryAddress, place_order, transition
from sites.context import tenant_scope
from sites.models import AuditLogEntry, Role
from tests.commerce.conftest import make_patient
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOME = DeliveryAddress("Ada Patient", "1 High Street", "London", "N1 9GU", "GB")


def order_for(tenant, patient, items, **kwargs) -> Order:
    with tenant_scope(tenant):
        return place_order(tenant, patient, items, HOME, **kwargs).order


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("PENDING", "CONFIRMED", True),
        ("PENDING", "CANCELLED", True),
        ("CONFIRMED", "PAID", True),
        ("PAID", "SHIPPED", True),
        ("SHIPPED", "DELIVERED", True),
        ("DELIVERED", "REFUNDED", True),
        ("PENDING", "SHIPPED", False),
        ("SHIPPED", "CANCELLED", False),
        ("CANCELLED", "PENDING", False),
        ("REFUNDED", "PAID", False),
    ],
)
def test_transition_table(current, target, allowed):
    if allowed:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def test_every_contract_status_is_in_the_table():
    assert set(TRANSITIONS) == set(OrderStatus.values)


def test_cancelling_returns_stock_and_records_who_and_when(tenant_a, shop, patient, make_user):
    order = order_for(tenant_a, patient, [(shop["kush"].pk, 5)])
    owner = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    with tenant_scope(tenant_a):
        assert Product.objects.get(pk=shop["kush"].pk).stock == 7
        transition(order, OrderStatus.CANCELLED, actor=owner, note="patient called")
        assert Product.objects.get(pk=shop["kush"].pk).stock == 12
        events = list(order.events.values_list("from_status", "to_status", "actor_label", "note"))
        assert events == [
            ("", "PENDING", f"patient #{patient.pk}", ""),
            ("PENDING", "CANCELLED", "boss@alpha.example", "patient called"),
        ]
        audit = AuditLogEntry.objects.filter(action="order.status_changed").get()
        assert audit.data["from"] == "PENDING" and audit.data["to"] == "CANCELLED"
        assert AuditLogEntry.objects.filter(action="order.created", object_id=str(order.pk)).exists()


def test_invalid_transition_is_refused_and_changes_nothing(tenant_a, shop, patient):
    order = order_for(tenant_a, patient, [(shop["kush"].pk, 1)])
    with tenant_scope(tenant_a):
        with pytest.raises(InvalidTransition):
            transition(order, OrderStatus.SHIPPED)
        order.refresh_from_db()
        assert order.status == OrderStatus.PENDING and order.events.count() == 1


def test_same_idempotency_key_gives_the_same_order(tenant_a, shop, patient):
    first = order_for(tenant_a, patient, [(shop["kush"].pk, 2)], idempotency_key="abc-123")
    with tenant_scope(tenant_a):
        again = place_order(tenant_a, patient, [(shop["kush"].pk, 2)], HOME, idempotency_key="abc-123")
        assert again.created is False and again.order.pk == first.pk
        assert Order.objects.count() == 1
        assert Product.objects.get(pk=shop["kush"].pk).stock == 10


def test_plan_limit_is_consulted(tenant_a, shop, patient):
    from billing.models import Plan
    from sites import limits
    from sites.context import platform_scope

    Plan.objects.filter(slug="starter").update(max_orders_per_month=1)
    with platform_scope("test: put alpha on Starter"):
        tenant_a.plan = Plan.objects.get(slug="starter")
        tenant_a.save(update_fields=["plan"])
    order_for(tenant_a, patient, [(shop["kush"].pk, 1)])
    with tenant_scope(tenant_a), pytest.raises(limits.PlanLimitReached, match="allows 1 orders per month"):
        place_order(tenant_a, patient, [(shop["kush"].pk, 1)], HOME)
    with tenant_scope(tenant_a):
        assert Order.objects.count() == 1


def test_default_plan_has_no_order_limit(tenant_a):
    from sites.limits import check_order_limit, max_orders_per_month

    assert max_orders_per_month(tenant_a) is None
    check_order_limit(tenant_a)


def admin_client(client, user):
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_tenant_admin_manages_orders_and_sees_only_their_own(
    client, tenant_a, tenant_b, shop, patient, make_user
):
    mine = order_for(tenant_a, patient, [(shop["kush"].pk, 1)])
    bravo_patient = make_patient(tenant_b, make_user, email="p@bravo.example")
    theirs = order_for(tenant_b, bravo_patient, [(shop["bravo"].pk, 1)])
    owner = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    admin = admin_client(client, owner)

    listing = admin.get("/admin/snippets/commerce/order/").content.decode()
    assert mine.reference in listing and theirs.reference not in listing
    assert admin.get(f"/admin/snippets/commerce/order/edit/{theirs.pk}/").status_code in (302, 404)
    filtered = admin.get("/admin/snippets/commerce/order/?status=CANCELLED").content.decode()
    assert mine.reference not in filtered

    detail = admin.get(f"/admin/snippets/commerce/order/edit/{mine.pk}/").content.decode()
    assert "Pink Kush" in detail and "Timeline" in detail
    refused = admin.post(f"/admin/snippets/commerce/order/edit/{mine.pk}/", {"status": "SHIPPED", "note": ""})
    assert refused.status_code == 200  # the form comes back with the error
    with tenant_scope(tenant_a):
        assert Order.objects.get(pk=mine.pk).status == OrderStatus.PENDING
    moved = admin.post(
        f"/admin/snippets/commerce/order/edit/{mine.pk}/", {"status": "CONFIRMED", "note": "ok"}
    )
    assert moved.status_code == 302
    with tenant_scope(tenant_a):
        order = Order.objects.get(pk=mine.pk)
        assert order.status == OrderStatus.CONFIRMED
        assert order.events.last().actor_label == "boss@alpha.example"

    export = admin.get("/admin/snippets/commerce/order/?export=csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][0].lower() == "reference" and [r[0] for r in rows[1:]] == [mine.reference]


def test_editors_cannot_manage_orders(client, tenant_a, shop, patient, make_user):
    order = order_for(tenant_a, patient, [(shop["kush"].pk, 1)])
    editor = make_user(tenant_a, Role.EDITOR, email="ed@alpha.example")
    admin = admin_client(client, editor)
    response = admin.post(f"/admin/snippets/commerce/order/edit/{order.pk}/", {"status": "CANCELLED"})
    assert response.status_code in (302, 403, 404)
    with tenant_scope(tenant_a):
        assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING


def test_bulk_publish_and_unpublish_products(client, tenant_a, tenant_b, shop, make_user):
    owner = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    admin = admin_client(client, owner)
    mixed = f"id={shop['kush'].pk}&id={shop['bravo'].pk}"
    response = admin.post(f"/admin/bulk/commerce/product/unpublish/?next=/admin/&{mixed}")
    assert response.status_code in (302, 404)
    with tenant_scope(tenant_b):
        assert Product.objects.get(pk=shop["bravo"].pk).is_published  # another tenant's: untouched
    ok = admin.post(
        f"/admin/bulk/commerce/product/unpublish/?next=/admin/&id={shop['kush'].pk}&id={shop['oil'].pk}"
    )
    assert ok.status_code == 302
    with tenant_scope(tenant_a):
        assert not Product.objects.get(pk=shop["oil"].pk).is_published
        assert not Product.objects.get(pk=shop["kush"].pk).is_published
    admin.post(f"/admin/bulk/commerce/product/publish/?next=/admin/&id={shop['oil'].pk}")
    with tenant_scope(tenant_a):
        assert Product.objects.get(pk=shop["oil"].pk).is_published


def test_data_rights_export_and_anonymise(tenant_a, shop, patient):
    from commerce.data_rights import anonymise_patient_orders, export_patient_orders

    order = order_for(tenant_a, patient, [(shop["kush"].pk, 2)])
    with tenant_scope(tenant_a):
        exported = export_patient_orders(patient)
        assert exported[0]["reference"] == order.reference
        assert exported[0]["lines"][0]["quantity"] == 2
        assert exported[0]["delivery"]["postcode"] == "N1 9GU"
        anonymise_patient_orders(patient)
        order.refresh_from_db()
        assert order.user_id is None and order.delivery_name == "" and order.email == ""
        assert order.total == Decimal("17.00")  # the sale itself stays on the books


def test_orders_link_the_batch_and_delivery_extends_its_ledger(client, tenant_a, shop, patient, make_user):
    import datetime as dt

    from commerce.models import Batch
    from commerce.traceability.chain import append_event, verify_chain

    with tenant_scope(tenant_a):
        older = Batch.objects.create(code="PK-OLD", product=shop["kush"], produced_on=dt.date(2026, 1, 1))
        newest = Batch.objects.create(code="PK-NEW", product=shop["kush"], produced_on=dt.date(2026, 6, 1))
        append_event(newest, "packaged", {"lot": 1})
    order = order_for(tenant_a, patient, [(shop["kush"].pk, 2)])
    with tenant_scope(tenant_a):
        (line,) = order.lines.all()
        assert line.batch == newest  # the most recently produced batch is dispensed first
        for target in ("CONFIRMED", "PAID", "SHIPPED", "DELIVERED"):
            transition(order, target)
        events = list(newest.events.order_by("sequence"))
        assert [e.kind for e in events] == ["packaged", "dispensed"]
        assert events[-1].data == {"order": order.reference, "quantity": "2"}
        newest.refresh_from_db()  # the chain head moved on in the delivery transaction
        assert verify_chain(newest).ok
        assert not older.events.exists()

    client.force_login(patient)
    account = client.get("/store/alpha/account/").content.decode()
    assert 'href="/store/alpha/blockchain/PK-NEW/"' in account
    ledger = client.get("/store/alpha/blockchain/PK-NEW/").content.decode()
    assert order.reference in ledger and "Chain verified" in ledger
