"""What a user of the Wagtail admin may reach: wall 1 of tenant isolation in the admin.

Tenant staff work inside their tenant: its page tree (the Site's root page and below),
its collection and the collections below it, its accounts and its tenant-scoped rows.
Super admins are not restricted. Every helper fails closed: a user who is neither a
super admin nor attached to a tenant reaches nothing.

Pages and collections are matched by tree path rather than by Wagtail permissions, so
that a permission granted by mistake (or an ancestor page that Wagtail shows for
navigation) never widens what another tenant's staff can see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, ReferenceIndex

if TYPE_CHECKING:
    from sites.models import Tenant

QS = TypeVar("QS", bound=QuerySet)


def is_unrestricted(user) -> bool:
    """Super admins see the whole platform."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def staff_tenant(user) -> Tenant | None:
    """The tenant a restricted user works for, or None (unrestricted, anonymous, orphan)."""
    if not user.is_authenticated or is_unrestricted(user):
        return None
    return user.tenant


def _cached(tenant: Tenant, key: str, compute) -> str:
    # The tenant instance lives as long as the request (it hangs off request.user).
    cache = tenant.__dict__.setdefault("_admin_scope_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def page_root_path(tenant: Tenant) -> str:
    return _cached(
        tenant,
        "page_path",
        lambda: Page.objects.values_list("path", flat=True).get(sites_rooted_here__tenant=tenant),
    )


def collection_root_path(tenant: Tenant) -> str:
    return _cached(
        tenant,
        "collection_path",
        lambda: Collection.objects.values_list("path", flat=True).get(tenant=tenant),
    )


def scope_pages(queryset: QS, user) -> QS:
    """Only the pages of the user's tenant tree (all pages for super admins)."""
    if is_unrestricted(user):
        return queryset
    tenant = staff_tenant(user)
    if tenant is None:
        return queryset.none()
    return queryset.filter(path__startswith=page_root_path(tenant))


def scope_collections(queryset: QS, user) -> QS:
    """The user's tenant collection and the collections below it."""
    if is_unrestricted(user):
        return queryset
    tenant = staff_tenant(user)
    if tenant is None:
        return queryset.none()
    return queryset.filter(path__startswith=collection_root_path(tenant))


def scope_media(queryset: QS, user) -> QS:
    """Images or documents stored in the user's tenant collections."""
    if is_unrestricted(user):
        return queryset
    # By id: search backends only filter on indexed fields, and collection_id is one.
    collections = scope_collections(Collection.objects.all(), user).values_list("pk", flat=True)
    return queryset.filter(collection_id__in=list(collections))


def scope_accounts(queryset: QS, user) -> QS:
    """User accounts (staff and patients) of the user's tenant."""
    if is_unrestricted(user):
        return queryset
    tenant = staff_tenant(user)
    if tenant is None:
        return queryset.none()
    return queryset.filter(tenant=tenant)


def outside_scope(queryset: QuerySet, user, ids) -> bool:
    """True if any of ``ids`` names no row that ``user`` may reach.

    A row of another tenant and a row that does not exist are treated alike: scoped
    managers and row-level security already hide other tenants' rows, so the two cannot
    be told apart here, and need not be (both are refused with a 404, which confirms
    nothing). Values that are not ids (``"all"``, empty) are left to the caller.
    """
    wanted = {str(value) for value in ids if str(value).isdigit()}
    if not wanted or is_unrestricted(user):
        return False
    reachable = scoped_queryset_for(queryset.filter(pk__in=wanted), user).values_list("pk", flat=True)
    return wanted != {str(pk) for pk in reachable}


def scoped_queryset_for(queryset: QuerySet, user) -> QuerySet:
    """Apply the scope that matches the queryset's model."""
    from sites.models import User

    model: type[Model] = queryset.model
    if issubclass(model, Page):
        return scope_pages(queryset, user)
    if issubclass(model, Collection):
        return scope_collections(queryset, user)
    if issubclass(model, User):
        return scope_accounts(queryset, user)
    if any(field.name == "collection" for field in model._meta.fields):
        return scope_media(queryset, user)
    if any(field.name == "tenant" for field in model._meta.fields):
        tenant = staff_tenant(user)
        return queryset.filter(tenant=tenant) if tenant is not None else queryset.none()
    raise TypeError(f"No admin scope is defined for {model._meta.label}")


def _is_tenant_content(model: type[Model]) -> bool:
    from sites.models import TenantScopedModel

    return issubclass(model, (Page, get_image_model(), get_document_model(), TenantScopedModel))


def foreign_references(instance: Model, user) -> list[str]:
    """Where ``instance`` refers to a page, image, document or row the user may not reach.

    Choosers only offer the tenant's own content, so such a reference comes from a
    forged request. References to accounts (owner, locked by) are not content and are
    left alone: a super admin may well own a tenant's page.
    """
    if is_unrestricted(user):
        return []
    foreign = []
    # Wagtail's own reference extraction: model fields, StreamField blocks and rich text
    # links alike. A reference to a row the user cannot reach, whether another
    # tenant's or one that no longer exists, is refused (RLS hides the two alike).
    references = ReferenceIndex._extract_references_from_object(instance)
    for content_type_id, object_id, _, content_path in references:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if (
            model is not None
            and _is_tenant_content(model)
            and outside_scope(model._base_manager.all(), user, [object_id])
        ):
            foreign.append(content_path)
    return foreign
