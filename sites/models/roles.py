from django.db import models

from .scoped import TenantScopedManager


class TenantGroup(models.Model):
    """Links a tenant's Wagtail group to the role it grants (admins, editors, marketers)."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="groups")
    role = models.CharField(max_length=16)
    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="tenant_group")

    objects = TenantScopedManager()
    all_tenants = models.Manager()  # noqa: DJ012 - managers, not fields

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "role"], name="tenant_group_unique_role"),
        ]

    def __str__(self) -> str:
        return self.group.name
