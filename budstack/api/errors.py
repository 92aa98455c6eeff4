"""The one error envelope of the API, for every error.

``{"error": "...", "code": "UPPER_SNAKE", "details": ..., "timestamp": "ISO-8601"}``:
DRF's own exceptions (validation, authentication, permissions, throttling, 404, 405),
Django's ``Http404`` and ``PermissionDenied``, the tenant middleware's refusals, routes
that do not exist, and unexpected exceptions, which are logged with a request id and
answered without a traceback.
"""

from __future__ import annotations

import logging
import math
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger("budstack.api")

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# DRF's exception codes, as the envelope spells them.
DRF_CODES = {
    exceptions.ValidationError: ("VALIDATION_ERROR", "The request has invalid fields."),
    exceptions.ParseError: ("PARSE_ERROR", None),
    exceptions.AuthenticationFailed: ("AUTHENTICATION_FAILED", None),
    exceptions.NotAuthenticated: ("NOT_AUTHENTICATED", None),
    exceptions.PermissionDenied: ("PERMISSION_DENIED", None),
    exceptions.NotFound: ("NOT_FOUND", None),
    exceptions.MethodNotAllowed: ("METHOD_NOT_ALLOWED", None),
    exceptions.NotAcceptable: ("NOT_ACCEPTABLE", None),
    exceptions.UnsupportedMediaType: ("UNSUPPORTED_MEDIA_TYPE", None),
    exceptions.Throttled: ("THROTTLED", None),
}


class ApiError(exceptions.APIException):
    """An API answer with our own code: ``raise ApiError(409, "OUT_OF_STOCK", "...")``."""

    def __init__(self, status_code: int, code: str, message: str, details: Any = None):
        self.status_code = status_code
        self.envelope_code = code
        self.details = details
        super().__init__(detail=message, code=code.lower())


class Conflict(ApiError):
    def __init__(self, message: str, code: str = "CONFLICT", details: Any = None):
        super().__init__(status.HTTP_409_CONFLICT, code, message, details)


def request_id(request: HttpRequest) -> str:
    """The caller's ``X-Request-ID`` when it looks like one, else a new one (per request)."""
    existing = getattr(request, "_budstack_request_id", None)
    if existing:
        return existing
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    value = offered if _REQUEST_ID_RE.match(offered) else uuid.uuid4().hex
    request._budstack_request_id = value
    return value


def envelope(message: str, code: str, details: Any = None) -> dict[str, Any]:
    return {
        "error": message,
        "code": code,
        "details": details,
        "timestamp": timezone.now().isoformat(),
    }


def error_response(
    request: HttpRequest, status_code: int, code: str, message: str, details: Any = None
) -> JsonResponse:
    """A plain Django response with the envelope, for code that runs outside DRF."""
    response = JsonResponse(envelope(message, code, details), status=status_code)
    response[REQUEST_ID_HEADER] = request_id(request)
    return response


def _message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        return _message(next(iter(detail.values())))
    return str(detail)


def _drf_envelope(exc: exceptions.APIException) -> tuple[str, str, Any]:
    if isinstance(exc, ApiError):
        return exc.envelope_code, str(exc.detail), exc.details
    code, fixed_message = next(
        (known for kind, known in DRF_CODES.items() if isinstance(exc, kind)),
        (str(exc.default_code).upper(), None),
    )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            # Field errors keyed by field; errors about the whole request under "non_field_errors".
            return code, fixed_message or _message(detail), detail
        return code, _message(detail), {"non_field_errors": detail}
    return code, _message(exc.detail), None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every exception becomes the envelope."""
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args or ("You do not have permission to do this.",)))
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.APIException):
        code, message, details = _drf_envelope(exc)
        status_code = exc.status_code
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if status_code == status.HTTP_429_TOO_MANY_REQUESTS:
            # Whole seconds, rounded up, and never 0: "now" would invite a retry storm.
            wait = max(math.ceil(getattr(exc, "wait", None) or 1), 1)
            headers["Retry-After"] = str(wait)
            details = {"retry_after": wait}
    else:
        rid = request_id(django_request) if django_request is not None else uuid.uuid4().hex
        logger.exception("unhandled API error (request id %s)", rid, exc_info=exc)
        status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
        code, message = (
            "INTERNAL_ERROR",
            "Something went wrong on our side. Quote the request id if you report it.",
        )
        details = {"request_id": rid}
    response = Response(envelope(message, code, details), status=status_code, headers=headers)
    if django_request is not None:
        response[REQUEST_ID_HEADER] = request_id(django_request)
    return response


@csrf_exempt  # a 404 changes nothing; without this a cookie-bearing POST got CSRF's HTML page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/ that is not a route."""
    return error_response(request, 404, "NOT_FOUND", "No API endpoint at this address.")
