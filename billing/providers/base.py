"""The payment-provider interface: how a tenant pays an invoice."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.http import HttpRequest

from billing.models import Invoice


@dataclass
class PaymentRequest:
    """What the invoice page shows the payer: instructions and/or a link to pay."""

    provider: str
    reference: str
    instructions: str = ""
    url: str = ""
    details: dict[str, str] = field(default_factory=dict)


class PaymentProvider(ABC):
    """Subclass per provider; selected by the BILLING_PROVIDER setting."""

    name = "base"
    label = "Payment"

    @abstractmethod
    def create_payment(self, invoice: Invoice) -> PaymentRequest:
        """How to pay ``invoice``: instructions, a link, or both."""

    @abstractmethod
    def handle_callback(self, request: HttpRequest) -> Invoice | None:
        """Verify a provider's notification and record the payment; the paid invoice or None."""
