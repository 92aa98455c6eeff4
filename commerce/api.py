"""REST API v1: the tenant's catalog, gated to the tenant's country.

``ProductSerializer.Meta.fields`` and ``ProductFilter`` are the places to add what the
Product model grows; the view only decides which products a caller may see.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.filters import OrderingFilter

from budstack.api.base import BaseViewSet
from commerce.models import Product


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
