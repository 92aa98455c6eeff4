"""Admin rights on tenant-owned models, by role and never beyond the user's tenant.

Pages and media keep Wagtail's object permissions (GroupPagePermission on the tenant's
home, GroupCollectionPermission on its collection), which are bounded by the tree.
Django's *model* permissions are not: "can change product" means every product of the
platform, and Wagtail reads them that way in places (site history shows log entries of
every model the user holds any permission on; bulk actions check ``has_perm``). So
tenant staff hold no model permissions on tenant-owned models; their rights come from
their role through :class:`TenantRolePolicy` and stop at their tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from wagtail.permission_policies import BasePermissionPolicy

from sites.admin_scoping import is_unrestricted, staff_tenant
from sites.models import Role

ALL_ACTIONS = frozenset({"add", "change", "delete", "view", "choose"})


class TenantRolePolicy(BasePermissionPolicy):
    """``roles`` maps a role to the actions it grants; super admins get ``superuser_actions``.

    The model needs a ``tenant`` foreign key: an instance is within reach of tenant staff
    only if it belongs to their tenant.
    """

    def __init__(
        self,
        model: type[Model] | str,
        roles: Mapping[str, Iterable[str]],
        superuser_actions: Iterable[str] = ALL_ACTIONS,
    ):
        super().__init__(model)
        self.roles = {role: frozenset(actions) for role, actions in roles.items()}
        self.superuser_actions = frozenset(superuser_actions)

    def actions_for(self, user) -> frozenset[str]:
        if not (user.is_authenticated and user.is_active):
            return frozenset()
        if is_unrestricted(user):
            return self.superuser_actions
        if staff_tenant(user) is None:
            return frozenset()
        return self.roles.get(user.role, frozenset())

    def reaches(self, user, instance: Model) -> bool:
        if is_unrestricted(user):
            return True
        tenant = staff_tenant(user)
        return tenant is not None and instance.tenant_id == tenant.pk

    def user_has_permission(self, user, action: str) -> bool:
        return action in self.actions_for(user)

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        return bool(self.actions_for(user) & set(actions))

    def user_has_permission_for_instance(self, user, action: str, instance: Model) -> bool:
        return self.user_has_permission(user, action) and self.reaches(user, instance)

    def user_has_any_permission_for_instance(self, user, actions: Iterable[str], instance: Model) -> bool:
        return self.user_has_any_permission(user, actions) and self.reaches(user, instance)

    def instances_user_has_any_permission_for(self, user, actions: Iterable[str]) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        if is_unrestricted(user):
            return self.model._default_manager.all()
        return self.model._default_manager.filter(tenant=staff_tenant(user))

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet:
        actions = set(actions)
        granted = Q(role__in=[role for role, allowed in self.roles.items() if allowed & actions])
        if self.superuser_actions & actions:
            granted |= Q(is_superuser=True)
        return get_user_model().objects.filter(granted, is_active=True)

    def users_with_any_permission_for_instance(self, actions: Iterable[str], instance: Model) -> QuerySet:
        return self.users_with_any_permission(actions).filter(
            Q(is_superuser=True) | Q(tenant_id=instance.tenant_id)
        )


class SuperAdminOnlyPolicy(BasePermissionPolicy):
    """For models that shape the whole platform, such as groups (which grant rights on
    any tenant's pages and collections): only super admins may touch them."""

    def user_has_permission(self, user, action: str) -> bool:
        return is_unrestricted(user)

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        return is_unrestricted(user)

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet:
        return get_user_model().objects.filter(is_superuser=True, is_active=True)


class SuperAdminViewOnlyPolicy(SuperAdminOnlyPolicy):
    """Platform records super admins look at and act on through dedicated actions
    (tenants' lifecycle, onboarding decisions), never through generic add/edit forms."""

    def user_has_permission(self, user, action: str) -> bool:
        return action == "view" and is_unrestricted(user)

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        return "view" in set(actions) and is_unrestricted(user)


STAFF_CAN_MANAGE_PRODUCTS = {
    Role.TENANT_ADMIN: {"add", "change", "delete", "view", "choose"},
    Role.EDITOR: {"add", "change", "view", "choose"},
    Role.MARKETER: {"view", "choose"},
}
# A product belongs to the tenant it is created for; the platform view has no tenant.
SUPER_ADMIN_PRODUCT_ACTIONS = {"change", "delete", "view", "choose"}

TENANT_ADMIN_EDITS_BRANDING = {Role.TENANT_ADMIN: {"change", "view"}}
# Branding rows are made with their tenant and live as long as it does.
SUPER_ADMIN_BRANDING_ACTIONS = {"change", "view"}

TENANT_ADMIN_MANAGES_ACCOUNTS = {Role.TENANT_ADMIN: {"add", "change", "delete", "view"}}

AUDIT_LOG_READERS = {Role.TENANT_ADMIN: {"view"}}
# The trail is append-only: nobody, super admins included, adds, edits or deletes in the app.
SUPER_ADMIN_AUDIT_ACTIONS = {"view"}
