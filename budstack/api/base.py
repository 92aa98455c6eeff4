"""The base of every API view: tenant context, scope, rollback on failure, request id.

The tenant comes from the host or ``X-Tenant-Slug`` (sites.middleware, which also
enters the tenant's scope). A token's user is only known once DRF authenticates, so a
call without a tenant is scoped here: a super admin works on the platform, a tenant's
user on their own tenant.
"""

from __future__ import annotations

from contextlib import ExitStack

from django.db import transaction

from rest_framework import status
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from billing.entitlements import FeatureUnavailable, allows
from budstack.api.errors import REQUEST_ID_HEADER, ApiError, request_id
from sites.context import get_current_tenant, in_platform_scope, platform_scope, tenant_scope
from sites.models import STAFF_ROLES


class TenantRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            status.HTTP_400_BAD_REQUEST,
            "TENANT_REQUIRED",
            "Say which dispensary: call its host, or send the X-Tenant-Slug header.",
        )


class TenantSuspended(ApiError):
    def __init__(self) -> None:
        super().__init__(
            status.HTTP_403_FORBIDDEN, "TENANT_SUSPENDED", "This dispensary is suspended on BudStack."
        )


class _RolledBack(Exception):
    def __init__(self, response):
        self.response = response


class ScopedAPIMixin:
    """Mix into APIView / GenericViewSet subclasses; set ``tenant_required``."""

    tenant_required = False
    tenant = None

    def dispatch(self, request, *args, **kwargs):
        try:
            with ExitStack() as stack:
                # A crash must not leave half of its writes behind: the view runs in a
                # savepoint that a 5xx answer rolls back.
                stack.enter_context(transaction.atomic())
                self._scope_stack = stack
                response = super().dispatch(request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _RolledBack(response)
        except _RolledBack as rolled:
            response = rolled.response
        return response

    def perform_authentication(self, request) -> None:
        user = request.user
        django_request = request._request
        tenant = getattr(django_request, "tenant", None)
        if tenant is None and user.is_authenticated:
            if user.is_super_admin:
                if not in_platform_scope():
                    self._scope_stack.enter_context(
                        platform_scope(f"API super admin {user.pk}: {request.path}")
                    )
            elif user.tenant_id is not None:
                tenant = user.tenant
                if not tenant.is_active:
                    raise TenantSuspended()
                django_request.tenant = tenant
                if get_current_tenant() != tenant:
                    self._scope_stack.enter_context(tenant_scope(tenant))
        self.tenant = tenant
        if tenant is None and self.tenant_required:
            raise TenantRequired()
        # API access as a plan feature means the dispensary's own programmatic access: its
        # staff calling with a bearer token. Patients' tokens (the storefront's clients:
        # consultations, orders), session calls from the storefront and the admin, and
        # anonymous catalog reads stay open whatever the plan.
        bearer = request.auth is not None and user.role in STAFF_ROLES
        if bearer and tenant is not None and not allows(tenant, "api_access"):
            refusal = FeatureUnavailable(tenant, "api_access")
            raise ApiError(status.HTTP_403_FORBIDDEN, refusal.code, str(refusal), refusal.details)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response[REQUEST_ID_HEADER] = request_id(
            request._request if hasattr(request, "_request") else request
        )
        return response


class BaseAPIView(ScopedAPIMixin, APIView):
    pass


class BaseViewSet(ScopedAPIMixin, GenericViewSet):
    pass
