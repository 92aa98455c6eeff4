"""``POST /api/v1/integrations/drgreen/webhook``: the inbound endpoint for Dr. Green events."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import inbound

logger = logging.getLogger("budstack.webhooks")

MAX_BODY = 1_000_000


def error_response(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    """The API error envelope of CONTRACT.md."""
    return JsonResponse(
        {"error": message, "code": code, "details": details, "timestamp": timezone.now().isoformat()},
        status=status,
    )


@csrf_exempt
def drgreen_webhook(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = error_response(405, "METHOD_NOT_ALLOWED", "Use POST.")
        response["Allow"] = "POST"
        return response
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return error_response(413, "PAYLOAD_TOO_LARGE", "Body too large.")
    try:
        result = inbound.process(request.body, request.headers.get(inbound.SIGNATURE_HEADER))
    except inbound.InboundError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details)
    except Exception:
        # Nothing of the event was kept (one transaction); the relay retries later.
        logger.exception("inbound Dr. Green webhook failed")
        return error_response(503, "HANDLER_FAILED", "The event could not be processed; retry later.")
    return JsonResponse(result, status=200)
