"""Wagtail's API v2 (headless content) at /api/v2/, scoped to the tenant of the request.

Pages are the tenant's live, public pages (its Site's tree; ``?site=`` cannot widen
that); images and documents come through the tenant-scoped managers (and RLS). A call
without a tenant is refused, and errors use the API's envelope.
"""

from __future__ import annotations

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from rest_framework.views import APIView

from budstack.api.base import ScopedAPIMixin
from budstack.api.errors import ApiError


class _TenantContentMixin(ScopedAPIMixin):
    tenant_required = True
    schema = None  # not part of the v1 OpenAPI document; Wagtail documents v2 itself

    def handle_exception(self, exc):
        if isinstance(exc, BadRequestError):
            exc = ApiError(400, "BAD_REQUEST", str(exc))
        # Skip Wagtail's {"message": ...} answers: every error gets the envelope.
        return APIView.handle_exception(self, exc)


class TenantPagesAPIViewSet(_TenantContentMixin, PagesAPIViewSet):
    def get_base_queryset(self):
        return super().get_base_queryset().descendant_of(self.tenant.site.root_page, inclusive=True)


class TenantImagesAPIViewSet(_TenantContentMixin, ImagesAPIViewSet):
    pass


class TenantDocumentsAPIViewSet(_TenantContentMixin, DocumentsAPIViewSet):
    pass


router = WagtailAPIRouter("wagtailapi")
router.register_endpoint("pages", TenantPagesAPIViewSet)
router.register_endpoint("images", TenantImagesAPIViewSet)
router.register_endpoint("documents", TenantDocumentsAPIViewSet)
