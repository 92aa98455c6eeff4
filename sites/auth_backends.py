from __future__ import annotations

from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from sites.context import get_current_tenant, in_platform_scope, platform_scope
from sites.models import Role, User


def _scope_for_lookup(reason: str):
    if get_current_tenant() is None and not in_platform_scope():
        return platform_scope(reason)
    return nullcontext()


class TenantEmailBackend(ModelBackend):
    """Email + password, looked up where the login happens.

    On a tenant's storefront or API only that tenant's accounts can log in; on the
    platform (the admin) only staff can. A patient of one dispensary is thus unknown at
    another, and the answer for an unknown account is the same as for a wrong password.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        **kwargs,
    ) -> User | None:
        email = (email or username or kwargs.get(User.USERNAME_FIELD) or "").strip().lower()
        if not email or password is None:
            return None
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            user = User.objects.filter(email=email, tenant=tenant).select_related("tenant").first()
        else:
            # Querysets bind their scope when built, so build this one inside it.
            with _scope_for_lookup("staff login"):
                staff = User.objects.exclude(role=Role.PATIENT).select_related("tenant")
                user = staff.filter(email=email).first()
        if user is None:
            # Spend the same time as a real check so timing reveals nothing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Inside a tenant scope RLS shows only that tenant's users; on the platform
        # (the admin) the session's user is looked up by primary key under a bypass.
        with _scope_for_lookup("load the session's user"):
            return super().get_user(user_id)

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if user.is_demo and not settings.DEBUG:
            return False
        tenant = user.tenant
        # Staff of a suspended tenant may still log in (read-only comes with plans);
        # patients may not.
        return tenant is None or tenant.is_active or user.role != Role.PATIENT
