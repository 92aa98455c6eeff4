"""``/metrics``: for Prometheus, never for the public."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prometheus_client import CONTENT_TYPE_LATEST

from budstack.ops.metrics import render


def _has_token(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    if not expected:
        return False
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), expected.encode())


def _from_internal_network(request: HttpRequest) -> bool:
    # A request that came through the public proxy carries X-Forwarded-For; its
    # REMOTE_ADDR is the proxy's (internal) address, which proves nothing.
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, with the token (``Authorization: Bearer``) or from inside."""
    if not (_has_token(request) or _from_internal_network(request)):
        # 404 rather than 403: the endpoint is not advertised to the outside.
        return HttpResponse("Not found", status=404, content_type="text/plain")
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
