"""Bank transfer: the invoice shows the platform's bank details and a reference; a super
admin marks the invoice paid in the admin when the money arrives."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from billing.models import Invoice

from .base import PaymentProvider, PaymentRequest


class ManualBankTransferProvider(PaymentProvider):
    name = "manual"
    label = "Bank transfer"

    def create_payment(self, invoice: Invoice) -> PaymentRequest:
        bank = {label: value for label, value in settings.BILLING_BANK_DETAILS.items() if value}
        lines = [f"{label}: {value}" for label, value in bank.items()]
        lines.append(f"Reference: {invoice.number}")
        return PaymentRequest(
            provider=self.name,
            reference=invoice.number,
            instructions="Pay by bank transfer to:\n" + "\n".join(lines),
            details={**bank, "Reference": invoice.number},
        )

    def handle_callback(self, request: HttpRequest) -> Invoice | None:
        # No notifications: payments are confirmed by hand (billing.invoicing.mark_paid).
        return None
