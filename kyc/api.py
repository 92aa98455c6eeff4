"""REST API v1 of the consultation: patients submit the questionnaire and read their status.

The answers go through the same service and step forms as the storefront flow
(kyc.services.submit_consultation); this module only translates JSON in and out.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from budstack.api.base import BaseAPIView
from budstack.api.errors import ApiError
from kyc import forms as steps
from kyc.models import ConsultationPage, KycStatus, PatientProfile
from kyc.services import latest_submission, register_with_supplier, send_received_email, submit_consultation
from sites.models import Role


class IsTenantPatient(BasePermission):
    message = "Only the dispensary's patients have a consultation."

    def has_permission(self, request, view) -> bool:
        user = request.user
        tenant = getattr(request._request, "tenant", None)
        return bool(
            user.is_authenticated
            and user.role == Role.PATIENT
            and tenant is not None
            and user.tenant_id == tenant.pk
        )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": 1000},
            {"type": "boolean"},
            {"type": "number"},
            {"type": "array", "items": {"type": "string", "maxLength": 200}, "maxItems": 50},
        ]
    }
)
class AnswerField(serializers.Field):
    """One answer as the step forms take it: text, yes/no, a number or a list of choices."""

    default_error_messages = {"invalid": "An answer is text, true/false, a number or a list of texts."}

    def to_internal_value(self, data: Any) -> Any:
        # The forms read strings (and booleans as yes/no); anything nested is not an answer.
        if isinstance(data, bool):
            return data
        if isinstance(data, int | float | str):
            return str(data)[:1000]
        if isinstance(data, list) and len(data) <= 50 and all(isinstance(v, str | int | float) for v in data):
            return [str(v)[:200] for v in data]
        self.fail("invalid")

    def to_representation(self, value: Any) -> Any:
        return value


def _step(n: int, help_text: str) -> serializers.DictField:
    return serializers.DictField(child=AnswerField(), help_text=help_text, allow_empty=True)


class ConsultationSerializer(serializers.Serializer):
    step1 = _step(1, "About you: first_name, last_name, date_of_birth, gender, phone_code, contact_number.")
    step2 = _step(2, "Address: address1, address2, city, state, postal_code, country.")
    step3 = _step(
        3, "Conditions: conditions (slugs of the condition library), other_condition, condition_duration."
    )
    step4 = _step(4, "Medical history: the yes/no screening questions, medication, treatments, cannabis use.")
    step5 = _step(5, "Consents: consent_data_processing, consent_terms, consent_truthful (true).")


class ConsultationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=KycStatus.choices, help_text="The consultation's approval.")
    kyc_verified = serializers.BooleanField(help_text="Identity check at the supplier done.")
    kyc_link = serializers.CharField(
        allow_blank=True, help_text="Where to do the identity check; may be empty."
    )
    submitted = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(allow_null=True, help_text="The latest submission's version.")


def _status_body(profile: PatientProfile | None, user) -> dict[str, Any]:
    submission = latest_submission(user)
    return {
        "status": profile.kyc_status if profile else KycStatus.PENDING,
        "kyc_verified": bool(profile and profile.kyc_verified),
        "kyc_link": profile.kyc_link if profile else "",
        "submitted": submission is not None,
        "submitted_at": submission.submitted_at if submission else None,
        "version": submission.version if submission else None,
    }


def _field_errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    # get_json_data() gives [{"message", "code"}]; the envelope's details are plain messages.
    return {field: [item["message"] for item in items] for field, items in errors.items()}


class ConsultationView(BaseAPIView):
    permission_classes = [IsTenantPatient]
    tenant_required = True

    @extend_schema(
        operation_id="consultations_create",
        tags=["consultations"],
        request=ConsultationSerializer,
        responses={201: ConsultationStatusSerializer},
        description=(
            "Submit the whole questionnaire (each step's answers as the storefront's step forms take them). "
            "An invalid answer is 400 `VALIDATION_ERROR` with `details` by step and field, "
            'e.g. `{"step2": {"country": ["…"]}}`.'
        ),
        examples=[
            OpenApiExample(
                "Consents only shown",
                value={
                    "step5": {
                        "consent_data_processing": True,
                        "consent_terms": True,
                        "consent_truthful": True,
                    }
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        payload = ConsultationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        page = ConsultationPage.objects.live().descendant_of(self.tenant.root_page).first()
        if page is None:
            raise ApiError(
                404, "CONSULTATION_UNAVAILABLE", "This dispensary has no consultation page published."
            )
        answers = {name: values for name, values in payload.validated_data.items() if values is not None}
        try:
            submit_consultation(
                request.user, tenant=self.tenant, page=page, answers=answers, request=request._request
            )
        except steps.ConsultationInvalid as invalid:
            raise serializers.ValidationError(
                {f"step{invalid.step}": _field_errors(invalid.errors)}
            ) from invalid
        profile = PatientProfile.objects.select_related("user", "tenant").get(user=request.user)
        # As the storefront does: register with the supplier now (retried in the background
        # when it is down) and tell the patient the answers arrived.
        outcome = register_with_supplier(profile)
        send_received_email(profile, outcome)
        profile.refresh_from_db()
        body = _status_body(profile, request.user)
        return Response(ConsultationStatusSerializer(body).data, status=status.HTTP_201_CREATED)


class ConsultationStatusView(BaseAPIView):
    permission_classes = [IsTenantPatient]
    tenant_required = True

    @extend_schema(
        operation_id="consultations_status",
        tags=["consultations"],
        responses={200: ConsultationStatusSerializer},
    )
    def get(self, request):
        profile = PatientProfile.objects.filter(user=request.user).first()
        return Response(ConsultationStatusSerializer(_status_body(profile, request.user)).data)
