"""POST /api/v1/onboarding: the application form, for integrators and scripts."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from budstack.api.base import BaseAPIView
from budstack.api.errors import Conflict
from budstack.api.throttling import CallerThrottle, WindowThrottle
from onboarding.forms import offered_themes, public_plans
from onboarding.models import APPLICATION_FIELDS, TenantApplication
from onboarding.services import ApplicationError, slug_problem, submit_application


class OnboardingThrottle(WindowThrottle):
    """Applications per address (``BUDSTACK_API_THROTTLE_RATES["onboarding"]``)."""

    scope = "onboarding"

    def ident(self, request, view) -> str | None:
        # Only submissions count; a rejected-as-invalid POST still counts (spam is spam).
        return self.get_ident(request) if request.method == "POST" else None


class PublicPlanField(serializers.SlugRelatedField):
    # Read per request: plans and themes change while the process runs.
    def get_queryset(self):
        return public_plans()


class OfferedThemeField(serializers.SlugRelatedField):
    def get_queryset(self):
        return offered_themes()


class ApplicationSerializer(serializers.ModelSerializer):
    plan = PublicPlanField(slug_field="slug", help_text="Slug of a public plan, e.g. `starter`.")
    theme = OfferedThemeField(slug_field="slug", help_text="Slug of an installed theme, e.g. `sage`.")
    country_code = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. GB.")

    class Meta:
        model = TenantApplication
        fields = ["id", "status", "submitted_at", *APPLICATION_FIELDS]
        read_only_fields = ["id", "status", "submitted_at"]

    def get_validators(self) -> list:
        # The partial unique index on pending slugs is checked by validate_slug.
        return []

    def validate_country_code(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        from sites.validators import validate_country_code

        value = value.strip().upper()
        try:
            validate_country_code(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value

    def validate_slug(self, value: str) -> str:
        value = value.strip().lower()
        if problem := slug_problem(value):
            raise serializers.ValidationError(problem)
        return value


class ApplicationReceiptSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenantApplication
        fields = ["id", "status", "slug", "submitted_at"]


class OnboardingView(BaseAPIView):
    """Apply for a storefront; super admins review it in the admin."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [OnboardingThrottle, CallerThrottle]

    @extend_schema(
        operation_id="onboarding_apply",
        tags=["onboarding"],
        request=ApplicationSerializer,
        # 400 (field errors), 409 SLUG_TAKEN and 429 come with the shared error envelope.
        responses={201: ApplicationReceiptSerializer},
        description=(
            "Apply for a storefront. A super admin reviews the application in the admin; the "
            "applicant is emailed a confirmation now and the decision later. 409 `SLUG_TAKEN` when "
            "another application took the slug at the same moment. Throttled per address."
        ),
        auth=[],
        examples=[
            OpenApiExample(
                "Application",
                value={
                    "business_name": "Northern Lights Dispensary",
                    "slug": "northern-lights",
                    "country_code": "GB",
                    "contact_name": "Ada Green",
                    "contact_email": "ada@northernlights.example",
                    "contact_phone": "+44 20 7946 0000",
                    "licence_number": "MHRA-12345",
                    "plan": "starter",
                    "theme": "sage",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        serializer = ApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        try:
            application = submit_application(fields, request._request)
        except ApplicationError as error:
            raise Conflict(str(error), code="SLUG_TAKEN") from error
        return Response(ApplicationReceiptSerializer(application).data, status=status.HTTP_201_CREATED)
