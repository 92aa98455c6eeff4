"""Admin hooks of the tenancy app: a registry only; the logic lives in sites.admin_*."""

from django.db.models import QuerySet
from django.http import HttpRequest

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.documents.models import AbstractDocument
from wagtail.models import Page
from wagtail.permissions import register_permission_policy

from sites import admin_media, admin_scoping
from sites.admin_audit import AuditLogViewSet
from sites.admin_pages import TenantPageViewSet
from sites.admin_permissions import (
    AUDIT_LOG_READERS,
    SUPER_ADMIN_AUDIT_ACTIONS,
    SUPER_ADMIN_BRANDING_ACTIONS,
    TENANT_ADMIN_EDITS_BRANDING,
    TenantRolePolicy,
)
from sites.admin_viewsets import BrandingViewSet
from sites.models import AuditLogEntry, Branding

register_permission_policy(
    Branding, TenantRolePolicy(Branding, TENANT_ADMIN_EDITS_BRANDING, SUPER_ADMIN_BRANDING_ACTIONS)
)
register_permission_policy(
    AuditLogEntry, TenantRolePolicy(AuditLogEntry, AUDIT_LOG_READERS, SUPER_ADMIN_AUDIT_ACTIONS)
)

# Reports tenant staff are not offered (see sites.admin_guard.SUPER_ADMIN_VIEWS).
PLATFORM_REPORTS = {"workflows", "workflow-tasks", "page-types-usage"}


@hooks.register("register_admin_viewset")
def register_branding_viewset() -> BrandingViewSet:
    return BrandingViewSet("branding")


@hooks.register("register_admin_viewset")
def register_audit_log_viewset() -> AuditLogViewSet:
    return AuditLogViewSet("audit-log")


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
