"""Patients' verification state and the consultation page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from pages.models.base import StorefrontPage
from sites.models import TenantScopedModel


class KycStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    VERIFIED = "VERIFIED", "Verified"
    REJECTED = "REJECTED", "Rejected"


class PatientProfile(TenantScopedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_profile"
    )
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.PENDING)
    drgreen_client_id = models.CharField(max_length=64, blank=True)
    kyc_link = models.URLField(blank=True)
    # Prescribed monthly allowance in grams of flower equivalent over a rolling 30 days;
    # empty means none set yet, and checkout refuses until staff set one.
    monthly_allowance_grams = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Grams of flower equivalent a patient may order over a rolling 30 days.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_kyc_status_display()})"

    @property
    def is_verified(self) -> bool:
        return self.kyc_status == KycStatus.VERIFIED


class ConsultationPage(RoutablePageMixin, StorefrontPage):
    """The medical consultation; the 5-step questionnaire arrives with the KYC work."""

    intro = RichTextField(blank=True)

    content_panels = StorefrontPage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    @path("")
    def index(self, request):
        return self.render(request)

    @path("success/")
    def success(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="storefront:login")
        profile = PatientProfile.objects.filter(user=request.user).first()
        return self.render(
            request,
            template="kyc/consultation_success.html",
            context_overrides={"profile": profile},
        )
