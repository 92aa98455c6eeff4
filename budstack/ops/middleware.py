"""Per-request plumbing: request id, one structured log line, Prometheus counters, CSP."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from csp.constants import SELF, UNSAFE_EVAL, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

from budstack.ops import metrics
from budstack.ops.context import request_id_var

logger = logging.getLogger("budstack.request")
# An incoming id (from nginx or a client) is kept only if it is short and harmless.
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _tenant_label(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return tenant.slug if tenant is not None else "platform"


class RequestObservabilityMiddleware:
    """First in the stack: names the request, times it, counts it and logs one line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        path = request.path
        try:
            response = self.get_response(request)
        except Exception:
            metrics.ERRORS.labels(_tenant_label(request)).inc()
            raise
        finally:
            request_id_var.reset(token)
        elapsed = time.perf_counter() - started
        tenant = _tenant_label(request)
        status = response.status_code
        metrics.REQUESTS.labels(tenant, request.method, str(status)).inc()
        metrics.LATENCY.labels(tenant, request.method).observe(elapsed)
        if status >= 500:
            metrics.ERRORS.labels(tenant).inc()
        response["X-Request-ID"] = request_id
        logger.info(
            "%s %s %s",
            request.method,
            path,
            status,
            extra={
                "request_id": request_id,
                "tenant": "" if tenant == "platform" else tenant,
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        return response


class PermissionsPolicyMiddleware:
    """Turns off browser features no BudStack page uses (camera, microphone, location...).

    Django sets the other security headers itself (SecurityMiddleware, clickjacking); this
    one it does not. Set here, not only in nginx, so every deployment sends it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        from django.conf import settings

        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class BudStackCSPMiddleware(CSPMiddleware):
    """django-csp with nonces for the storefront, and a looser policy for the Wagtail admin.

    Storefront pages (every theme) allow scripts and styles only from our origin or with
    the request's nonce. Wagtail's own admin still relies on inline scripts and styles, so
    below ``/admin/`` those are allowed; it is reachable only by signed-in staff.
    """

    ADMIN_PREFIXES = ("/admin/",)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponse, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(self.ADMIN_PREFIXES):
            # A nonce in the header makes browsers ignore 'unsafe-inline'.
            parts.nonce = None
            parts.replace = {
                **(parts.replace or {}),
                "script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL],
                "style-src": [SELF, UNSAFE_INLINE],
                "img-src": [SELF, "data:", "blob:", "https:"],
            }
        return parts
