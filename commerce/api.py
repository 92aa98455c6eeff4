"""REST API v1: the tenant's catalog, gated to the tenant's country, and its orders.

``ProductSerializer.Meta.fields`` and ``ProductFilter`` are the places to add what the
Product model grows; the view only decides which products a caller may see.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from budstack.api.base import BaseViewSet
from budstack.api.errors import ApiError, Conflict
from budstack.api.permissions import IsTenantAdmin
from commerce.allowance import AllowanceExceeded
from commerce.models import Order, OrderLine, OrderStatus, Product
from commerce.order_status import InvalidTransition, allowed_next
from commerce.orders import DeliveryAddress, NotVerified, OrderRefused, place_order, transition
from commerce.stock import InsufficientStock
from sites.limits import PlanLimitReached
from sites.models import Role


class ProductSerializer(serializers.ModelSerializer):
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "slug",
            "sku",
            "strain_type",
            "form",
            "thc_percent",
            "cbd_percent",
            "price",
            "currency",
            "stock",
            "in_stock",
            "description",
        ]

    def get_in_stock(self, product: Product) -> bool:
        return product.stock > 0


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, SKU or description contains.")
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    in_stock = django_filters.BooleanFilter(method="filter_in_stock")

    class Meta:
        model = Product
        fields = ["q", "strain_type", "form", "min_price", "max_price", "in_stock"]

    def search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(sku__icontains=value) | Q(description__icontains=value)
        )

    def filter_in_stock(
        self, queryset: QuerySet[Product], name: str, value: bool | None
    ) -> QuerySet[Product]:
        if value is None:
            return queryset
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Published products sold in the tenant's country; others are a 404, as on the storefront."""

    serializer_class = ProductSerializer
    permission_classes: list = []
    tenant_required = True
    queryset = Product.objects.none()
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ProductFilter
    ordering_fields = ["name", "price", "thc_percent", "cbd_percent"]
    ordering = ["name", "pk"]

    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.published().available_in(self.tenant.country_code)

    @extend_schema(tags=["products"], auth=[])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["products"], auth=[])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# ---------------------------------------------------------------------------
# Orders: patients place and read their own; tenant admins read all and move statuses.
# ---------------------------------------------------------------------------


class IsPatientOrTenantAdmin(BasePermission):
    """Patients of the tenant (their own orders) and its admins (all of them)."""

    message = "Only the dispensary's patients and admins may use orders."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if IsTenantAdmin().has_permission(request, view):
            return True
        tenant = getattr(request._request, "tenant", None)
        return user.role == Role.PATIENT and tenant is not None and user.tenant_id == tenant.pk


class OrderLineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="product_name", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["product", "name", "sku", "quantity", "unit_price", "line_total", "flower_grams"]


class OrderAddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    postcode = serializers.CharField(max_length=20)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        help_text="ISO 3166-1 alpha-2; the dispensary's country when left out.",
    )


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    delivery = serializers.SerializerMethodField()
    allowed_next = serializers.SerializerMethodField(help_text="Statuses a tenant admin may move it to.")

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "status",
            "allowed_next",
            "currency",
            "subtotal",
            "total",
            "flower_grams",
            "email",
            "delivery",
            "lines",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OrderAddressSerializer)
    def get_delivery(self, order: Order) -> dict:
        return {
            "name": order.delivery_name,
            "line1": order.delivery_line1,
            "line2": order.delivery_line2,
            "city": order.delivery_city,
            "postcode": order.delivery_postcode,
            "country": order.delivery_country,
        }

    def get_allowed_next(self, order: Order) -> list[str]:
        return allowed_next(order.status)


class OrderItemSerializer(serializers.Serializer):
    # Bounded so that out-of-range numbers are a field error, not a database error.
    product = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="Product id.")
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class OrderCreateSerializer(serializers.Serializer):
    items = OrderItemSerializer(many=True, min_length=1, max_length=50)
    delivery = OrderAddressSerializer()


class OrderStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Send the same key when retrying: the order the first request placed is returned (200).",
)


def _refusal(error: Exception) -> ApiError:
    # Refusals the patient can fix by changing the request are 400; state conflicts 409.
    """The service's refusal as the API's envelope (codes listed in README's REST API section)."""
    if isinstance(error, NotVerified):
        return ApiError(403, error.code, str(error))
    if isinstance(error, InsufficientStock):
        return Conflict(str(error), code="INSUFFICIENT_STOCK", details={"product": error.product_name})
    if isinstance(error, AllowanceExceeded):
        remaining = error.allowance.remaining if error.allowance.limit is not None else None
        return Conflict(
            str(error),
            code="ALLOWANCE_EXCEEDED",
            details={
                "wanted_grams": str(error.wanted),
                "remaining_grams": str(remaining) if remaining is not None else None,
            },
        )
    if isinstance(error, PlanLimitReached):
        return Conflict(
            str(error) or "The dispensary's monthly order limit is reached.",
            code="PLAN_LIMIT_REACHED",
            details=error.details,
        )
    return ApiError(400, getattr(error, "code", "ORDER_REFUSED"), str(error))


class OrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """A patient's own orders, or (tenant admins) all of the tenant's."""

    serializer_class = OrderSerializer
    permission_classes = [IsPatientOrTenantAdmin]
    tenant_required = True
    queryset = Order.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "total", "reference"]
    ordering = ["-created_at", "-pk"]

    def _is_admin(self) -> bool:
        return IsTenantAdmin().has_permission(self.request, self)

    def get_queryset(self) -> QuerySet[Order]:
        orders = Order.objects.filter(tenant=self.tenant).prefetch_related("lines")
        if not self._is_admin():
            orders = orders.filter(user=self.request.user)
        if status_ := self.request.query_params.get("status"):
            if status_ not in OrderStatus.values:
                raise serializers.ValidationError(
                    {"status": [f"Use one of {', '.join(OrderStatus.values)}."]}
                )
            orders = orders.filter(status=status_)
        return orders

    @extend_schema(
        tags=["orders"],
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=OrderStatus.values)],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["orders"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=["orders"],
        request=OrderCreateSerializer,
        responses={201: OrderSerializer, 200: OrderSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        description=(
            "Patients whose consultation is VERIFIED. Refusals: 403 `KYC_NOT_VERIFIED`, "
            "409 `INSUFFICIENT_STOCK`, `ALLOWANCE_EXCEEDED` or `PLAN_LIMIT_REACHED`, "
            "400 `PRODUCT_UNAVAILABLE` or `ORDER_REFUSED`."
        ),
        examples=[
            OpenApiExample(
                "Two of one product",
                value={
                    "items": [{"product": 1, "quantity": 2}],
                    "delivery": {
                        "name": "Ada Patient",
                        "line1": "1 High Street",
                        "city": "London",
                        "postcode": "N1 1AA",
                    },
                },
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        if request.user.role != Role.PATIENT:
            raise PermissionDenied("Only patients place orders.")
        payload = OrderCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        where = values["delivery"]
        address = DeliveryAddress(
            name=where["name"],
            line1=where["line1"],
            line2=where.get("line2", ""),
            city=where["city"],
            postcode=where["postcode"],
            country=(where.get("country") or self.tenant.country_code).upper(),
        )
        try:
            placement = place_order(
                self.tenant,
                request.user,
                [(item["product"], item["quantity"]) for item in values["items"]],
                address,
                idempotency_key=request.headers.get("Idempotency-Key", ""),
                request=request._request,
            )
        except (OrderRefused, InsufficientStock, AllowanceExceeded, PlanLimitReached) as error:
            raise _refusal(error) from error
        order = Order.objects.prefetch_related("lines").get(pk=placement.order.pk)
        code = status.HTTP_201_CREATED if placement.created else status.HTTP_200_OK
        return Response(OrderSerializer(order).data, status=code)

    @extend_schema(
        tags=["orders"],
        request=OrderStatusSerializer,
        responses={200: OrderSerializer},
        description="Tenant admins: move the order to a status `allowed_next` lists (else 409 `INVALID_TRANSITION`).",
        examples=[OpenApiExample("Mark as paid", value={"status": "PAID"}, request_only=True)],
    )
    def partial_update(self, request, *args, **kwargs):
        if not self._is_admin():
            raise PermissionDenied("Only the dispensary's admins change an order's status.")
        order = self.get_object()
        change = OrderStatusSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        target = change.validated_data["status"]
        if target != order.status:
            try:
                transition(
                    order,
                    target,
                    actor=request.user,
                    note=change.validated_data["note"],
                    request=request._request,
                    source="api",
                )
            except InvalidTransition as error:
                raise Conflict(
                    str(error),
                    code="INVALID_TRANSITION",
                    details={"status": error.current, "allowed": allowed_next(error.current)},
                ) from error
        order = Order.objects.prefetch_related("lines").get(pk=order.pk)
        return Response(OrderSerializer(order).data)
