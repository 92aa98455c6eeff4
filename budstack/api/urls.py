"""/api/v1/: the REST API, its OpenAPI schema and Swagger UI (budstack.urls mounts /api/v2/).

Each app exposes its views in ``<app>/api.py``; this module only registers them.
"""

from __future__ import annotations

from django.urls import include, path, re_path

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from budstack.api import schema  # noqa: F401 - registers the OpenAPI extensions
from budstack.api.errors import not_found
from commerce.api import OrderViewSet, ProductViewSet
from integrations.webhooks.api import WebhookViewSet
from kyc.api import ConsultationStatusView, ConsultationView
from onboarding.api import OnboardingView
from sites.api import (
    ApiTokenViewSet,
    AuditLogViewSet,
    AuthTokenView,
    BrandingView,
    TenantCurrentView,
    TenantThemeView,
    TenantViewSet,
)
from themes.api import ThemeViewSet

router = SimpleRouter()
# CONTRACT.md spells the routes without a trailing slash; accept both.
router.trailing_slash = "/?"
router.register("products", ProductViewSet, basename="products")
router.register("orders", OrderViewSet, basename="orders")
router.register("themes", ThemeViewSet, basename="themes")
router.register("tenants", TenantViewSet, basename="tenants")
router.register("webhooks", WebhookViewSet, basename="webhooks")
router.register("audit-logs", AuditLogViewSet, basename="audit-logs")
router.register("auth/tokens", ApiTokenViewSet, basename="auth-tokens")

v1_patterns = [
    path("auth/token", AuthTokenView.as_view(), name="auth-token"),
    path("onboarding", OnboardingView.as_view(), name="onboarding"),
    path("consultations", ConsultationView.as_view(), name="consultations"),
    path("consultations/status", ConsultationStatusView.as_view(), name="consultations-status"),
    path("tenant/current", TenantCurrentView.as_view(), name="tenant-current"),
    path("tenant/branding", BrandingView.as_view(), name="tenant-branding"),
    path("tenant/theme", TenantThemeView.as_view(), name="tenant-theme"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    # Anything else below /api/ is a JSON 404, never the storefront's HTML page.
    re_path(r"^.*$", not_found, name="not-found"),
]
