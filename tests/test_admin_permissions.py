"""Where tenant staff's admin rights come from, and that none reaches past the tenant."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from wagtail.models import GroupCollectionPermission
from wagtail.permissions import policy_registry

import pytest

from commerce.models import Product
from sites.context import platform_scope, tenant_scope
from sites.models import Branding, Role, TenantGroup, User
from sites.provisioning import COLLECTION_ACTIONS

pytestmark = pytest.mark.django_db

move_media_grants = importlib.import_module(
    "sites.migrations.0009_tenant_groups_wagtail_media_permissions"
).forwards


def media_grants(tenant, role) -> set[str]:
    with tenant_scope(tenant):
        group = TenantGroup.objects.get(role=role).group
        return {
            f"{grant.permission.content_type.app_label}.{grant.permission.codename}"
            for grant in GroupCollectionPermission.objects.filter(group=group, collection=tenant.collection)
        }


@pytest.mark.parametrize("role", list(COLLECTION_ACTIONS), ids=lambda role: role.lower())
def test_tenant_groups_hold_the_collection_permissions_wagtail_checks(tenant_a, role):
    expected = {f"wagtailimages.{action}_image" for action in COLLECTION_ACTIONS[role]} | {
        f"wagtaildocs.{action}_document" for action in COLLECTION_ACTIONS[role]
    }

    assert media_grants(tenant_a, role) == expected


def test_grants_made_before_the_fix_are_moved_to_wagtails_codenames(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        editors = TenantGroup.objects.get(role=Role.EDITOR).group
    GroupCollectionPermission.objects.filter(group=editors).delete()
    for codename in ("add_tenantimage", "choose_tenantdocument"):
        GroupCollectionPermission.objects.create(
            group=editors,
            collection=tenant_a.collection,
            permission=Permission.objects.get(content_type__app_label="media", codename=codename),
        )
    untouched = media_grants(tenant_b, Role.EDITOR)

    with platform_scope("test: data migration over every tenant"):
        move_media_grants(apps, None)

    assert media_grants(tenant_a, Role.EDITOR) == {"wagtailimages.add_image", "wagtaildocs.choose_document"}
    assert media_grants(tenant_b, Role.EDITOR) == untouched


@pytest.mark.parametrize("model", [Product, Branding, User], ids=["product", "branding", "user"])
def test_tenant_staff_hold_no_model_permissions_on_tenant_owned_models(tenant_a, make_user, model):
    # Django model permissions are platform-wide; Wagtail's site history and bulk actions read them so.
    for role in (Role.TENANT_ADMIN, Role.EDITOR, Role.MARKETER):
        user = make_user(tenant_a, role)
        assert not any(
            user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
            for action in ("add", "change", "delete", "view")
        )


@pytest.mark.parametrize(
    ("model", "role", "actions"),
    [
        (Product, Role.TENANT_ADMIN, {"add", "change", "delete", "view", "choose"}),
        (Product, Role.EDITOR, {"add", "change", "view", "choose"}),
        (Product, Role.MARKETER, {"view", "choose"}),
        (Branding, Role.TENANT_ADMIN, {"change", "view"}),
        (Branding, Role.EDITOR, set()),
        (User, Role.TENANT_ADMIN, {"add", "change", "delete", "view"}),
        (User, Role.EDITOR, set()),
        (User, Role.MARKETER, set()),
    ],
    # Sets print in a per-process order; xdist workers must collect the same ids.
    ids=lambda value: (
        ",".join(sorted(value)) if isinstance(value, set) else getattr(value, "__name__", str(value)).lower()
    ),
)
def test_roles_grant_actions_on_own_rows_only(tenant_a, tenant_b, make_user, model, role, actions):
    user = make_user(tenant_a, role)
    policy = policy_registry.get_by_type(model)
    own = make_user(tenant_a, Role.PATIENT, email="own@alpha.example") if model is User else None
    other = make_user(tenant_b, Role.PATIENT, email="other@bravo.example") if model is User else None
    if model is Branding:
        with platform_scope("test: both tenants' branding"):
            own, other = Branding.all_tenants.get(tenant=tenant_a), Branding.all_tenants.get(tenant=tenant_b)
    if model is Product:
        own, other = Product(tenant=tenant_a), Product(tenant=tenant_b)

    for action in ("add", "change", "delete", "view", "choose"):
        assert policy.user_has_permission(user, action) is (action in actions)
        assert policy.user_has_permission_for_instance(user, action, own) is (action in actions)
        assert policy.user_has_permission_for_instance(user, action, other) is False


def test_super_admins_have_no_add_on_rows_that_need_a_tenant(make_user):
    root = make_user(None, Role.SUPER_ADMIN)

    assert not policy_registry.get_by_type(Product).user_has_permission(root, "add")
    assert not policy_registry.get_by_type(Branding).user_has_permission(root, "add")
    assert policy_registry.get_by_type(User).user_has_permission(root, "add")


def test_only_super_admins_manage_groups(tenant_a, make_user):
    groups = policy_registry.get_by_type(Group)
    admin = make_user(tenant_a, Role.TENANT_ADMIN)
    # Even a group permission granted by mistake does not open the groups area.
    with tenant_scope(tenant_a):
        TenantGroup.objects.get(role=Role.TENANT_ADMIN).group.permissions.add(
            Permission.objects.get(content_type__app_label="auth", codename="change_group")
        )
        admin = User.objects.get(pk=admin.pk)

    assert not groups.user_has_any_permission(admin, {"add", "change", "delete"})
    assert groups.user_has_any_permission(make_user(None, Role.SUPER_ADMIN), {"add", "change", "delete"})
