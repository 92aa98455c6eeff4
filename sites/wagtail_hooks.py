"""Admin hooks of the tenancy app: a registry only; the logic lives in sites.admin_*."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.documents.models import AbstractDocument
from wagtail.models import Page
from wagtail.permissions import register_permission_policy

from sites import admin_media, admin_scoping, domain_views, security, two_factor
from sites.admin_audit import AuditLogViewSet
from sites.admin_pages import TenantPageViewSet
from sites.admin_permissions import (
    AUDIT_LOG_READERS,
    SUPER_ADMIN_AUDIT_ACTIONS,
    SUPER_ADMIN_BRANDING_ACTIONS,
    TENANT_ADMIN_EDITS_BRANDING,
    SuperAdminViewOnlyPolicy,
    TenantRolePolicy,
)
from sites.admin_tenants import TenantViewSet
from sites.admin_tokens import SUPER_ADMIN_TOKEN_ACTIONS, TENANT_ADMIN_REVOKES_TOKENS, ApiTokenViewSet
from sites.admin_viewsets import BrandingViewSet
from sites.models import ApiToken, AuditLogEntry, Branding, Role, Tenant

register_permission_policy(
    Branding, TenantRolePolicy(Branding, TENANT_ADMIN_EDITS_BRANDING, SUPER_ADMIN_BRANDING_ACTIONS)
)
register_permission_policy(
    AuditLogEntry, TenantRolePolicy(AuditLogEntry, AUDIT_LOG_READERS, SUPER_ADMIN_AUDIT_ACTIONS)
)

register_permission_policy(
    ApiToken, TenantRolePolicy(ApiToken, TENANT_ADMIN_REVOKES_TOKENS, SUPER_ADMIN_TOKEN_ACTIONS)
)

# Lifecycle changes go through the tenant page's actions, not a generic edit form.
register_permission_policy(Tenant, SuperAdminViewOnlyPolicy(Tenant))

# Reports tenant staff are not offered (see sites.admin_guard.SUPER_ADMIN_VIEWS).
PLATFORM_REPORTS = {"workflows", "workflow-tasks", "page-types-usage"}


@hooks.register("register_admin_viewset")
def register_branding_viewset() -> BrandingViewSet:
    return BrandingViewSet("branding")


@hooks.register("register_admin_viewset")
def register_tenant_viewset() -> TenantViewSet:
    return TenantViewSet("tenants")


class TenantAdminMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.role == Role.TENANT_ADMIN


@hooks.register("register_settings_menu_item")
def custom_domain_menu_item() -> MenuItem:
    return TenantAdminMenuItem(
        "Custom domain", reverse(domain_views.URL_NAME), name="custom-domain", icon_name="site", order=110
    )


@hooks.register("register_admin_viewset")
def register_audit_log_viewset() -> AuditLogViewSet:
    return AuditLogViewSet("audit-log")


@hooks.register("register_admin_viewset")
def register_api_token_viewset() -> ApiTokenViewSet:
    return ApiTokenViewSet("api-tokens")


# After Wagtail's own default page viewset (order 0), so that this one replaces it.
@hooks.register("register_admin_viewset", order=10)
def register_page_viewset() -> TenantPageViewSet:
    return TenantPageViewSet()


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages: QuerySet, request: HttpRequest) -> QuerySet:
    return admin_scoping.scope_pages(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page: Page, pages: QuerySet, request: HttpRequest) -> QuerySet:
    return admin_scoping.scope_pages(pages, request.user)


@hooks.register("construct_image_chooser_queryset")
def scope_image_chooser(images: QuerySet, request: HttpRequest) -> QuerySet:
    return admin_scoping.scope_media(images, request.user)


@hooks.register("construct_document_chooser_queryset")
def scope_document_chooser(documents: QuerySet, request: HttpRequest) -> QuerySet:
    return admin_scoping.scope_media(documents, request.user)


# After the images and documents apps have registered their endpoints.
@hooks.register("construct_admin_api", order=10)
def scope_admin_api(router: WagtailAPIRouter) -> None:
    router.register_endpoint("images", admin_media.TenantImagesAdminAPIViewSet)
    router.register_endpoint("documents", admin_media.TenantDocumentsAdminAPIViewSet)


@hooks.register("before_serve_document")
def refuse_other_tenants_document(document: AbstractDocument, request: HttpRequest) -> None:
    return admin_media.refuse_other_tenants_document(document, request)


@hooks.register("construct_reports_menu")
def hide_platform_reports(request: HttpRequest, menu_items: list[MenuItem]) -> None:
    if not admin_scoping.is_unrestricted(request.user):
        menu_items[:] = [item for item in menu_items if item.name not in PLATFORM_REPORTS]


@require_POST
def sign_out_other_sessions(request: HttpRequest) -> HttpResponse:
    security.sign_out_everywhere(request)
    messages.success(request, "You are signed out of every other browser and device.")
    return redirect("wagtailadmin_account")


@hooks.register("register_admin_urls")
def account_security_urls() -> list:
    return [
        path("two-factor/", two_factor.setup, name=two_factor.SETUP_URL_NAME),
        path("two-factor/verify/", two_factor.verify, name=two_factor.VERIFY_URL_NAME),
        path("two-factor/disable/", two_factor.disable, name="budstack_2fa_disable"),
        path("sessions/sign-out-others/", sign_out_other_sessions, name="budstack_sign_out_others"),
        path("custom-domain/", domain_views.custom_domain, name=domain_views.URL_NAME),
    ]


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request: HttpRequest) -> dict:
    return {
        "url": reverse(two_factor.SETUP_URL_NAME),
        "label": "Two-factor authentication",
        "help_text": "Ask for a code from your phone after your password.",
    }
