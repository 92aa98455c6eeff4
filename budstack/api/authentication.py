"""Who is calling: a bearer token, or the browser session."""

from __future__ import annotations

from django.http import HttpRequest

from rest_framework import authentication, exceptions

from sites.tokens import find_token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` with a token from ``POST /api/v1/auth/token``.

    A tenant's token works on that tenant only: with another tenant's host or
    ``X-Tenant-Slug`` it is refused exactly like an unknown token, so a token never
    reveals which tenant issued it. Super admins' tokens work everywhere.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send exactly one token: Authorization: Bearer <token>.")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("That token is not valid.") from error
        token = find_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("That token is not valid, has expired or was revoked.")
        user = token.user
        tenant = getattr(request._request, "tenant", None)
        if not user.is_active or (tenant is not None and user.tenant_id not in (None, tenant.pk)):
            raise exceptions.AuthenticationFailed("That token is not valid, has expired or was revoked.")
        return user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TenantSessionAuthentication(authentication.SessionAuthentication):
    """The admin or storefront session, with CSRF checks on unsafe methods.

    The tenant middleware has already made a session of another tenant anonymous. Staff
    who must confirm a second factor (super admins) count as signed in only once they
    have, as in the admin.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        from sites.two_factor import needs_second_factor

        django_request: HttpRequest = request._request
        if needs_second_factor(django_request.user):
            return None
        return user, None
