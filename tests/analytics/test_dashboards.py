"""The analytics dashboards: figures from known data, CSV rows, isolation, query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from analytics.models import PageViewDay
from analytics.tracking import discard_buffered_page_views, flush_page_views
from commerce.models import Order, OrderLine, OrderStatus, Product
from kyc.models import ConsultationDraft, ConsultationSubmission, KycStatus, PatientProfile
from sites.audit import record_audit
from sites.context import platform_scope, tenant_scope
from sites.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_leftover_counts():
    discard_buffered_page_views()
    yield
    discard_buffered_page_views()


def _order(tenant, ref: str, total: str, status: str = OrderStatus.PENDING, days_ago: int = 0, lines=()):
    order = Order.objects.create(
        reference=ref, currency="GBP", total=Decimal(total), status=status, delivery_name="N",
        delivery_line1="1 Street", delivery_city="City", delivery_postcode="P1", delivery_country="GB",
    )  # fmt: skip
    for name, quantity, line_total in lines:
        OrderLine.objects.create(
            order=order, product_name=name, sku=name.upper().replace(" ", "-"), unit_price=1,
            quantity=quantity, line_total=Decimal(line_total),
        )  # fmt: skip
    if days_ago:
        Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return order


def _seed_alpha(tenant) -> None:
    """3 orders in the last 30 days (one cancelled), 1 older; 3 patients through KYC."""
    with tenant_scope(tenant):
        _order(tenant, "A-1", "30.00", lines=[("Alpha Kush", 2, "30.00")])
        _order(tenant, "A-2", "20.00", OrderStatus.DELIVERED, lines=[("Alpha Haze", 1, "20.00")])
        _order(tenant, "A-3", "50.00", OrderStatus.CANCELLED, days_ago=1, lines=[("Alpha Kush", 5, "50.00")])
        _order(tenant, "A-OLD", "70.00", OrderStatus.DELIVERED, days_ago=40, lines=[("Alpha Kush", 7, "70")])
        verified, rejected, drafting = (
            User.objects.create_user(f"{name}@alpha.example", role=Role.PATIENT, tenant=tenant)
            for name in ("verified", "rejected", "drafting")
        )
        for user, status in ((verified, KycStatus.VERIFIED), (rejected, KycStatus.REJECTED)):
            submission = ConsultationSubmission(user=user, version=1)
            submission.answers = {"step1": {"first_name": "P"}}
            submission.save()
            PatientProfile.objects.create(
                user=user, kyc_status=status, submitted_at=timezone.now() - timedelta(hours=6)
            )
        draft = ConsultationDraft(user=drafting, current_step=2)
        draft.answers = {}
        draft.save()
        profile = PatientProfile.objects.get(user=verified)
        record_audit(
            "kyc.status_changed", target=profile, tenant=tenant, data={"from": "PENDING", "to": "VERIFIED"}
        )
        Product.objects.create(name="Alpha Kush", slug="alpha-kush", sku="AK", strain_type="hybrid", price=15)


def _seed_bravo(tenant) -> None:
    with tenant_scope(tenant):
        _order(tenant, "B-1", "999.00", lines=[("Bravo Secret Strain", 9, "999.00")])
        PageViewDay.objects.create(date=timezone.localdate(), path="/bravo-secret/", views=41)


def _rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _figure(response, name: str) -> str:
    import re

    match = re.search(rf'data-figure="{name}">([^<]*)<', response.content.decode())
    assert match, name
    return match.group(1).strip()


def test_storefront_views_are_counted_cached_or_not_without_queries_on_hits(
    client, settings, tenant_a, tenant_b
):
    settings.PAGE_CACHE_SECONDS = 300
    client.get("/store/alpha/about/")
    with CaptureQueriesContext(connection) as hit:
        second = client.get("/store/alpha/about/")
    assert second["X-Page-Cache"] == "hit" and len(hit) == 0
    assert client.get("/store/alpha/").status_code == 200
    assert client.get("/store/alpha/no-such-page/").status_code == 404
    assert client.get("/store/bravo/").status_code == 200
    assert client.get("/admin/login/").status_code == 200

    assert flush_page_views() == 4
    with platform_scope("test"):
        counted = set(PageViewDay.objects.values_list("tenant__slug", "path", "views"))
    assert counted == {("alpha", "/about/", 2), ("alpha", "/", 1), ("bravo", "/", 1)}
    # Flushing again adds nothing; new views add to the same rows.
    assert flush_page_views() == 0
    client.get("/store/alpha/about/")
    flush_page_views()
    with tenant_scope(tenant_a):
        assert PageViewDay.objects.get(path="/about/").views == 3


def test_tenant_dashboard_shows_the_seeded_figures_and_exports_them(client, tenant_a, tenant_b, make_user):
    _seed_alpha(tenant_a)
    _seed_bravo(tenant_b)
    for _ in range(2):
        client.get("/store/alpha/about/")
    client.get("/store/alpha/")
    admin = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    client.force_login(admin)

    page = client.get("/admin/analytics/")

    assert page.status_code == 200
    assert _figure(page, "orders") == "3"
    assert _figure(page, "revenue") == "50.00"
    assert _figure(page, "consultations") == "2"
    assert _figure(page, "page-views") == "3"
    assert _figure(page, "orders-per-consultation") == "1.50"
    assert _figure(page, "orders-per-100-views") == "100.00"
    assert _figure(page, "kyc-hours") == "6.0"
    html = page.content.decode()
    assert "<td>3</td><td>2</td><td>1</td><td>1</td><td>0</td>" in html  # the KYC funnel
    assert "<svg" in html
    assert "Bravo" not in html and "999.00" not in html and "bravo-secret" not in html
    assert _figure(client.get("/admin/analytics/?range=90"), "orders") == "4"

    daily = _rows(client.get("/admin/analytics/?export=daily"))
    assert daily[0] == ["date", "orders", "revenue", "consultations", "page_views"]
    assert len(daily) == 31
    today = timezone.localdate()
    assert daily[-1] == [today.isoformat(), "2", "50.00", "2", "3"]
    assert daily[-2] == [(today - timedelta(days=1)).isoformat(), "1", "0.00", "0", "0"]
    products = _rows(client.get("/admin/analytics/?export=products"))
    assert products[1:] == [
        ["Alpha Kush", "ALPHA-KUSH", "2", "1", "30.00"],
        ["Alpha Haze", "ALPHA-HAZE", "1", "1", "20.00"],
    ]
    funnel = _rows(client.get("/admin/analytics/?range=7&export=funnel"))
    assert funnel[1:] == [
        ["started", "3"],
        ["submitted", "2"],
        ["verified", "1"],
        ["rejected", "1"],
        ["pending", "0"],
    ]
    pages = _rows(client.get("/admin/analytics/?export=pages"))
    assert pages[1:] == [["/about/", "2"], ["/", "1"]]
    assert client.get("/admin/analytics/?export=nonsense").status_code == 404


def test_platform_dashboard_sums_every_tenant(client, tenant_a, tenant_b, make_user):
    from billing.models import Plan

    _seed_alpha(tenant_a)
    _seed_bravo(tenant_b)
    with platform_scope("test"):
        plan = Plan.objects.create(slug="test-pro", name="Test Pro", monthly_price=Decimal("149.00"))
        tenant_a.plan = plan
        tenant_a.save(update_fields=["plan"])
    root = make_user(None, Role.SUPER_ADMIN, email="root@platform.example")
    client.force_login(root)

    page = client.get("/admin/platform-analytics/")

    assert page.status_code == 200
    assert _figure(page, "active-tenants") == "2"
    assert _figure(page, "mrr") == "149.00"
    assert _figure(page, "orders") == "4"
    assert _figure(page, "consultations") == "2"
    assert _figure(page, "kyc-hours") == "6.0"
    tenants = {row[1]: row for row in _rows(client.get("/admin/platform-analytics/?export=tenants"))[1:]}
    # tenant, slug, status, plan, orders, revenue, patients, products, page views
    assert tenants["alpha"][3:] == ["Test Pro", "3", "50.00", "3", "1", "0"]
    assert tenants["bravo"][3:] == ["", "1", "999.00", "0", "0", "41"]
    daily = _rows(client.get("/admin/platform-analytics/?export=daily"))
    assert daily[-1] == [timezone.localdate().isoformat(), "3", "2"]
    # Super admins have no tenant dashboard of their own.
    assert client.get("/admin/analytics/").status_code == 302


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MARKETER, Role.PATIENT])
def test_only_tenant_admins_and_super_admins_reach_the_dashboards(client, tenant_a, make_user, role):
    user = make_user(tenant_a, role, email=f"{role.lower()}@alpha.example")
    client.force_login(user)
    for url in ("/admin/analytics/", "/admin/analytics/?export=daily", "/admin/platform-analytics/"):
        assert client.get(url).status_code in (302, 404), url


def test_tenant_admins_never_reach_the_platform_dashboard(client, tenant_a, tenant_b, make_user):
    _seed_bravo(tenant_b)
    client.force_login(make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example"))
    for url in ("/admin/platform-analytics/", "/admin/platform-analytics/?export=tenants"):
        response = client.get(url)
        assert response.status_code == 404 and b"Bravo" not in response.content
    menu = client.get("/admin/").content.decode()
    assert "/admin/analytics/" in menu and "/admin/platform-analytics/" not in menu


def test_dashboards_cost_the_same_queries_however_much_data(
    client, tenant_a, tenant_b, make_tenant, make_user
):
    _seed_alpha(tenant_a)
    admin = make_user(tenant_a, Role.TENANT_ADMIN, email="boss@alpha.example")
    root = make_user(None, Role.SUPER_ADMIN, email="root@platform.example")

    def cost(user, url) -> int:
        client.force_login(user)
        client.get(url)  # warm: menus, settings
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = (cost(admin, "/admin/analytics/"), cost(root, "/admin/platform-analytics/"))
    with tenant_scope(tenant_a):
        for n in range(5):
            _order(tenant_a, f"MORE-{n}", "5.00", lines=[(f"Extra {n}", 1, "5.00"), ("Alpha Kush", 1, "1")])
            PageViewDay.objects.create(
                date=timezone.localdate() - timedelta(days=n), path=f"/p{n}/", views=n + 1
            )
    _seed_bravo(tenant_b)
    make_tenant("charlie", "Charlie Care")
    after = (cost(admin, "/admin/analytics/"), cost(root, "/admin/platform-analytics/"))
    assert after == before


def test_beat_moves_buffered_views_into_the_database_every_minute(settings, tenant_a):
    from analytics.tasks import flush_page_views_task
    from analytics.tracking import record_page_view

    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "analytics.flush_page_views"
    )
    assert entry["schedule"] == 60.0
    record_page_view(tenant_a, "/products/")
    record_page_view(tenant_a, "/products/")

    assert flush_page_views_task.name == "analytics.flush_page_views"
    assert flush_page_views_task.delay().get() == 2
    with tenant_scope(tenant_a):
        assert list(PageViewDay.objects.values_list("path", "views")) == [("/products/", 2)]


def test_csv_cells_that_a_spreadsheet_would_run_stay_text():
    from analytics.admin_views import _csv

    response = _csv("x", ["product"], [['=HYPERLINK("http://evil")'], ["@SUM(A1)"], ["Plain Kush"]])
    assert _rows(response)[1:] == [['\'=HYPERLINK("http://evil")'], ["'@SUM(A1)"], ["Plain Kush"]]
