"""Creating a dispensary: one service for `create_tenant`, onboarding and tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse

from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from billing.limits import check_limit
from billing.models import Plan
from integrations.email import send_tenant_email
from sites.accounts import make_token
from sites.context import platform_scope, tenant_scope
from sites.models import Branding, Role, Tenant, TenantGroup, User
from sites.validators import validate_country_code, validate_tenant_slug
from themes.installer import latest as latest_theme
from themes.models import Theme

logger = logging.getLogger(__name__)

# What each tenant group may do on the tenant's pages and collection.
PAGE_PERMISSIONS = {
    Role.TENANT_ADMIN: [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
    Role.EDITOR: ["add_page", "change_page"],
    Role.MARKETER: ["change_page", "publish_page"],
}
# Actions on the tenant's images and documents. Wagtail checks collection permissions
# against its own models' codenames ("add_image", "choose_document"), whichever image
# and document models are swapped in.
COLLECTION_ACTIONS = {
    Role.TENANT_ADMIN: ["add", "change", "choose", "delete"],
    Role.EDITOR: ["add", "change", "choose"],
    Role.MARKETER: ["choose"],
}
# Model permissions ("app_label.codename") each tenant group holds; the objects they apply
# to are the tenant's own, because every such model is tenant-scoped.
MODEL_PERMISSIONS = {
    Role.TENANT_ADMIN: [
        "pages.change_storefrontsettings", "pages.change_navigationmenu",
        "pages.add_articlecategory", "pages.change_articlecategory", "pages.delete_articlecategory",
    ],
    Role.EDITOR: ["pages.add_articlecategory", "pages.change_articlecategory"],
    Role.MARKETER: [],
}  # fmt: skip
COLLECTION_PERMISSION_MODELS = (("wagtailimages", "image"), ("wagtaildocs", "document"))
GROUP_SUFFIX = {Role.TENANT_ADMIN: "admins", Role.EDITOR: "editors", Role.MARKETER: "marketers"}


class ProvisioningError(Exception):
    """Bad input for a new tenant; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))


@dataclass(frozen=True)
class TenantSpec:
    slug: str
    name: str
    country_code: str
    theme: str
    admin_email: str
    # A billing.Plan slug; empty means no plan (no limits), as for tenants made before plans.
    plan: str = ""


@dataclass(frozen=True)
class ProvisionResult:
    tenant: Tenant
    admin: User
    set_password_url: str


def validate_spec(spec: TenantSpec) -> None:
    errors: dict[str, list[str]] = {}

    def check(field: str, validator, value) -> None:
        try:
            validator(value)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)

    check("slug", validate_tenant_slug, spec.slug)
    check("country", validate_country_code, spec.country_code)
    check("admin_email", validate_email, spec.admin_email)
    if not spec.name.strip():
        errors.setdefault("name", []).append("A name is required.")
    if latest_theme(spec.theme) is None:
        known = ", ".join(sorted(set(Theme.objects.values_list("slug", flat=True))))
        errors.setdefault("theme", []).append(f"Unknown theme “{spec.theme}”; installed: {known}.")
    if spec.plan and not Plan.objects.filter(slug=spec.plan).exists():
        known = ", ".join(Plan.objects.values_list("slug", flat=True))
        errors.setdefault("plan", []).append(f"Unknown plan “{spec.plan}”; plans: {known}.")
    if "slug" not in errors and Tenant.objects.filter(slug=spec.slug).exists():
        errors.setdefault("slug", []).append(f"A tenant with slug “{spec.slug}” already exists.")
    if (
        "admin_email" not in errors
        and User.objects.exclude(role=Role.PATIENT).filter(email=spec.admin_email.lower()).exists()
    ):
        errors.setdefault("admin_email", []).append("This email already belongs to a staff account.")
    if errors:
        raise ProvisioningError(errors)


def _create_groups(tenant: Tenant, home: Page, collection: Collection) -> dict[str, Group]:
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    groups = {}
    for role, suffix in GROUP_SUFFIX.items():
        group = Group.objects.create(name=f"{tenant.slug}: {suffix}")
        group.permissions.add(access_admin)
        TenantGroup.objects.create(tenant=tenant, role=role, group=group)
        for codename in PAGE_PERMISSIONS[role]:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.create(group=group, page=home, permission=permission)
        for action in COLLECTION_ACTIONS[role]:
            for app_label, model_name in COLLECTION_PERMISSION_MODELS:
                GroupCollectionPermission.objects.create(
                    group=group,
                    collection=collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model_name}"
                    ),
                )
        for name in MODEL_PERMISSIONS[role]:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        groups[role] = group
    return groups


def add_staff(tenant: Tenant, email: str, role: str, **fields) -> User:
    """Create a staff account of ``tenant`` in the group its role grants."""
    if role not in GROUP_SUFFIX:
        raise ValueError(f"{role} is not a tenant staff role")
    if fields.get("is_active", True):
        check_limit(tenant, "staff_users")  # PlanLimitReached: the plan has no room for one more
    user = User.objects.create_user(email, None, role=role, tenant=tenant, **fields)
    user.groups.add(TenantGroup.objects.get(tenant=tenant, role=role).group)
    return user


def set_password_url(user: User) -> str:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "wagtailadmin_password_reset_confirm",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
    )
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def provision_tenant(spec: TenantSpec) -> ProvisionResult:
    """Create site, page tree, groups, collection, branding and admin in one transaction."""
    from pages.starter import build_starter_tree, create_editorial_workflow, create_storefront_defaults

    spec = TenantSpec(
        slug=spec.slug.strip().lower(),
        name=spec.name.strip(),
        country_code=spec.country_code.strip().upper(),
        theme=spec.theme.strip(),
        admin_email=spec.admin_email.strip().lower(),
        plan=spec.plan.strip().lower(),
    )
    with platform_scope(f"provision tenant {spec.slug}"):
        validate_spec(spec)
        root_collection = Collection.get_first_root_node()
        collection = root_collection.add_child(name=spec.name)
        home = build_starter_tree(
            Page.get_first_root_node(), slug=spec.slug, name=spec.name, admin_email=spec.admin_email
        )
        site = Site.objects.create(
            hostname=f"{spec.slug}.{settings.BUDSTACK_DOMAIN}",
            port=settings.BUDSTACK_PUBLIC_PORT,
            site_name=spec.name,
            root_page=home,
        )
        tenant = Tenant.objects.create(
            slug=spec.slug,
            name=spec.name,
            country_code=spec.country_code,
            theme=latest_theme(spec.theme),
            plan=Plan.objects.get(slug=spec.plan) if spec.plan else None,
            site=site,
            collection=collection,
        )
        groups = _create_groups(tenant, home, collection)
        create_editorial_workflow(spec.name, home, groups[Role.TENANT_ADMIN])
        with tenant_scope(tenant):
            Branding.objects.create(tenant=tenant, support_email=spec.admin_email)
            create_storefront_defaults(tenant)
            admin = add_staff(tenant, spec.admin_email, Role.TENANT_ADMIN)
    url = set_password_url(admin)
    send_tenant_email(tenant, "set_password", admin.email, {"user": admin, "link": url})
    logger.info("provisioned tenant %s (site %s)", tenant.slug, site.pk)
    return ProvisionResult(tenant=tenant, admin=admin, set_password_url=url)


__all__ = [
    "ProvisionResult",
    "ProvisioningError",
    "TenantSpec",
    "add_staff",
    "make_token",
    "provision_tenant",
]
