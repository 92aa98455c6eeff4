"""A tenant's life after provisioning: suspend, reactivate, offboard, delete.

- Suspended and offboarding tenants are closed: the storefront shows the unavailable
  page, the API answers 403 ``TENANT_SUSPENDED``, and staff may sign in to the admin
  read-only (sites.middleware.SuspendedTenantReadOnlyMiddleware).
- Offboarding exports everything the tenant owns into a zip in private storage
  (:func:`export_tenant`, run by a Celery task), then the tenant is deleted once
  ``OFFBOARDING_GRACE_DAYS`` have passed (:func:`delete_due_tenants`, Celery beat).

Each change writes exactly one audit entry. Deletion is recorded on the platform trail,
which outlives the tenant.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import HttpRequest
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from budstack.storage import private_storage
from sites.audit import record_audit
from sites.context import platform_scope, tenant_scope
from sites.models import Tenant, TenantGroup, tenant_owned_models

logger = logging.getLogger(__name__)

# Never leave the database in an archive, even for the tenant's own accounts.
EXCLUDED_FIELDS = {"tenancy.user": {"password"}}


class LifecycleError(Exception):
    """A lifecycle change that does not apply to the tenant's current status."""


def _change_status(
    tenant: Tenant, status: str, action: str, *, actor, request, allowed_from, **fields
) -> Tenant:
    with platform_scope(f"tenant lifecycle: {action} {tenant.slug}"), transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.status not in allowed_from:
            raise LifecycleError(f"{locked.name} is {locked.get_status_display().lower()}; cannot {action}.")
        locked.status = status
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        record_audit(
            f"tenant.{action}",
            actor=actor,
            target=locked,
            request=request,
            tenant=locked,
            data={"status": status, **{k: str(v) for k, v in fields.items() if v}},
        )
    return locked


def suspend(tenant: Tenant, *, actor=None, request: HttpRequest | None = None) -> Tenant:
    return _change_status(
        tenant, Tenant.Status.SUSPENDED, "suspended", actor=actor, request=request,
        allowed_from={Tenant.Status.ACTIVE},
    )  # fmt: skip


def reactivate(tenant: Tenant, *, actor=None, request: HttpRequest | None = None) -> Tenant:
    """Back to active, from a suspension or from an offboarding still within its grace period."""
    return _change_status(
        tenant, Tenant.Status.ACTIVE, "reactivated", actor=actor, request=request,
        allowed_from={Tenant.Status.SUSPENDED, Tenant.Status.OFFBOARDING},
        offboarding_started_at=None, delete_after=None,
    )  # fmt: skip


def start_offboarding(tenant: Tenant, *, actor=None, request: HttpRequest | None = None) -> Tenant:
    """Close the tenant, schedule its deletion, and export its data in the background."""
    from sites.tasks import export_tenant_data

    now = timezone.now()
    tenant = _change_status(
        tenant, Tenant.Status.OFFBOARDING, "offboarding_started", actor=actor, request=request,
        allowed_from={Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED},
        offboarding_started_at=now, delete_after=now + timedelta(days=settings.OFFBOARDING_GRACE_DAYS),
    )  # fmt: skip
    tenant_id = tenant.pk
    transaction.on_commit(lambda: export_tenant_data.delay(tenant_id))
    return tenant


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def _serialize(queryset: models.QuerySet) -> list[dict]:
    rows = json.loads(serializers.serialize("json", queryset))
    excluded = EXCLUDED_FIELDS.get(queryset.model._meta.label_lower, set())
    for row in rows:
        for name in excluded:
            row["fields"].pop(name, None)
    return rows


def _media_querysets(tenant: Tenant) -> list[models.QuerySet]:
    collections = tenant.collection.get_descendants(inclusive=True)
    return [
        get_image_model().objects.filter(collection__in=collections),
        get_document_model().objects.filter(collection__in=collections),
    ]


def build_archive(tenant: Tenant) -> bytes:
    """Zip: ``tenant.json``, ``data/<app.model>.json`` per tenant-owned model (rows as
    Django serializes them), ``pages.json`` (every page's fields), ``media/<file>``."""
    buffer = io.BytesIO()
    with tenant_scope(tenant), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tenant.json", json.dumps(_serialize(Tenant.objects.filter(pk=tenant.pk)), indent=2))
        for model in sorted(tenant_owned_models(), key=lambda m: m._meta.label_lower):
            queryset = model._base_manager.filter(tenant=tenant).order_by("pk")
            archive.writestr(
                f"data/{model._meta.label_lower}.json", json.dumps(_serialize(queryset), indent=2)
            )
        pages = [
            {"id": page.pk, "type": page.specific_class._meta.label_lower, "url_path": page.url_path,
             "fields": page.specific.serializable_data()}
            for page in Page.objects.descendant_of(tenant.root_page, inclusive=True).order_by("path")
        ]  # fmt: skip
        archive.writestr("pages.json", json.dumps(pages, indent=2, cls=DjangoJSONEncoder))
        # Image and document rows are tenant-owned (above); here go their files.
        for queryset in _media_querysets(tenant):
            for item in queryset:
                try:
                    with item.file.open("rb") as handle:
                        archive.writestr(f"media/{item.file.name}", handle.read())
                except (FileNotFoundError, OSError):
                    logger.warning("export of %s: file %s is missing", tenant.slug, item.file.name)
    return buffer.getvalue()


def export_tenant(tenant: Tenant) -> str:
    """Write the archive to private storage; returns (and remembers) its name."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    name = private_storage().save(
        f"exports/tenants/{tenant.slug}-{stamp}.zip", ContentFile(build_archive(tenant))
    )
    with platform_scope(f"export of {tenant.slug} stored"):
        Tenant.objects.filter(pk=tenant.pk).update(export_file=name)
        record_audit("tenant.exported", target=tenant, tenant=tenant, data={"file": name})
    tenant.export_file = name
    return name


# ---------------------------------------------------------------------------
# Deletion
# ---------------------------------------------------------------------------


def _delete_rows(querysets: list[models.QuerySet]) -> None:
    """Delete in passes: a row protected by another of the tenant's rows goes once that one has."""
    pending = list(querysets)
    while pending:
        progress, blocked, last_error = False, [], None
        for queryset in pending:
            try:
                with transaction.atomic():
                    queryset.delete()
                progress = True
            except (ProtectedError, RestrictedError) as error:
                blocked.append(queryset)
                last_error = error
        if not progress:
            raise last_error
        pending = blocked


def _delete_files(files: list) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete %s of a deleted tenant", name, exc_info=True)


def delete_tenant(tenant: Tenant, *, actor=None) -> None:
    """Delete every row, page, file, group and the site of the tenant. Irreversible."""
    slug, name = tenant.slug, tenant.name
    with platform_scope(f"delete tenant {slug}"), transaction.atomic():
        tenant = Tenant.objects.select_for_update().select_related("site", "collection").get(pk=tenant.pk)
        if connection.vendor == "postgresql":
            # The audit trail and the traceability ledger refuse deletes unless asked explicitly.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('app.audit_purge', 'on', true)")
        site, collection, home = tenant.site, tenant.collection, tenant.site.root_page
        group_ids = list(TenantGroup.objects.filter(tenant=tenant).values_list("group_id", flat=True))
        # Files go once the rows are gone for good (a rollback keeps both).
        files = [(item.file.storage, item.file.name) for qs in _media_querysets(tenant) for item in qs]
        _delete_rows([model._base_manager.filter(tenant=tenant) for model in tenant_owned_models()])
        for queryset in _media_querysets(tenant):
            queryset.delete()  # any left in the collection without a tenant stamp
        export_file = tenant.export_file
        tenant.delete()
        site.delete()
        Page.objects.get(pk=home.pk).delete()
        for child in collection.get_descendants(inclusive=True).order_by("-depth"):
            child.delete()
        Group.objects.filter(pk__in=group_ids).delete()
        if export_file:
            files.append((private_storage(), export_file))
        transaction.on_commit(lambda: _delete_files(files))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('app.audit_purge', 'off', true)")
        record_audit("tenant.deleted", actor=actor, data={"slug": slug, "name": name})
    logger.info("tenant %s deleted after offboarding", slug)


def delete_due_tenants(now=None) -> list[str]:
    """Delete offboarding tenants whose grace period is over; returns their slugs."""
    now = now or timezone.now()
    with platform_scope("find tenants past their offboarding grace period"):
        due = list(Tenant.objects.filter(status=Tenant.Status.OFFBOARDING, delete_after__lte=now))
    deleted = []
    for tenant in due:
        delete_tenant(tenant)
        deleted.append(tenant.slug)
    return deleted
