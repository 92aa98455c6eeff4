"""Demo dispensaries and accounts for `make run`; safe to run again."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from budstack import demo_content as demo
from commerce.traceability.demo import seed_batches
from integrations.drgreen.credentials import generate_credentials
from integrations.models import DrGreenCredentials
from sites.context import platform_scope, tenant_scope
from sites.models import Branding, Role, Tenant, User
from sites.provisioning import TenantSpec, add_staff, provision_tenant

# What each demo dispensary pays for (billing.Plan slugs).
DEMO_PLANS = {"healingbuds": "professional", "greenleaf": "starter"}


class Command(BaseCommand):
    help = "Create the demo dispensaries, accounts and content (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo publishes known passwords; it only runs with DEBUG on.")
        steps = len(demo.TENANTS) * 2 + 2
        step = 0

        def progress(message: str) -> None:
            nonlocal step
            step += 1
            bar = "#" * step + "." * (steps - step)
            self.stdout.write(f"[{bar}] {step}/{steps} {message}")

        tenants = {}
        for spec in demo.TENANTS:
            tenants[spec["slug"]] = self._tenant(spec)
            progress(f"tenant {spec['slug']}")
        with platform_scope("seed demo accounts"):
            self._accounts(tenants)
        progress("accounts")
        self._billing(tenants)
        for slug, tenant in tenants.items():
            with tenant_scope(tenant):
                self._content(tenant)
            progress(f"content of {slug}")
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))

    def _tenant(self, spec: dict) -> Tenant:
        tenant = Tenant.objects.filter(slug=spec["slug"]).first()
        if tenant is None:
            tenant = provision_tenant(
                TenantSpec(
                    spec["slug"], spec["name"], spec["country"], spec["theme"], f"owner@{spec['slug']}.test"
                )
            ).tenant
        with tenant_scope(tenant):
            primary, accent = spec["colours"]
            Branding.objects.update_or_create(
                tenant=tenant,
                defaults={"tagline": spec["tagline"], "primary_colour": primary, "accent_colour": accent},
            )
            # Its own Dr. Green key pair: the fake server of `make run` (DRGREEN_API_URL)
            # accepts any well-signed key and keeps each key's patients and orders apart.
            if not DrGreenCredentials.objects.filter(tenant=tenant).exists():
                generate_credentials(tenant)
        return tenant

    @transaction.atomic
    def _billing(self, tenants: dict[str, Tenant]) -> None:
        """Plans as a paying dispensary would have them, last month paid, this month due.

        A plan a super admin has since changed is left alone. The demo content stays well
        within the Starter limits (greenleaf: one admin, one patient, a dozen products).
        """
        from billing.invoicing import issue_invoice, mark_paid
        from billing.models import Plan

        for slug, tenant in tenants.items():
            with platform_scope("seed demo plans"):
                if tenant.plan_id is None:
                    tenant.plan = Plan.objects.get(slug=DEMO_PLANS[slug])
                    tenant.save(update_fields=["plan"])
            today = timezone.localdate()
            last_month = issue_invoice(tenant, (today.replace(day=1) - timedelta(days=1)).replace(day=1))
            with tenant_scope(tenant):
                mark_paid(last_month, reference="DEMO-TRANSFER")
            issue_invoice(tenant, today)
        self.stdout.write("  plans: " + ", ".join(f"{slug} {t.plan}" for slug, t in tenants.items()))

    @transaction.atomic
    def _accounts(self, tenants: dict[str, Tenant]) -> None:
        from kyc.models import PatientProfile

        for email, role, slug in demo.ACCOUNTS:
            tenant = tenants.get(slug)
            user = User.objects.filter(email=email, tenant=tenant).first()
            if user is None:
                if role == Role.SUPER_ADMIN:
                    user = User.objects.create_superuser(email)
                elif role == Role.PATIENT:
                    user = User.objects.create_user(email, role=role, tenant=tenant)
                else:
                    user = add_staff(tenant, email, role)
            local = email.split("@")[0]
            user.first_name = user.first_name or local.capitalize()
            user.last_name = user.last_name or (tenant.name if tenant else "BudStack")
            user.is_demo = True
            user.set_password(demo.PASSWORD)
            user.save()
            if role == Role.PATIENT:
                status = demo.PATIENT_KYC[email]
                profile, _ = PatientProfile.objects.update_or_create(
                    user=user, tenant=tenant, defaults={"kyc_status": status}
                )
                self._consultation(profile, tenant, verified=status == "VERIFIED")

    def _consultation(self, profile, tenant: Tenant, *, verified: bool) -> None:
        """Demo patients have submitted a consultation that matches their status."""
        from django.utils import timezone

        from kyc.models import ConsultationSubmission

        if ConsultationSubmission.objects.filter(user=profile.user).exists():
            return
        submission = ConsultationSubmission(user=profile.user, tenant=tenant, version=1)
        submission.answers = demo.consultation_answers(profile.user, tenant.country_code)
        submission.save()
        profile.submitted_at = timezone.now()
        profile.kyc_verified = verified
        if verified:
            profile.monthly_allowance_grams = demo.PATIENT_ALLOWANCE_GRAMS
        else:
            # Not registered with Dr. Green yet: the background sweep registers it when
            # the worker runs (the fake server of `make run` answers it).
            profile.next_registration_at = timezone.now()
        profile.save()

    def _content(self, tenant: Tenant) -> None:
        from commerce.models import Product
        from pages.models import (
            AboutPage,
            ArticleCategory,
            ArticlePage,
            ConditionPage,
            ConditionsIndexPage,
            HomeFeaturedCondition,
            StorefrontSettings,
            WireIndexPage,
        )

        currency = {"GB": "GBP"}.get(tenant.country_code, "EUR")
        for row in demo.product_rows():
            Product.objects.update_or_create(
                tenant=tenant,
                sku=row.pop("sku"),
                defaults={**row, "slug": slugify(row["name"]), "currency": currency,
                          "description": f"{row['name']}: {row['strain_type']} {row['form']} from our licensed supplier."},
            )  # fmt: skip
        home = tenant.site.root_page.specific
        settings_row = StorefrontSettings.objects.get(tenant=tenant)
        settings_row.age_gate_enabled = True
        settings_row.save()
        conditions = ConditionsIndexPage.objects.child_of(home).first()
        for slug, title, summary, symptoms, evidence, notes, skus in demo.CONDITIONS:
            page = ConditionPage.objects.child_of(conditions).filter(slug=slug).first()
            if page is None:
                page = conditions.add_child(
                    instance=ConditionPage(
                        title=title, slug=slug, summary=summary, symptoms=symptoms,
                        evidence_level=evidence, evidence_notes=f"<p>{notes}</p>",
                    )
                )  # fmt: skip
                page.related_products.set(Product.objects.filter(sku__in=skus))
                page.save_revision().publish()
        categories = {
            slug: ArticleCategory.objects.get_or_create(tenant=tenant, slug=slug, defaults={"name": name})[0]
            for slug, name in demo.CATEGORIES
        }
        wire = WireIndexPage.objects.child_of(home).first()
        today = timezone.localdate()
        for days_ago, (slug, title, intro, category, tags, condition_slugs, paragraphs) in enumerate(
            demo.ARTICLES, start=1
        ):
            if ArticlePage.objects.child_of(wire).filter(slug=slug).exists():
                continue
            page = wire.add_child(
                instance=ArticlePage(
                    title=title, slug=slug, intro=intro, date=today - timedelta(days=days_ago * 7),
                    author_name="The pharmacy team", category=categories[category],
                    body=[("paragraph", f"<p>{text}</p>") for text in paragraphs],
                )
            )  # fmt: skip
            page.tags.set(tags)
            page.conditions.set(ConditionPage.objects.child_of(conditions).filter(slug__in=condition_slugs))
            page.save_revision().publish()
        if not home.trust_notices:
            home.trust_notices = [("notice", {"title": t, "text": text}) for t, text in demo.TRUST_NOTICES]
            for order, condition in enumerate(
                ConditionPage.objects.child_of(conditions).order_by("title")[:3]
            ):
                home.featured_conditions.add(HomeFeaturedCondition(condition=condition, sort_order=order))
            home.save_revision().publish()
        about = AboutPage.objects.child_of(home).first()
        if not about.body:
            about.body = [("paragraph", f"<p>{text}</p>") for text in demo.ABOUT_STORY]
            about.save_revision().publish()
        slug, title, intro = demo.SCHEDULED_ARTICLE
        if not ArticlePage.objects.child_of(wire).filter(slug=slug).exists():
            go_live = timezone.now() + timedelta(days=7)
            page = wire.add_child(
                instance=ArticlePage(title=title, slug=slug, intro=intro, date=go_live.date(), live=False)
            )
            page.go_live_at = go_live
            page.save_revision().publish()
        seed_batches(tenant)
