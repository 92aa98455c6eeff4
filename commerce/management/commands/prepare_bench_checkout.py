"""Buyers for the checkout race of `make bench` (bench-only; idempotent).

On one tenant of the bench dataset (``generate_bench_data`` first) it makes sure there are
``--buyers`` KYC-verified patients with a signed-in session each, and one contested
product, then resets the round: the product's stock is set to ``--stock`` and every
buyer's cart holds exactly one unit of it. Rerunning it adds no users, profiles or cart
lines; it only resets stock and carts, which is what the benchmark does between rounds.

Prints JSON on stdout for the driver (bench/bench.py): the session cookie of each buyer,
the product id and its stock. Sessions are created here, as ``django.contrib.auth.login``
would write them, instead of signing in over HTTP: 50 Argon2 verifications per run would
measure the password hasher, not checkout. Session keys are derived from SECRET_KEY, so a
rerun with the same key replaces the same sessions and nobody can guess them without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from commerce.models import CartItem, Product
from kyc.models import PatientProfile
from pages.views import age_session_key
from sites.context import platform_scope, tenant_scope
from sites.models import Role, Tenant, User

SKU = "BENCH-CHECKOUT"
PASSWORD = "bench-checkout-password"  # noqa: S105 - bench-only accounts on a throwaway database
# Far above what the rounds of any number of runs order (1 g per order), so the race is
# about stock only: the allowance check still runs on every order.
ALLOWANCE_GRAMS = Decimal("10000")
AUTH_BACKEND = "sites.auth_backends.TenantEmailBackend"


def buyer_email(tenant: Tenant, number: int) -> str:
    return f"bench-buyer-{number:03d}@{tenant.slug}.test"


def session_key_for(email: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"bench-checkout:{email}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class Command(BaseCommand):
    help = "Bench only: verified patients with a session and one contested product in their carts."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="slug of a bench tenant, e.g. bench-025")
        parser.add_argument("--buyers", type=int, default=50)
        parser.add_argument("--stock", type=int, default=30, help="units of the contested product")

    def handle(self, *args, tenant: str, buyers: int, stock: int, **options):
        if buyers < 1 or stock < 0:
            raise CommandError("--buyers must be at least 1 and --stock at least 0.")
        with platform_scope("bench checkout: find tenant"):
            found = Tenant.objects.filter(slug=tenant).select_related("site").first()
        if found is None:
            raise CommandError(f"No tenant “{tenant}”: run generate_bench_data first.")
        users = self._buyers(found, buyers)
        with tenant_scope(found), transaction.atomic():
            product = self._product(found, stock)
            self._carts(found, users, product)
        sessions = self._sessions(found, users)
        self.stdout.write(
            json.dumps(
                {
                    "tenant": found.slug,
                    "product_id": product.pk,
                    "stock": stock,
                    "session_cookie": settings.SESSION_COOKIE_NAME,
                    "csrf_cookie": settings.CSRF_COOKIE_NAME,
                    "buyers": [
                        {"email": user.email, "session": key}
                        for user, key in zip(users, sessions, strict=True)
                    ],
                }
            )
        )

    def _buyers(self, tenant: Tenant, count: int) -> list[User]:
        emails = [buyer_email(tenant, number) for number in range(count)]
        # The tenant's own scope, as the storefront's sign-up has it: no platform bypass needed.
        with tenant_scope(tenant), transaction.atomic():
            existing = {u.email: u for u in User.objects.filter(email__in=emails)}
            missing = [email for email in emails if email not in existing]
            if missing:
                # One Argon2 hash for all of them (the salt is in the hash): 50 would take seconds.
                password = make_password(PASSWORD)
                for email in missing:
                    user = User(email=email, tenant=tenant, role=Role.PATIENT, first_name="Bench")
                    user.password = password
                    user.save()
                    existing[email] = user
            users = [existing[email] for email in emails]
            have = set(PatientProfile.objects.filter(user__in=users).values_list("user_id", flat=True))
            PatientProfile.objects.bulk_create(
                [PatientProfile(tenant=tenant, user=user) for user in users if user.pk not in have]
            )
            PatientProfile.objects.filter(user__in=users).update(
                kyc_status="VERIFIED", kyc_verified=True, monthly_allowance_grams=ALLOWANCE_GRAMS
            )
        return users

    def _product(self, tenant: Tenant, stock: int) -> Product:
        product, _ = Product.objects.update_or_create(
            tenant=tenant,
            sku=SKU,
            defaults={
                "name": "Bench Last Batch",
                "slug": "bench-last-batch",
                "strain_type": Product.StrainType.HYBRID,
                "form": Product.Form.FLOWER,
                "price": Decimal("12.50"),
                "currency": "GBP",
                "stock": stock,
                "available_countries": tenant.country_code,
                "is_published": True,
                "publish_at": None,
                "unpublish_at": None,
                "flower_equivalent_grams": Decimal("1"),
                "description": "The product fifty bench patients race for.",
            },
        )
        return product

    def _carts(self, tenant: Tenant, users: list[User], product: Product) -> None:
        CartItem.objects.filter(user__in=users).delete()
        CartItem.objects.bulk_create(
            [CartItem(tenant=tenant, user=user, product=product, quantity=1) for user in users]
        )

    def _sessions(self, tenant: Tenant, users: list[User]) -> list[str]:
        keys = [session_key_for(user.email) for user in users]
        Session.objects.filter(session_key__in=keys).delete()
        expiry = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        rows = []
        for user, key in zip(users, keys, strict=True):
            # What login() stores, plus the age check a patient passed on the way in.
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: AUTH_BACKEND,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                age_session_key(tenant): True,
            }
            rows.append(
                Session(session_key=key, session_data=SessionStore().encode(data), expire_date=expiry)
            )
        Session.objects.bulk_create(rows)
        return keys
