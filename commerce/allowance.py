"""A patient's prescribed allowance: grams of flower equivalent over a rolling 30 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Allowance:
    limit: Decimal | None  # None: no allowance set yet, so nothing may be ordered
    used: Decimal

    @property
    def remaining(self) -> Decimal:
        if self.limit is None:
            return Decimal("0")
        return max(self.limit - self.used, Decimal("0"))

    def allows(self, grams: Decimal) -> bool:
        return self.limit is not None and grams <= self.remaining


class AllowanceExceeded(Exception):
    def __init__(self, allowance: Allowance, wanted: Decimal):
        self.allowance, self.wanted = allowance, wanted
        if allowance.limit is None:
            message = "No prescribed allowance is set for your account yet; the pharmacy team sets it."
        else:
            message = (
                f"This order is {wanted:.1f} g of flower equivalent, but only "
                f"{allowance.remaining:.1f} g of your {allowance.limit:.1f} g allowance "
                "remain for the last 30 days."
            )
        super().__init__(message)


_UNREAD = object()


def allowance_for(user, profile=_UNREAD) -> Allowance:
    """The allowance and what the patient's orders of the last 30 days have used of it.

    ``profile``: the user's PatientProfile (or None) when the caller has read it already.
    """
    from commerce.models import Order, OrderStatus
    from kyc.models import PatientProfile

    if profile is _UNREAD:
        profile = PatientProfile.objects.filter(user=user).first()
    limit = profile.monthly_allowance_grams if profile else None
    used = (
        Order.objects.filter(user=user, created_at__gte=timezone.now() - WINDOW)
        .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
        .aggregate(total=Sum("flower_grams"))["total"]
    )
    return Allowance(limit=limit, used=used or Decimal("0"))


def check_allowance(user, grams: Decimal, profile=_UNREAD) -> Allowance:
    allowance = allowance_for(user, profile)
    if not allowance.allows(grams):
        raise AllowanceExceeded(allowance, grams)
    return allowance
