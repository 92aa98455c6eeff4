"""Payment providers behind one interface; BILLING_PROVIDER picks one (default: manual)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import PaymentProvider, PaymentRequest
from .manual import ManualBankTransferProvider

__all__ = ["ManualBankTransferProvider", "PaymentProvider", "PaymentRequest", "get_provider"]


def get_provider() -> PaymentProvider:
    name = settings.BILLING_PROVIDER
    if name == "manual":
        return ManualBankTransferProvider()
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    raise ImproperlyConfigured(f"Unknown BILLING_PROVIDER {name!r}: use manual or stripe.")
