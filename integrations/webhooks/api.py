"""REST API v1 of outbound webhooks: a tenant admin's endpoints, their deliveries, redelivery.

Everything goes through integrations.webhooks.services (validation, SSRF checks, audit,
the secret shown once); this module only translates JSON and errors.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from billing.entitlements import FeatureUnavailable
from budstack.api.base import BaseViewSet
from budstack.api.errors import ApiError, Conflict
from budstack.api.permissions import IsTenantAdmin
from integrations.events import EVENTS
from integrations.webhooks import services
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENTS)))

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "description",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CreatedWebhookEndpointSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Signing secret for X-BudStack-Signature; shown only in this answer."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = ["secret", *WebhookEndpointSerializer.Meta.fields]
        read_only_fields = fields


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=services.MAX_URL_LENGTH, help_text="http(s) URL on the public internet."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENTS)), min_length=1, max_length=len(EVENTS) * 2
    )
    description = serializers.CharField(
        max_length=services.MAX_DESCRIPTION_LENGTH, required=False, allow_blank=True, default=""
    )
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "started_at",
            "duration_ms",
            "status_code",
            "success",
            "error",
            "response_excerpt",
        ]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "delivery_id",
            "event_id",
            "event",
            "status",
            "attempt_count",
            "last_status_code",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "payload",
            "attempts",
        ]


def _invalid(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class WebhookViewSet(BaseViewSet):
    """The tenant's outbound webhook endpoints (tenant admins)."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsTenantAdmin]
    tenant_required = True
    queryset = WebhookEndpoint.objects.none()

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return WebhookEndpoint.objects.filter(tenant=self.tenant).order_by("-created_at", "-pk")

    def _inputs(self, partial: bool) -> dict[str, Any]:
        payload = WebhookEndpointInputSerializer(data=self.request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    @extend_schema(tags=["webhooks"])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(
        tags=["webhooks"],
        request=WebhookEndpointInputSerializer,
        responses={201: CreatedWebhookEndpointSerializer},
        examples=[
            OpenApiExample(
                "Orders to the POS",
                value={
                    "url": "https://pos.example.com/budstack",
                    "events": ["order.created", "order.status_changed"],
                },
                request_only=True,
            )
        ],
    )
    def create(self, request):
        values = self._inputs(partial=False)
        try:
            endpoint, secret = services.create_endpoint(
                self.tenant, actor=request.user, request=request._request, **values
            )
        except DjangoValidationError as error:
            raise _invalid(error) from error
        except FeatureUnavailable as refusal:
            raise ApiError(403, refusal.code, str(refusal), refusal.details) from refusal
        body = CreatedWebhookEndpointSerializer(endpoint).data
        body["secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(tags=["webhooks"])
    def retrieve(self, request, pk=None):
        return Response(WebhookEndpointSerializer(self.get_object()).data)

    @extend_schema(
        tags=["webhooks"],
        request=WebhookEndpointInputSerializer(partial=True),
        responses={200: WebhookEndpointSerializer},
        examples=[OpenApiExample("Switch off", value={"is_active": False}, request_only=True)],
    )
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        values = self._inputs(partial=True)
        try:
            endpoint = services.update_endpoint(
                self.tenant, endpoint, actor=request.user, request=request._request, **values
            )
        except DjangoValidationError as error:
            raise _invalid(error) from error
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(tags=["webhooks"], responses={204: None})
    def destroy(self, request, pk=None):
        endpoint = self.get_object()
        services.delete_endpoint(self.tenant, endpoint, actor=request.user, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["webhooks"],
        responses={200: WebhookDeliverySerializer(many=True)},
        parameters=[
            OpenApiParameter(
                "status", str, enum=[s for s, _ in WebhookDelivery.Status.choices], description="Only these."
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        deliveries = services.list_deliveries(self.tenant, endpoint).order_by("-created_at", "-pk")
        if wanted := request.query_params.get("status"):
            if wanted not in WebhookDelivery.Status.values:
                raise serializers.ValidationError(
                    {"status": [f"Use one of {', '.join(WebhookDelivery.Status.values)}."]}
                )
            deliveries = deliveries.filter(status=wanted)
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        tags=["webhooks"],
        request=None,
        responses={202: WebhookDeliverySerializer},
        description="Send the delivery again now (same delivery id); 409 `ENDPOINT_DISABLED` when it is off.",
        parameters=[
            OpenApiParameter("delivery_pk", int, OpenApiParameter.PATH, description="The delivery's id.")
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_pk>[^/.]+)/redeliver")
    def redeliver(self, request, pk=None, delivery_pk=None):
        endpoint = self.get_object()
        try:
            delivery = services.redeliver(
                self.tenant, endpoint, int(delivery_pk), actor=request.user, request=request._request
            )
        except (ValueError, OverflowError, WebhookDelivery.DoesNotExist) as error:
            raise NotFound("No such delivery for this endpoint.") from error
        except services.RedeliveryRefused as error:
            raise Conflict(str(error), code="ENDPOINT_DISABLED") from error
        delivery = services.list_deliveries(self.tenant, endpoint).get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
