"""The analytics dashboards in the Wagtail admin, and their CSV exports.

``/admin/analytics/`` is a tenant admin's view of their own dispensary (scoped by the
request's tenant scope and RLS beneath it); ``/admin/platform-analytics/`` is the super
admins' view of the whole platform. Anyone else is told nothing: a 404.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from budstack.cache import UNAVAILABLE
from sites.admin_scoping import is_unrestricted, staff_tenant
from sites.models import Role

from . import charts
from .metrics import RANGES, Period, platform_dashboard, tenant_dashboard
from .tracking import flush_page_views

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_tenant_admin(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and not is_unrestricted(user)
        and user.role == Role.TENANT_ADMIN
        and staff_tenant(user) is not None
    )


def _cell(value) -> object:
    # A product name such as "=HYPERLINK(...)" must stay text in a spreadsheet.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def _flush() -> None:
    # Figures include views counted up to now, even where no beat runs (make run).
    with contextlib.suppress(*UNAVAILABLE):
        flush_page_views()


def _hours(wait) -> str:
    return "" if wait is None else f"{wait.total_seconds() / 3600:.1f}"


def tenant_analytics(request: HttpRequest) -> HttpResponse:
    if is_unrestricted(request.user):
        return redirect("analytics_admin:platform")
    if not is_tenant_admin(request.user):
        raise Http404("Not found")
    tenant = staff_tenant(request.user)
    period = Period.last(request.GET.get("range"))
    _flush()
    data = tenant_dashboard(period, tenant)
    stem = f"analytics-{tenant.slug}-{period.days}d"
    export = request.GET.get("export")
    if export == "daily":
        rows = zip(
            data.orders.points,
            data.revenue.points,
            data.consultations.points,
            data.page_views.points,
            strict=True,
        )
        return _csv(
            f"{stem}-daily",
            ["date", "orders", "revenue", "consultations", "page_views"],
            ((o[0].isoformat(), o[1], _money(r[1]), c[1], v[1]) for o, r, c, v in rows),
        )
    if export == "products":
        return _csv(
            f"{stem}-top-products",
            ["product", "sku", "quantity", "orders", "revenue"],
            (
                (p["product_name"], p["sku"], p["quantity"], p["orders"], _money(p["revenue"]))
                for p in data.products
            ),
        )
    if export == "funnel":
        return _csv(f"{stem}-kyc-funnel", ["stage", "patients"], data.funnel.items())
    if export == "pages":
        return _csv(f"{stem}-top-pages", ["path", "views"], ((p["path"], p["views"]) for p in data.pages))
    if export:
        raise Http404("Not found")
    return TemplateResponse(
        request,
        "analytics/tenant_dashboard.html",
        {
            "tenant": tenant,
            "data": data,
            "ranges": RANGES,
            "kyc_hours": _hours(data.kyc_wait),
            "charts": [
                ("Orders per day", charts.bar_chart(data.orders)),
                (
                    f"Revenue per day ({data.currency or 'all currencies'})",
                    charts.bar_chart(data.revenue, "#2e5c8a"),
                ),
                ("Consultations per day", charts.bar_chart(data.consultations, "#8a5a2e")),
                ("Page views per day", charts.bar_chart(data.page_views, "#5a2e8a")),
            ],
        },
    )


def platform_analytics(request: HttpRequest) -> HttpResponse:
    if not is_unrestricted(request.user):
        raise Http404("Not found")
    period = Period.last(request.GET.get("range"))
    _flush()
    data = platform_dashboard(period)
    stem = f"platform-analytics-{period.days}d"
    export = request.GET.get("export")
    if export == "daily":
        return _csv(
            f"{stem}-daily",
            ["date", "orders", "consultations"],
            (
                (o[0].isoformat(), o[1], c[1])
                for o, c in zip(data.orders.points, data.consultations.points, strict=True)
            ),
        )
    if export == "tenants":
        return _csv(
            f"{stem}-tenants",
            ["tenant", "slug", "status", "plan", "orders", "revenue", "patients", "products", "page_views"],
            (
                (t.name, t.slug, t.status, t.plan.name if t.plan else "", t.orders, _money(t.revenue), t.patients,
                 t.products, t.page_views)
                for t in data.usage
            ),
        )  # fmt: skip
    if export:
        raise Http404("Not found")
    return TemplateResponse(
        request,
        "analytics/platform_dashboard.html",
        {
            "data": data,
            "ranges": RANGES,
            "kyc_hours": _hours(data.kyc_wait),
            "charts": [
                ("Orders per day, all tenants", charts.bar_chart(data.orders)),
                ("Consultations per day, all tenants", charts.bar_chart(data.consultations, "#8a5a2e")),
            ],
        },
    )
