"""The one base class for every tenant-owned model (wall 1 of tenant isolation)."""

from __future__ import annotations

from django.db import models

from sites.context import get_current_tenant, in_platform_scope


class TenantScopedQuerySet(models.QuerySet):
    def for_tenant(self, tenant) -> TenantScopedQuerySet:
        return self.filter(tenant=tenant)


class TenantScopedManager(models.Manager.from_queryset(TenantScopedQuerySet)):
    """Default manager that only ever returns the current tenant's rows.

    Fails closed: outside any scope it returns nothing, so a forgotten scope shows an
    empty page rather than another dispensary's data. Platform code that really spans
    tenants enters ``platform_scope()`` or uses the ``all_tenants`` manager.
    """

    def get_queryset(self) -> TenantScopedQuerySet:
        queryset = super().get_queryset()
        tenant = get_current_tenant()
        if tenant is not None:
            return queryset.filter(tenant=tenant)
        if in_platform_scope():
            return queryset
        return queryset.none()


class TenantScopedModel(models.Model):
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_set",
        editable=False,
    )

    objects = TenantScopedManager()
    all_tenants = models.Manager()  # noqa: DJ012 - managers, not fields

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.tenant_id is None:
            tenant = get_current_tenant()
            if tenant is None:
                raise ValueError(
                    f"{type(self).__name__} needs a tenant: set it or save inside tenant_scope()."
                )
            self.tenant = tenant
        super().save(*args, **kwargs)


def tenant_owned_models() -> list[type[models.Model]]:
    """Every concrete model that carries a tenant foreign key (for RLS and isolation tests)."""
    from django.apps import apps

    from sites.models import Tenant

    owned = []
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "tenant"), None)
        if field is not None and field.is_relation and field.related_model is Tenant:
            owned.append(model)
    return owned
