"""Changing a tenant's plan: refused when the tenant already uses more than it allows."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from billing.limits import exceeded_limits
from billing.models import Plan
from sites.audit import record_audit
from sites.models import Tenant


class DowngradeRefused(Exception):
    code = "PLAN_LIMITS_EXCEEDED"

    def __init__(self, tenant: Tenant, plan: Plan, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{tenant.name} cannot move to the {plan.name} plan: it uses more than that plan allows "
            f"({'; '.join(problems)})."
        )


def change_plan(tenant: Tenant, plan: Plan | None, *, actor=None, request: HttpRequest | None = None) -> bool:
    """Put ``tenant`` on ``plan`` (None: no plan); True when it changed.

    Raises :class:`DowngradeRefused` when current usage is above one of the new limits;
    nothing changes then. Every change is audited with the old and the new plan.
    """
    if plan is not None and (problems := exceeded_limits(tenant, plan)):
        raise DowngradeRefused(tenant, plan, problems)
    if tenant.plan_id == (plan.pk if plan else None):
        return False
    with transaction.atomic():
        before = tenant.plan.slug if tenant.plan_id else None
        tenant.plan = plan
        tenant.save(update_fields=["plan", "updated_at"])
        record_audit(
            "tenant.plan_changed",
            actor=actor,
            target=tenant,
            request=request,
            tenant=tenant,
            data={"from": before, "to": plan.slug if plan else None},
        )
    return True
