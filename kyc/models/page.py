"""The consultation page: the 5-step questionnaire, its wording editable by editors."""

from __future__ import annotations

from django.db import models

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from pages.models.base import StorefrontPage

STEP_DEFAULTS = {
    1: ("Your details", "Your name, date of birth and how we can reach you."),
    2: ("Your address", "Where you live and where your prescription will be delivered."),
    3: ("Your conditions", "What you would like treatment for, and for how long you have had it."),
    4: (
        "Your medical history",
        "Medicines you take, treatments you have tried, and conditions we must know about.",
    ),
    5: ("Consents and review", "Check your answers and confirm before you submit."),
}


def _title(n: int) -> models.CharField:
    return models.CharField(f"step {n} title", max_length=120, default=STEP_DEFAULTS[n][0])


def _help(n: int) -> models.TextField:
    return models.TextField(f"step {n} help text", blank=True, default=STEP_DEFAULTS[n][1])


class ConsultationPage(RoutablePageMixin, StorefrontPage):
    """The medical consultation at ``/consultation/`` (routes in :mod:`kyc.views`)."""

    intro = RichTextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        default=18, help_text="Patients younger than this cannot submit the consultation."
    )
    additional_countries = models.CharField(
        max_length=200,
        blank=True,
        help_text="ISO codes (e.g. 'IE MT') of countries served besides the dispensary's own.",
    )
    step1_title, step1_help = _title(1), _help(1)
    step2_title, step2_help = _title(2), _help(2)
    step3_title, step3_help = _title(3), _help(3)
    step4_title, step4_help = _title(4), _help(4)
    step5_title, step5_help = _title(5), _help(5)
    knockout_text = models.TextField(
        blank=True,
        default=(
            "Based on your answers we cannot offer medical cannabis through this service. "
            "Please speak to your doctor."
        ),
        help_text="Shown when an answer rules out treatment.",
    )
    success_text = RichTextField(blank=True)

    content_panels = StorefrontPage.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("minimum_age"), FieldPanel("additional_countries")], heading="Eligibility"
        ),
        *[
            MultiFieldPanel([FieldPanel(f"step{n}_title"), FieldPanel(f"step{n}_help")], heading=f"Step {n}")
            for n in range(1, 6)
        ],
        FieldPanel("knockout_text"),
        FieldPanel("success_text"),
    ]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = "consultation page"

    def step_title(self, n: int) -> str:
        return getattr(self, f"step{n}_title") or STEP_DEFAULTS[n][0]

    def step_help(self, n: int) -> str:
        return getattr(self, f"step{n}_help")

    def served_countries(self, tenant) -> list[str]:
        extra = [code.upper() for code in self.additional_countries.replace(",", " ").split() if code]
        return list(dict.fromkeys([tenant.country_code.upper(), *extra]))

    @path("")
    def index(self, request):
        from kyc import views

        return views.consultation_index(request, self)

    @path("step/<int:step>/")
    def step(self, request, step: int):
        from kyc import views

        return views.consultation_step(request, self, step)

    @path("success/")
    def success(self, request):
        from kyc import views

        return views.consultation_success(request, self)

    @path("sent/")
    def sent(self, request):
        from kyc import views

        return views.consultation_sent(request, self)

    # Two segments, not accounts.make_token's "<uid>.<token>": Wagtail serves only
    # paths of letters, digits, "-" and "_".
    @path("confirm/<str:uid>/<str:secret>/")
    def confirm(self, request, uid: str, secret: str):
        from kyc import views

        return views.consultation_confirm(request, self, f"{uid}.{secret}")
