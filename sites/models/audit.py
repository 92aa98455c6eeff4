"""The tenant's audit trail: who did what to which object, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sites.context import get_current_tenant, in_platform_scope

from .scoped import TenantScopedModel


class AuditLogEntry(TenantScopedModel):
    """One recorded action. Append-only: entries are never edited.

    ``data`` holds what a reviewer needs to understand the action (a reason, old and new
    status) and never the personal data the action touched: after an erasure the trail
    must still stand without undoing it.
    """

    # Records, not content: no page or snippet links to them, so Wagtail's reference index
    # (a look-up and two savepoint blocks on every save) has nothing to learn from them.
    wagtail_reference_index_ignore = True

    # Empty for platform actions (super admin logins, tenant lifecycle); row-level security
    # shows those rows only under the platform bypass.
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_entries",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the actor is erased or deleted: "staff #12" still reads in the trail.
    actor_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["tenant", "-created_at"], name="audit_tenant_recent")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action}"

    @property
    def is_platform_entry(self) -> bool:
        return self.tenant_id is None

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit log entries are append-only.")
        if self.tenant_id is None and get_current_tenant() is None and in_platform_scope():
            # A platform entry: skip the base class's tenant stamping.
            return models.Model.save(self, *args, **kwargs)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit log entries are append-only.")
