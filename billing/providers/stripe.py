"""Stripe Checkout, optional: used only when the ``stripe`` package is installed and
STRIPE_SECRET_KEY is set (BILLING_PROVIDER=stripe). Not a dependency of BudStack."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from billing.models import Invoice

from .base import PaymentProvider, PaymentRequest


class StripeProvider(PaymentProvider):
    name = "stripe"
    label = "Card (Stripe)"

    def __init__(self) -> None:
        try:
            import stripe
        except ImportError as error:
            raise ImproperlyConfigured(
                "BILLING_PROVIDER=stripe needs the stripe package installed."
            ) from error
        if not settings.STRIPE_SECRET_KEY:
            raise ImproperlyConfigured("BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY.")
        self.stripe = stripe
        self.stripe.api_key = settings.STRIPE_SECRET_KEY

    def create_payment(self, invoice: Invoice) -> PaymentRequest:
        session = self.stripe.checkout.Session.create(
            mode="payment",
            client_reference_id=invoice.number,
            line_items=[
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": invoice.currency.lower(),
                        "unit_amount": int(invoice.amount * 100),
                        "product_data": {"name": f"BudStack {invoice.plan_name} — {invoice.number}"},
                    },
                }
            ],
            success_url=settings.WAGTAILADMIN_BASE_URL,
            cancel_url=settings.WAGTAILADMIN_BASE_URL,
        )
        return PaymentRequest(provider=self.name, reference=invoice.number, url=session.url)

    def handle_callback(self, request: HttpRequest) -> Invoice | None:
        from billing.invoicing import mark_paid
        from sites.context import platform_scope

        event = self.stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature", ""), settings.STRIPE_WEBHOOK_SECRET
        )
        if event["type"] != "checkout.session.completed":
            return None
        session = event["data"]["object"]
        with platform_scope("stripe payment callback"):
            invoice = (
                Invoice.objects.select_related("tenant").filter(number=session["client_reference_id"]).first()
            )
            if invoice is not None:
                mark_paid(invoice, reference=session.get("payment_intent") or session["id"])
        return invoice
