"""The figures of the analytics dashboards, each one aggregate query (no per-row queries).

Definitions (also in the README, "Analytics"):

- *orders*: orders placed in the period, whatever their status; *revenue*: the totals of
  those orders, less cancelled and refunded ones.
- *consultations*: questionnaires submitted (a resubmission counts again).
- *page views*: HTML pages of the storefront served with a 200 (cached or not).
- *conversion*: orders per consultation, and orders per 100 page views.
- *KYC funnel*: patients who *started* the questionnaire in the period (an open draft
  touched in it, or a submission in it), who *submitted* it in the period, and of those
  who are now *verified* or *rejected*.
- *KYC verification time*: from a patient's submission to the audit entry that moved
  them to VERIFIED, averaged over the verifications of the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from billing.metrics import mrr
from commerce.models import Order, OrderLine, OrderStatus, Product
from kyc.models import ConsultationDraft, ConsultationSubmission, KycStatus, PatientProfile
from onboarding.models import TenantApplication
from sites.models import AuditLogEntry, Role, Tenant, User

from .models import PageViewDay

RANGES = (7, 30, 90)
DEFAULT_RANGE = 30
NOT_REVENUE = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)


@dataclass(frozen=True)
class Period:
    """The last ``days`` days, today included."""

    days: int
    end: date

    @classmethod
    def last(cls, days: int | str | None) -> Period:
        try:
            days = int(days)
        except (TypeError, ValueError):
            days = DEFAULT_RANGE
        return cls(days if days in RANGES else DEFAULT_RANGE, timezone.localdate())

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


@dataclass
class Series:
    """Values per day of a period, zero-filled."""

    label: str
    points: list[tuple[date, Decimal | int]] = field(default_factory=list)

    @property
    def total(self) -> Decimal | int:
        return sum((value for _, value in self.points), 0)


def _by_day(period: Period, rows, key: str, value: str, label: str) -> Series:
    found = {row[key]: row[value] or 0 for row in rows}
    return Series(label, [(day, found.get(day, 0)) for day in period.dates()])


def _orders(tenant: Tenant | None) -> QuerySet:
    orders = Order.objects.all()
    return orders.filter(tenant=tenant) if tenant is not None else orders


def orders_per_day(period: Period, tenant: Tenant | None = None) -> tuple[Series, Series]:
    """Orders and revenue per day (all tenants when ``tenant`` is None: platform scope)."""
    rows = (
        _orders(tenant)
        .filter(created_at__gte=period.since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(orders=Count("pk"), revenue=Sum("total", filter=~Q(status__in=NOT_REVENUE)))
        .order_by("day")
    )
    rows = list(rows)
    return (
        _by_day(period, rows, "day", "orders", "Orders"),
        _by_day(period, rows, "day", "revenue", "Revenue"),
    )


def consultations_per_day(period: Period, tenant: Tenant | None = None) -> Series:
    submissions = ConsultationSubmission.objects.filter(submitted_at__gte=period.since)
    if tenant is not None:
        submissions = submissions.filter(tenant=tenant)
    rows = (
        submissions.annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    return _by_day(period, rows, "day", "count", "Consultations")


def page_views_per_day(period: Period, tenant: Tenant) -> Series:
    rows = (
        PageViewDay.objects.filter(tenant=tenant, date__gte=period.start)
        .values("date")
        .annotate(views=Sum("views"))
        .order_by("date")
    )
    return _by_day(period, rows, "date", "views", "Page views")


def top_pages(period: Period, tenant: Tenant, limit: int = 10) -> list[dict]:
    return list(
        PageViewDay.objects.filter(tenant=tenant, date__gte=period.start)
        .values("path")
        .annotate(views=Sum("views"))
        .order_by("-views", "path")[:limit]
    )


def top_products(period: Period, tenant: Tenant, limit: int = 10) -> list[dict]:
    return list(
        OrderLine.objects.filter(tenant=tenant, order__created_at__gte=period.since)
        .exclude(order__status__in=NOT_REVENUE)
        .values("product_name", "sku")
        .annotate(quantity=Sum("quantity"), revenue=Sum("line_total"), orders=Count("order", distinct=True))
        .order_by("-quantity", "-revenue", "product_name")[:limit]
    )


def kyc_funnel(period: Period, tenant: Tenant) -> dict[str, int]:
    submitted_users = ConsultationSubmission.objects.filter(
        tenant=tenant, submitted_at__gte=period.since
    ).values("user_id")
    drafting = set(
        ConsultationDraft.objects.filter(tenant=tenant, updated_at__gte=period.since).values_list(
            "user_id", flat=True
        )
    )
    outcome = PatientProfile.objects.filter(tenant=tenant, user_id__in=submitted_users).aggregate(
        submitted=Count("pk"),
        verified=Count("pk", filter=Q(kyc_status=KycStatus.VERIFIED)),
        rejected=Count("pk", filter=Q(kyc_status=KycStatus.REJECTED)),
        submitters=Count("pk", filter=Q(user_id__in=drafting)),
    )
    # A patient who submitted and has a new draft open is counted once.
    started = outcome["submitted"] + len(drafting) - outcome["submitters"]
    return {
        "started": started,
        "submitted": outcome["submitted"],
        "verified": outcome["verified"],
        "rejected": outcome["rejected"],
        "pending": outcome["submitted"] - outcome["verified"] - outcome["rejected"],
    }


def average_kyc_verification(period: Period, tenant: Tenant | None = None) -> timedelta | None:
    """Mean time from submission to verification, over verifications in the period."""
    entries = AuditLogEntry.objects.filter(
        action="kyc.status_changed",
        object_type="kyc.patientprofile",
        data__to=KycStatus.VERIFIED,
        created_at__gte=period.since,
    )
    if tenant is not None:
        entries = entries.filter(tenant=tenant)
    submitted = PatientProfile.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField())).values(
        "submitted_at"
    )[:1]
    pairs = entries.annotate(submitted=Subquery(submitted)).values_list("created_at", "submitted")
    waits = [verified - sent for verified, sent in pairs if sent is not None and verified >= sent]
    if not waits:
        return None
    return sum(waits, timedelta()) / len(waits)


def _ratio(part: int | Decimal, whole: int | Decimal, scale: int = 1) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(Decimal("0.01"))


@dataclass
class TenantDashboard:
    period: Period
    orders: Series
    revenue: Series
    consultations: Series
    page_views: Series
    funnel: dict[str, int]
    products: list[dict]
    pages: list[dict]
    kyc_wait: timedelta | None
    currency: str

    @property
    def orders_per_consultation(self) -> Decimal | None:
        return _ratio(self.orders.total, self.consultations.total)

    @property
    def orders_per_100_views(self) -> Decimal | None:
        return _ratio(self.orders.total, self.page_views.total, 100)


def tenant_dashboard(period: Period, tenant: Tenant) -> TenantDashboard:
    orders, revenue = orders_per_day(period, tenant)
    currency = _orders(tenant).order_by("-created_at").values_list("currency", flat=True).first() or ""
    return TenantDashboard(
        period=period,
        orders=orders,
        revenue=revenue,
        consultations=consultations_per_day(period, tenant),
        page_views=page_views_per_day(period, tenant),
        funnel=kyc_funnel(period, tenant),
        products=top_products(period, tenant),
        pages=top_pages(period, tenant),
        kyc_wait=average_kyc_verification(period, tenant),
        currency=currency,
    )


# --- platform (super admins, platform scope) -------------------------------------------


def new_applications(period: Period) -> int:
    """Onboarding applications received in the period."""
    return TenantApplication.objects.filter(submitted_at__gte=period.since).count()


def _count(queryset: QuerySet) -> Subquery:
    counted = queryset.filter(tenant=OuterRef("pk")).order_by().values("tenant").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), Value(0))


def tenant_usage(period: Period) -> list[Tenant]:
    """Every tenant with its orders and page views of the period, patients and products."""
    views = (
        PageViewDay.objects.filter(tenant=OuterRef("pk"), date__gte=period.start)
        .order_by()
        .values("tenant")
        .annotate(n=Sum("views"))
    )
    revenue = (
        Order.objects.filter(tenant=OuterRef("pk"), created_at__gte=period.since)
        .exclude(status__in=NOT_REVENUE)
        .order_by()
        .values("tenant")
        .annotate(n=Sum("total"))
    )
    return list(
        Tenant.objects.select_related("plan")
        .annotate(
            orders=_count(Order.objects.filter(created_at__gte=period.since)),
            revenue=Coalesce(
                Subquery(revenue.values("n")[:1], output_field=DecimalField(max_digits=14, decimal_places=2)),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
            patients=_count(User.objects.filter(role=Role.PATIENT)),
            products=_count(Product.objects.all()),
            page_views=Coalesce(Subquery(views.values("n")[:1], output_field=IntegerField()), Value(0)),
        )
        .order_by("name")
    )


@dataclass
class PlatformDashboard:
    period: Period
    active_tenants: int
    tenants: int
    mrr: Decimal
    new_applications: int
    orders: Series
    consultations: Series
    kyc_wait: timedelta | None
    usage: list[Tenant]


def platform_dashboard(period: Period) -> PlatformDashboard:
    counts = Tenant.objects.aggregate(
        tenants=Count("pk"), active=Count("pk", filter=Q(status=Tenant.Status.ACTIVE))
    )
    orders, _ = orders_per_day(period)
    return PlatformDashboard(
        period=period,
        active_tenants=counts["active"],
        tenants=counts["tenants"],
        mrr=mrr(),
        new_applications=new_applications(period),
        orders=orders,
        consultations=consultations_per_day(period),
        kyc_wait=average_kyc_verification(period),
        usage=tenant_usage(period),
    )
