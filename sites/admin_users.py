"""The users area of the admin: tenant admins manage their own dispensary's accounts.

A tenant admin sees, creates and edits the staff and patients of their tenant only,
with roles up to tenant admin. Django's ``is_superuser`` and group memberships are never
form fields for them: the flags follow the role (``User.save``) and so does membership
of the tenant's role groups (:func:`sync_role_group`). Super admins keep the whole
platform view and also choose the tenant and any role.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column
from wagtail.admin.views import generic
from wagtail.permissions import policy_registry
from wagtail.users.forms import UserForm
from wagtail.users.views import users as wagtail_users

import django_filters

from billing.limits import check_limit
from sites.admin_scoping import (
    collection_root_path,
    is_unrestricted,
    page_root_path,
    scope_accounts,
    staff_tenant,
)
from sites.context import platform_scope
from sites.limits import PlanLimitReached
from sites.models import STAFF_ROLES, Role, Tenant, TenantGroup, User

# Roles a tenant admin may give: anything but the platform's own.
TENANT_ROLES = [(role.value, role.label) for role in Role if role != Role.SUPER_ADMIN]


def can_delete_account(actor: User, account: User) -> bool:
    """Nobody deletes themselves; only super admins delete super admins."""
    if actor.pk == account.pk:
        return False
    if account.is_superuser and not is_unrestricted(actor):
        return False
    return policy_registry.get_by_type(User).user_has_permission_for_instance(actor, "delete", account)


def sync_role_group(user: User) -> None:
    """Staff belong to exactly one tenant group, the one of their tenant and role.

    Groups not tied to a tenant (granted by a super admin) are left as they are.
    """
    user.groups.remove(*user.groups.filter(tenant_group__isnull=False))
    if user.tenant_id is not None and user.role in STAFF_ROLES:
        user.groups.add(TenantGroup.objects.get(tenant_id=user.tenant_id, role=user.role).group)


def staff_email_taken(email: str, exclude_pk: int | None) -> bool:
    """Staff emails are unique platform-wide (the admin login is by email), so this one
    check looks past the tenant scope; it answers yes or no and names no one."""
    with platform_scope("admin account form: staff emails are unique platform-wide"):
        return User.objects.filter(email=email).exclude(pk=exclude_pk).exclude(role=Role.PATIENT).exists()


def groups_reaching_beyond(groups, tenant: Tenant) -> list[Group]:
    """Groups holding page or collection rights outside ``tenant``'s tree and collection."""
    pages, collections = page_root_path(tenant), collection_root_path(tenant)
    return [
        group
        for group in groups
        if group.page_permissions.exclude(page__path__startswith=pages).exists()
        or group.collection_permissions.exclude(collection__path__startswith=collections).exists()
    ]


class AccountForm(UserForm):
    """Wagtail's user form, with a role (and, for super admins, a tenant) instead of
    ``is_superuser`` and group checkboxes."""

    role = forms.ChoiceField(label=_("Role"))
    tenant = forms.ModelChoiceField(
        label=_("Dispensary"),
        queryset=Tenant.objects.all(),
        required=False,
        help_text=_("Empty for super admins."),
    )
    other_groups = forms.ModelMultipleChoiceField(
        label=_("Other groups"),
        queryset=Group.objects.filter(tenant_group__isnull=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Platform-wide groups. A dispensary's own groups follow the role."),
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "role"]

    def __init__(self, *args, for_user: User, editing_self: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["is_superuser"]
        self.fixed_tenant = staff_tenant(for_user)
        if is_unrestricted(for_user):
            self.fields["role"].choices = Role.choices
            self.fields["tenant"].initial = self.instance.tenant_id
            if self.instance.pk:
                self.fields["other_groups"].initial = self.instance.groups.filter(tenant_group__isnull=True)
        else:
            self.fields["role"].choices = TENANT_ROLES
            del self.fields["tenant"]
            del self.fields["other_groups"]
        if editing_self:
            # Nobody demotes, moves or deactivates themselves.
            for name in ("role", "tenant", "is_active"):
                self.fields.pop(name, None)

    def _clean_username(self) -> None:
        # Wagtail checks the email against every account of the platform, which would
        # both refuse a patient registered elsewhere and reveal that registration.
        # clean() checks it where it must be unique instead.
        return None

    def clean(self) -> dict:
        cleaned = super().clean()
        role = cleaned.get("role", self.instance.role)
        tenant = self.fixed_tenant or cleaned.get("tenant", self.instance.tenant)
        if self.fixed_tenant is None and "tenant" in self.fields:
            if role == Role.SUPER_ADMIN and tenant is not None:
                self.add_error("tenant", _("Super admins belong to no dispensary."))
            elif role != Role.SUPER_ADMIN and tenant is None:
                self.add_error("tenant", _("Choose the dispensary this account belongs to."))
        email = (cleaned.get("email") or "").strip().lower()
        others = User.objects.filter(email=email).exclude(pk=self.instance.pk)
        if email and role != Role.PATIENT and staff_email_taken(email, self.instance.pk):
            self.add_error("email", _("This email already belongs to a staff account."))
        elif email and tenant is not None and others.filter(tenant=tenant).exists():
            self.add_error("email", _("This dispensary already has an account with this email."))
        if tenant is not None and (wide := groups_reaching_beyond(cleaned.get("other_groups", []), tenant)):
            # Wagtail's stock Editors and Moderators hold their rights on the tree root.
            names = ", ".join(group.name for group in wide)
            self.add_error("other_groups", _("These groups reach beyond the dispensary: %s.") % names)
        cleaned["tenant"] = None if role == Role.SUPER_ADMIN else tenant
        self._check_staff_limit(tenant, role, cleaned.get("is_active", self.instance.is_active))
        return cleaned

    def _check_staff_limit(self, tenant: Tenant | None, role: str, active: bool) -> None:
        """A new active staff account (or one becoming staff, active or this tenant's)
        counts against the plan's ``max_staff_users``."""
        if tenant is None or role not in STAFF_ROLES or not active:
            return
        before = self.instance
        if before.pk and before.is_active and before.role in STAFF_ROLES and before.tenant_id == tenant.pk:
            return
        try:
            check_limit(tenant, "staff_users")
        except PlanLimitReached as refusal:
            self.add_error(None, str(refusal))

    def _post_clean(self) -> None:
        # The model's tenant/role check constraint needs the tenant before validation.
        if "tenant" in self.cleaned_data:
            self.instance.tenant = self.cleaned_data["tenant"]
        super()._post_clean()

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if commit:
            user.save()
            self.save_m2m()
            if "other_groups" in self.cleaned_data:
                user.groups.remove(*user.groups.filter(tenant_group__isnull=True))
                user.groups.add(*self.cleaned_data["other_groups"])
            sync_role_group(user)
        return user


class AccountCreationForm(AccountForm):
    pass


class AccountEditForm(AccountForm):
    password_required = False

    class Meta(AccountForm.Meta):
        fields = [*AccountForm.Meta.fields, "is_active"]


class AccountFilterSet(wagtail_users.UserFilterSet):
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        if request is not None and not is_unrestricted(request.user):
            # Group names carry other tenants' slugs; "Administrator" is never theirs.
            self.filters["group"].queryset = Group.objects.filter(
                tenant_group__tenant=staff_tenant(request.user)
            )
            self.filters["role"].extra["choices"] = TENANT_ROLES
            del self.filters["is_superuser"]


class ScopedAccountsMixin:
    """Object lookups (edit, delete, history, usage) only find the tenant's accounts."""

    def get_queryset(self) -> QuerySet[User]:
        return scope_accounts(User.objects.select_related("tenant"), self.request.user)

    def get_base_object_queryset(self) -> QuerySet[User]:
        return self.get_queryset()


class AccountFormKwargsMixin:
    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class IndexView(wagtail_users.IndexView):
    def get_base_queryset(self) -> QuerySet[User]:
        return scope_accounts(super().get_base_queryset().select_related("tenant"), self.request.user)

    def get_delete_url(self, instance: User) -> str | None:
        if can_delete_account(self.request.user, instance):
            return generic.IndexView.get_delete_url(self, instance)
        return None

    @cached_property
    def columns(self) -> list:
        unrestricted = is_unrestricted(self.request.user)
        columns = [
            column
            for column in super().columns
            # The stock bulk actions assign any group to any account.
            if unrestricted or not isinstance(column, BulkActionsCheckboxColumn)
        ]
        columns.insert(-3, Column("role", label=_("Role"), accessor="get_role_display", sort_key="role"))
        if unrestricted:
            columns.insert(-3, Column("tenant", label=_("Dispensary"), sort_key="tenant__name"))
        return columns


class CreateView(AccountFormKwargsMixin, wagtail_users.CreateView):
    pass


class EditView(ScopedAccountsMixin, AccountFormKwargsMixin, wagtail_users.EditView):
    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.can_delete = can_delete_account(request.user, self.object)


class DeleteView(ScopedAccountsMixin, wagtail_users.DeleteView):
    def dispatch(self, request, *args, **kwargs) -> HttpResponse:
        self.object = self.get_object()
        if not can_delete_account(request.user, self.object):
            raise PermissionDenied
        # Skip Wagtail's check, which asks for the platform-wide delete permission.
        return super(wagtail_users.DeleteView, self).dispatch(request, *args, **kwargs)


class HistoryView(ScopedAccountsMixin, wagtail_users.HistoryView):
    pass


class UsageView(ScopedAccountsMixin, generic.UsageView):
    pass


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
    usage_view_class = UsageView
    filterset_class = AccountFilterSet
    copy_view_enabled = False
    create_template_name = "wagtailadmin/generic/create.html"
    edit_template_name = "wagtailadmin/generic/edit.html"

    def get_form_class(self, for_update: bool = False) -> type[AccountForm]:
        return AccountEditForm if for_update else AccountCreationForm

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        # Account management rights come from roles (sites.admin_permissions).
        return Permission.objects.none()
