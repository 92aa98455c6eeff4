"""The one base class for every tenant-owned model (wall 1 of tenant isolation)."""

from __future__ import annotations

from django.db import models

from sites.context import get_current_tenant, in_platform_scope


class TenantScopedQuerySet(models.QuerySet):
    def for_tenant(self, tenant) -> TenantScopedQuerySet:
        return self.filter(tenant=tenant)


class InCurrentScope(models.Expression):
    """``WHERE tenant_id = <current tenant>``, decided when the SQL is compiled.

    Binding the scope at execution rather than when a queryset is built matters:
    querysets outlive requests (form field choices, class attributes, caches), and one
    built while serving tenant A must not answer for tenant B later. Outside any scope
    the condition is false (fail closed); in the platform scope it is true.
    """

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, field: str = "tenant"):
        super().__init__()
        self.tenant_ref = models.F(field)

    def get_source_expressions(self):
        return [self.tenant_ref]

    def set_source_expressions(self, exprs):
        (self.tenant_ref,) = exprs

    def as_sql(self, compiler, connection):
        tenant = get_current_tenant()
        if tenant is not None:
            column, params = compiler.compile(self.tenant_ref)
            return f"{column} = %s", [*params, tenant.pk]
        if in_platform_scope():
            return "1 = 1", []
        return "1 = 0", []


def scope_queryset(queryset: models.QuerySet) -> models.QuerySet:
    """Restrict ``queryset`` (of a model with a ``tenant`` field) to the scope it runs in."""
    return queryset.filter(InCurrentScope())


class TenantScopedManagerMixin:
    """Makes any manager return only the current scope's rows (see :class:`InCurrentScope`)."""

    def get_queryset(self):
        return scope_queryset(super().get_queryset())


class TenantScopedManager(TenantScopedManagerMixin, models.Manager.from_queryset(TenantScopedQuerySet)):
    """Default manager of every TenantScopedModel; ``all_tenants`` is the unscoped one."""


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
