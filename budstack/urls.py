from django.conf import settings
from django.urls import include, path, re_path

from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from budstack import health, storage, views
from budstack.api.wagtail_v2 import router as wagtail_api_router
from budstack.ops import views as ops_views
from commerce import views as commerce_views
from integrations.webhooks import views as webhook_views
from kyc import account_views as kyc_account_views
from pages import views as page_views
from search import views as search_views
from sites import domain_views
from sites import views as site_views
from themes import views as theme_views

storefront_patterns = [
    path("auth/", include("sites.urls_auth")),
    path("cart/", commerce_views.cart, name="cart"),
    path("checkout/", commerce_views.checkout, name="checkout"),
    path("checkout/done/<str:reference>/", commerce_views.order_confirmation, name="order_confirmation"),
    path("account/", site_views.account, name="account"),
    path("account/export/", kyc_account_views.export_data, name="account_export"),
    path("account/erase/", kyc_account_views.erase_account, name="account_erase"),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest_view, name="search_suggest"),
    path("sitemap.xml", site_views.sitemap, name="sitemap"),
    path("robots.txt", site_views.robots_txt, name="robots_txt"),
    path("consent/", page_views.consent, name="consent"),
    path("age-check/", page_views.age_check, name="age_check"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("admin/", include(wagtailadmin_urls)),
    # Before any include of api/v1/, so the REST API's router can never shadow it.
    path(
        "api/v1/integrations/drgreen/webhook",
        webhook_views.drgreen_webhook,
        name="drgreen_inbound_webhook",
    ),
    # Wagtail's headless API names its own namespace, so it is mounted at the top level.
    path("api/v2/", include((wagtail_api_router.get_urlpatterns(), "wagtailapi"), namespace="wagtailapi")),
    path("api/", include(("budstack.api.urls", "api"))),
    path("theme-static/<slug:slug>/<str:version>/<path:path>", theme_views.theme_static, name="theme_static"),
    path("documents/", include(wagtaildocs_urls)),
    path("onboarding/", include("onboarding.urls")),
    path("_tls/ask", domain_views.tls_ask, name="tls_ask"),
    path("private-files/<str:token>/", storage.serve_private_file, name="private_file"),
    path("", include((storefront_patterns, "storefront"))),
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        wagtail_views.authenticate_with_password,
        name="wagtailcore_authenticate_with_password",
    ),
]

handler500 = "budstack.views.server_error"

if settings.BUDSTACK_BENCH:
    from budstack import bench

    urlpatterns.insert(0, path("_bench/minimal", bench.minimal, name="bench_minimal"))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # Same pattern as wagtail.urls, so Wagtail's reverse("wagtail_serve") keeps working.
    re_path(r"^((?:[\w\-]+/)*)$", views.serve, name="wagtail_serve"),
]
