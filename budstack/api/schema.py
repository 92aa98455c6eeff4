"""OpenAPI: the error envelope on every operation, the tenant header, the auth schemes."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

ERROR_EXAMPLES = {
    "400": (
        "VALIDATION_ERROR",
        "The request has invalid fields.",
        {"email": ["Enter a valid email address."]},
    ),
    "401": ("NOT_AUTHENTICATED", "Authentication credentials were not provided.", None),
    "403": ("PERMISSION_DENIED", "You do not have permission to perform this action.", None),
    "404": ("NOT_FOUND", "Not found.", None),
    "409": ("CONFLICT", "The request conflicts with the current state.", None),
    "415": ("UNSUPPORTED_MEDIA_TYPE", 'Unsupported media type "text/plain" in request.', None),
    "429": ("THROTTLED", "Request was throttled. Expected available in 12 seconds.", {"retry_after": 12}),
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input (`VALIDATION_ERROR`, `PARSE_ERROR`), or no tenant named (`TENANT_REQUIRED`).",
    "401": "No or invalid credentials (`NOT_AUTHENTICATED`, `AUTHENTICATION_FAILED`).",
    "403": "Signed in but not allowed (`PERMISSION_DENIED`), or the tenant is suspended (`TENANT_SUSPENDED`).",
    "404": "No such object here, or an unknown tenant (`TENANT_NOT_FOUND`).",
    "409": "Conflicts with the current state.",
    "415": "Unsupported request body type.",
    "429": "Too many requests; `Retry-After` says how many seconds to wait.",
}


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="What went wrong, for programs (UPPER_SNAKE).")
    details = serializers.JSONField(
        allow_null=True, help_text="Field errors by field name, or more about the error; may be null."
    )
    timestamp = serializers.DateTimeField()

    class Meta:
        ref_name = "Error"


TENANT_HEADER = OpenApiParameter(
    "X-Tenant-Slug",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The dispensary, when the host does not name it (e.g. `healingbuds`).",
    pattern=r"^[a-z0-9][a-z0-9-]{0,62}$",
)


class BudStackAutoSchema(AutoSchema):
    def get_override_parameters(self):
        return [*super().get_override_parameters(), TENANT_HEADER]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        for code in codes:
            if code in responses:
                continue
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = ERROR_DESCRIPTIONS[code]
            error_code, message, details = ERROR_EXAMPLES[code]
            example = {
                "error": message,
                "code": error_code,
                "details": details,
                "timestamp": "2026-01-31T12:00:00Z",
            }
            for media in response.get("content", {}).values():
                media["example"] = example
            if code == "429":
                response["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
                }
            responses[code] = response
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "budstack.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")  # noqa: S106 - a scheme name
        scheme["description"] = "A token from POST /api/v1/auth/token."
        return scheme


class TenantSessionScheme(OpenApiAuthenticationExtension):
    target_class = "budstack.api.authentication.TenantSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


def only_api_v1(endpoints: list, **kwargs) -> list:
    """SPECTACULAR_SETTINGS preprocessing hook: the v1 API only, not the admin's internal API."""
    # Routes accept an optional trailing slash; CONTRACT.md spells them without one.
    return [
        (path.rstrip("/"), regex, method, callback)
        for path, regex, method, callback in endpoints
        if path.startswith("/api/v1/")
    ]
